"""The network map: the young person's people and the professionals around them, with their circle
and the help they have agreed to give.

An edit carries the version it started from; a professional added again by the same id is a replay.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.cases.models import Case, Person
from app.network.models import (
    CIRCLE_LABELS,
    Circle,
    NetworkMember,
)
from app.network.refusals import StaleVersion
from app.network.rules import default_circle
from app.refused import WrongCase
from app.timeutil import utcnow


@dataclass
class MapEntry:
    key: str  # person id, or member id for professionals
    name: str
    relationship: str
    circle: str
    knows_the_worries: bool | None
    agreed_to_help: bool
    how_they_help: str
    phone: str
    is_person: bool
    version: int  # 0 when no network facts are stored yet

    @property
    def circle_label(self) -> str:
        return CIRCLE_LABELS[Circle(self.circle)]


def network_map(*, session: Session, case: Case) -> tuple[Person | None, list[MapEntry]]:
    """The young person and everyone around them, with their circle and help (two queries)."""
    rows = session.exec(
        select(Person, NetworkMember)
        .join(
            NetworkMember,
            (NetworkMember.person_id == Person.id) & (NetworkMember.case_id == Person.case_id),
            isouter=True,
        )
        .where(Person.case_id == case.id)
        .order_by(Person.created_at, Person.name)
    ).all()
    young_person = None
    entries: list[MapEntry] = []
    for person, member in rows:
        if person.is_young_person:
            young_person = young_person or person
            continue
        entries.append(
            MapEntry(
                key=person.id,
                name=person.name,
                relationship=person.relationship,
                circle=member.circle
                if member
                else default_circle(relationship=person.relationship, in_household=person.in_household),
                knows_the_worries=person.knows_the_worries,
                agreed_to_help=bool(member and member.agreed_to_help),
                how_they_help=member.how_they_help if member else "",
                phone=person.phone,
                is_person=True,
                version=member.version if member else 0,
            )
        )
    professionals = session.exec(
        select(NetworkMember)
        .where(NetworkMember.case_id == case.id, NetworkMember.person_id.is_(None))
        .order_by(NetworkMember.created_at)
    ).all()
    for member in professionals:
        entries.append(
            MapEntry(
                key=member.id,
                name=member.name,
                relationship=member.role,
                circle=member.circle,
                knows_the_worries=None,
                agreed_to_help=member.agreed_to_help,
                how_they_help=member.how_they_help,
                phone=member.phone,
                is_person=False,
                version=member.version,
            )
        )
    return young_person, entries


def member_for(*, session: Session, case: Case, person_id: str) -> NetworkMember | None:
    """The network entry of one of the case's people, if they have one yet."""
    return session.exec(
        select(NetworkMember).where(NetworkMember.case_id == case.id, NetworkMember.person_id == person_id)
    ).first()


def save_person_facts(
    *,
    session: Session,
    case: Case,
    person_id: str,
    circle: str,
    agreed_to_help: bool,
    how_they_help: str,
    base_version: int | None,
) -> NetworkMember:
    """Set where a person sits in the network and how they have agreed to help."""
    person = session.get(Person, person_id)
    if person is None or person.case_id != case.id or person.is_young_person:
        raise WrongCase()
    member = member_for(session=session, case=case, person_id=person_id)
    current = member.version if member else 0
    if base_version is not None and base_version != current:
        if member is not None and (member.circle, member.agreed_to_help, member.how_they_help) == (
            circle,
            agreed_to_help,
            how_they_help,
        ):
            return member  # a replay of the edit that made this version: already applied
        raise StaleVersion(current)
    if member is None:
        member = NetworkMember(case_id=case.id, person_id=person_id)
    else:
        member.version += 1
    member.circle, member.agreed_to_help, member.how_they_help = circle, agreed_to_help, how_they_help
    member.updated_at = utcnow()
    session.add(member)
    session.flush()
    return member


def add_professional(
    *,
    session: Session,
    case: Case,
    member_id: str,
    name: str,
    role: str,
    phone: str,
    agreed_to_help: bool,
    how_they_help: str,
) -> tuple[NetworkMember, bool]:
    """Add a professional to the network; a replay of the same id returns the first one unchanged."""
    existing = session.get(NetworkMember, member_id)
    if existing is not None:
        if existing.case_id != case.id:
            raise WrongCase()
        return existing, False
    member = NetworkMember(
        id=member_id,
        case_id=case.id,
        name=name,
        role=role,
        phone=phone,
        circle=Circle.professionals,
        agreed_to_help=agreed_to_help,
        how_they_help=how_they_help,
    )
    session.add(member)
    session.flush()
    return member, True
