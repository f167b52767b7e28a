"""Where the young person lives, with its history (issue 18). Codes: app/core/codes.py (shared
with the outcome records, so a case's living situation and its outcomes speak the same codes)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from app.audit import service as audit
from app.cases.models import Case, LivingSituation
from app.core.codes import LIVING
from app.refused import Refused
from app.security.auth import Actor
from app.timeutil import today

CODES = [code for code, _ in LIVING]


def history(*, session: Session, case: Case) -> list[LivingSituation]:
    """Newest first: the first is where the young person lives now."""
    return list(
        session.exec(
            select(LivingSituation)
            .where(LivingSituation.case_id == case.id)
            .order_by(LivingSituation.since.desc(), LivingSituation.recorded_at.desc())
        ).all()
    )


def record(
    *, session: Session, case: Case, by: Actor, living: str, with_whom: str, since: date, record_id: str | None = None
) -> LivingSituation:
    """A new living situation from `since` (today or earlier); earlier ones stay as history."""
    if record_id:
        found = session.get(LivingSituation, record_id)
        if found is not None:
            if found.case_id != case.id:
                raise Refused("That record id is already in use.")
            return found
    if living not in CODES:
        raise Refused("Choose where the young person lives.", field="living")
    if since > today():
        raise Refused("The date it started cannot be in the future.", field="since")
    entry = LivingSituation(
        case_id=case.id, living=living, with_whom=" ".join(with_whom.split())[:200], since=since, recorded_by_id=by.id
    )
    if record_id:
        entry.id = record_id
    session.add(entry)
    session.flush()
    audit.record(
        session=session,
        actor=by,
        action="create",
        object_type="living_situation",
        object_id=entry.id,
        case_id=case.id,
        detail=f"{living} from {since.isoformat()}",
    )
    return entry
