"""Plain factory functions with keyword overrides. They flush; tests commit when the app must see it."""

from __future__ import annotations

import itertools
import uuid
from datetime import date

from sqlmodel import Session

from app.accounts.models import Role, Team, User
from app.cases.models import Case, Person
from app.config import Settings
from app.security.passwords import hash_password
from app.security.sessions import COOKIE_NAME, start_session

PASSWORD = "correct horse battery"
# Hashing is deliberately slow; tests share one hash of PASSWORD.
PASSWORD_HASH = hash_password(PASSWORD)
_seq = itertools.count(1)


def make_team(session: Session, **overrides) -> Team:
    team = Team(**{"name": f"Team {next(_seq)}", **overrides})
    session.add(team)
    session.flush()
    return team


def make_user(session: Session, *, role: str = Role.worker, team: Team | None = None, **overrides) -> User:
    n = next(_seq)
    if team is None and role in (Role.worker, Role.supervisor):
        team = make_team(session)
    fields = {
        "email": f"user{n}@example.org",
        "full_name": f"Test User {n}",
        "role": role,
        "team_id": team.id if team else None,
        "password_hash": PASSWORD_HASH,
    }
    fields.update(overrides)
    user = User(**fields)
    session.add(user)
    session.flush()
    return user


def make_case(session: Session, *, worker: User, co_worker: User | None = None, **overrides) -> Case:
    n = next(_seq)
    fields = {
        # A test naming a reference of its own uses another year, so the two never meet.
        "reference": f"HW-2026-{n:04d}",
        "young_person_name": f"Young Person {n}",
        "date_of_birth": date(2011, 5, 17),
        "status": "active",
        "key_worker_id": worker.id,
        "co_worker_id": co_worker.id if co_worker else None,
        "team_id": worker.team_id,
    }
    fields.update(overrides)
    case = Case(**fields)
    session.add(case)
    session.flush()
    session.add(
        Person(
            case_id=case.id,
            name=case.young_person_name,
            given_name=case.young_person_name.split()[0],
            relationship="Young person",
            is_young_person=True,
            in_household=True,
        )
    )
    session.flush()
    return case


def login(client, session: Session, user: User, settings: Settings) -> None:
    """Log `client` in as `user` by creating a session directly (the login tests use the form)."""
    cookie = start_session(session=session, user=user, settings=settings, user_agent="pytest")
    session.commit()
    client.cookies.set(COOKIE_NAME, cookie)


def sealed_item(secret: str, user: User, target: str, fields: list[list[str]], op: str | None = None) -> dict:
    """An offline item as a device sends it to /sync/sealed: `fields` (with the item's own id first)
    sealed for `user` and `target`, as offline.js seals them (app/sync/sealing.py)."""
    from app.sync import sealing

    op = op or str(uuid.uuid4())
    aad = sealing.additional_data(op_id=op, target=target, user_id=str(user.id))
    return {
        "id": op,
        "target": target,
        "method": "POST",
        "user_id": str(user.id),
        "base_version": None,
        "sealed": sealing.seal(secret, [["id", op], *fields], aad=aad),
    }
