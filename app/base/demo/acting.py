"""How the BASE demo acts: as a demo user straight through the services (`_actor`, which other
features' demos use too), with the family by first name, an engagement entry, and a version moved
back in time."""

from __future__ import annotations

from datetime import timedelta

from app.base import service
from app.base.models import BaseVersion
from app.cases.models import new_id
from app.security.auth import Actor
from app.security.models import UserSession
from app.timeutil import utcnow


def _actor(user) -> Actor:
    # Not a logged-in session: the demo acts directly through the services as this user.
    return Actor(
        user=user,
        user_session=UserSession(token_hash="demo", user_id=user.id, expires_at=utcnow()),
        request_id="demo",
        user_agent="homeward demo",
        address="",
    )


def _backdate(version: BaseVersion, *, days: int, submitted_after: int | None = None) -> None:
    version.created_at = utcnow() - timedelta(days=days)
    version.updated_at = version.created_at
    if submitted_after is not None and version.submitted_at:
        version.submitted_at = version.created_at + timedelta(days=submitted_after)


def _people(demo, first: str) -> dict[str, object]:
    return {p.name.split()[0]: p for p in demo.people[first]}


def _engage(session, version, by, person, **fields):
    fields.setdefault("expectations", "")
    fields.setdefault("aspirations", "")
    fields.setdefault("motivation_evidence", "")
    fields.setdefault("capacity_evidence", "")
    fields.setdefault("involvement", "")
    fields.update(
        person_id=person.id,
        person_name=person.name,
        relationship=person.relationship,
        is_young_person=person.is_young_person,
    )
    item_id = new_id()
    service.save_engagement(session=session, version=version, by=by, item_id=item_id, fields=fields)
    return item_id
