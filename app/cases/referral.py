"""A new case from a referral: its reference, the young person as a Person and the referral event."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.accounts.models import User
from app.audit import service as audit
from app.cases.models import Case, CaseEvent, CaseStatus, Person
from app.security.auth import Actor
from app.timeutil import LOCAL, today, utcnow


def next_reference(*, session: Session, year: int) -> str:
    """The next human-friendly reference for `year`, e.g. HW-2026-0042."""
    prefix = f"HW-{year}-"
    latest = session.exec(
        select(Case.reference)
        .where(Case.reference.like(f"{prefix}%"))
        .order_by(func.length(Case.reference).desc(), Case.reference.desc())
        .limit(1)
    ).first()
    number = int(latest.removeprefix(prefix)) + 1 if latest and latest.removeprefix(prefix).isdigit() else 1
    return f"{prefix}{number:04d}"


def create_referral(
    *, session: Session, by: Actor, fields: dict, key_worker: User, co_worker_id: int | None = None
) -> Case:
    """A new case from a referral: the case, the young person as a Person, and a referral event."""
    now = utcnow()
    for attempt in range(5):
        case = Case(
            reference=next_reference(session=session, year=today().year),
            key_worker_id=key_worker.id,
            co_worker_id=co_worker_id,
            team_id=key_worker.team_id,
            status=CaseStatus.referred,
            opened_at=now,
            **fields,
        )
        try:
            # A savepoint, so a reference taken by a simultaneous referral is simply retried.
            with session.begin_nested():
                session.add(case)
                session.flush()
            break
        except IntegrityError:
            if attempt == 4:
                raise
    session.add(
        Person(
            case_id=case.id,
            name=case.young_person_name,
            relationship="Young person",
            is_young_person=True,
            in_household=True,
            date_of_birth=case.date_of_birth,
        )
    )
    # A referral dated before today has no time of its own: it is the start of its day, so any
    # time the work that day is given comes after it (not the hour the referral was typed in).
    occurred = (
        datetime.combine(case.referral_date, time(0), tzinfo=LOCAL)
        if case.referral_date and case.referral_date < today()
        else now
    )
    session.add(
        CaseEvent(
            case_id=case.id,
            kind="referral",
            to_status=CaseStatus.referred,
            rationale=case.referral_reason[:4000],
            occurred_at=occurred,
            by_user_id=by.id,
            reason=case.referral_route,
        )
    )
    audit.record(
        session=session,
        actor=by,
        action="create",
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        detail=f"referral route {case.referral_route}",
    )
    session.flush()
    return case
