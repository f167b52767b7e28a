"""Family group decision making: the FGDM record, a step at a time (append-only)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from app.cases.models import Case
from app.network.models import (
    FgdmRecord,
)
from app.refused import WrongCase


def record_fgdm(
    *,
    session: Session,
    case: Case,
    record_id: str,
    status: str,
    on_date: date,
    offered_to: str,
    reason: str,
    decided_by: str,
    by_user_id: int,
) -> tuple[FgdmRecord, bool]:
    """Add a step to the FGDM record (append-only; idempotent by id)."""
    existing = session.get(FgdmRecord, record_id)
    if existing is not None:
        if existing.case_id != case.id:
            raise WrongCase()
        return existing, False
    record = FgdmRecord(
        id=record_id,
        case_id=case.id,
        status=status,
        on_date=on_date,
        offered_to=offered_to,
        reason=reason,
        decided_by=decided_by,
        recorded_by_id=by_user_id,
    )
    session.add(record)
    session.flush()
    return record, True


def fgdm_history(*, session: Session, case: Case) -> list[FgdmRecord]:
    return list(
        session.exec(
            select(FgdmRecord)
            .where(FgdmRecord.case_id == case.id)
            .order_by(FgdmRecord.on_date.desc(), FgdmRecord.recorded_at.desc())
        ).all()
    )
