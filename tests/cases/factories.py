"""Factories for case tests: an Actor for calling services directly, people, consent, screening."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from sqlmodel import Session

from app.accounts.models import User
from app.cases import consent as consent_service
from app.cases import eligibility
from app.cases.models import Case, Person
from app.security.auth import Actor
from app.timeutil import today


def actor_for(user: User) -> Actor:
    """An Actor as a request would make it, for calling services directly."""
    return Actor(
        user=user,
        user_session=SimpleNamespace(family_case_id=None),
        request_id="test",
        user_agent="pytest",
        address="127.0.0.1",
    )  # type: ignore[arg-type]


def young_person(session: Session, case: Case) -> Person:
    from sqlmodel import select

    return session.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person.is_(True))).one()


def make_person(session: Session, case: Case, **overrides) -> Person:
    fields = {"case_id": case.id, "name": "Donna Morgan", "relationship": "Mother", "in_household": True}
    fields.update(overrides)
    person = Person(**fields)
    session.add(person)
    session.flush()
    return person


def make_screened(session: Session, case: Case, user: User, *, consent: bool = True, eligible: bool = True) -> None:
    """Record an eligibility decision and consent to the work, as screening would."""
    by = actor_for(user)
    criteria = eligibility.criteria_set("sefton")
    ticked = ["S-A5", "S-B1"] if eligible else ["S-B1"]
    eligibility.record_decision(
        session=session, case=case, by=by, criteria=criteria, ticked=ticked, override=False, override_reason=""
    )
    if consent:
        consent_service.record_consent(
            session=session,
            case=case,
            by=by,
            person=young_person(session, case),
            purpose="work",
            how_given="verbal",
            given_on=today(),
        )


def iso(d: date) -> str:
    return d.isoformat()
