"""Family mode in the demo: one tablet reported wrong Worker PINs typed without a signal, so the
supervisor sees the flag and the case page says when (docs/family-mode.md, threat model); and two
family members whose screens open in their own language (docs/i18n.md): Amira's mother reads
Arabic (right to left), Logan's mother Welsh."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from app.audit.models import AuditEntry
from app.cases.models import Person
from app.family.service import OFFLINE_FAILURES
from app.timeutil import utcnow

LANGUAGES = {"Samira Hassan": "ar", "Gemma Hughes": "cy"}


def load(*, session: Session, demo) -> None:
    for person in session.exec(select(Person).where(Person.name.in_(LANGUAGES))).all():
        person.preferred_language = LANGUAGES[person.name]
        session.add(person)
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
