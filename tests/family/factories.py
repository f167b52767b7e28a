"""Factories for family mode: a worker with a PIN, and a session already handed to the family."""

from __future__ import annotations

from sqlmodel import Session, select

from app.accounts.service import offline_pin_check
from app.cases.models import Case, Person
from app.security.models import UserSession
from app.security.passwords import hash_password

PIN = "246813"
# The test Settings' pin_kdf_iterations (tests/conftest.py): 600,000 would slow every test.
PIN_ITERATIONS = 1_000
PIN_HASH = hash_password(PIN)
# The offline check set_pin makes (app.accounts.service), computed once for the whole suite.
PIN_SALT = "00112233445566778899aabbccddeeff"
PIN_CHECK = offline_pin_check(PIN, PIN_SALT, PIN_ITERATIONS)


def with_pin(user, session: Session):
    user.pin_hash = PIN_HASH
    user.pin_salt, user.pin_check, user.pin_iterations = PIN_SALT, PIN_CHECK, PIN_ITERATIONS
    session.add(user)
    session.flush()
    return user


def young_person(session: Session, case: Case) -> Person:
    return session.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person)).one()


def add_person(
    session: Session, case: Case, name: str = "Donna Morgan", relationship: str = "Mother", **fields
) -> Person:
    fields.setdefault("given_name", name.split()[0])
    person = Person(case_id=case.id, name=name, relationship=relationship, in_household=True, **fields)
    session.add(person)
    session.flush()
    return person


def family_home(case: Case, person: Person) -> str:
    return f"/family/{case.id}/{person.id}"


def hand_over(client, case: Case, person: Person, pin: str = PIN):
    """Hand the tablet over through the worker's form, as the worker would."""
    return client.post(f"/cases/{case.id}/hand-to-family", data={"person": person.id, "pin": pin})


def live_session(session: Session, user) -> UserSession:
    session.expire_all()
    return session.exec(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id.desc())
    ).first()
