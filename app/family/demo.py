"""Family mode in the demo: one tablet reported wrong Worker PINs typed without a signal, so the
supervisor sees the flag and the case page says when (docs/family-mode.md, threat model)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from app.audit.models import AuditEntry
from app.family.service import OFFLINE_FAILURES
from app.timeutil import utcnow


def load(*, session: Session, demo) -> None:
    case = demo.cases["Reece"]
    session.add(
        AuditEntry(
            at=utcnow() - timedelta(days=3, hours=2),
            user_id=case.key_worker_id,
            action=OFFLINE_FAILURES,
            object_type="session",
            case_id=case.id,
            detail="3 wrong PINs on the tablet without a signal",
        )
    )
