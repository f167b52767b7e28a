"""A family's people: adding and editing them, with offline ids and versions (DESIGN.md "Offline").

A person added on a tablet arrives with the id the tablet gave it; sending it again changes nothing.
An edit names the version it started from; if the person has moved on since, it is a Conflict for
the worker to resolve, never a silent overwrite.
"""

from __future__ import annotations

import re
import uuid
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from app.audit import service as audit
from app.cases import reads
from app.cases.models import Case, Consent, EducationStatus, LivingSituation, MissingEpisode, Person
from app.cases.service import Conflict, Refused, _event
from app.security.auth import Actor
from app.timeutil import utcnow

EDITABLE = (
    "name",
    "given_name",
    "preferred_name",
    "relationship",
    "in_household",
    "knows_the_worries",
    "preferred_language",
    "phone",
    "email",
    "address",
    "date_of_birth",
    "notes",
)


def valid_client_id(value: str | None) -> str | None:
    """The client's UUID in canonical form, or None when absent or not a UUID."""
    if not value:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def existing_with_id(*, session: Session, model, case: Case, record_id: str | None):
    """A record already stored under a client id: the replay of an applied offline operation."""
    if not record_id:
        return None
    found = session.get(model, record_id)
    if found is not None and found.case_id != case.id:
        raise Refused("That record id is already in use.")
    return found


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")


def looks_like_email(value: str) -> bool:
    """A plausible email address: something, @, a domain with a dot (issue 18, defect 7)."""
    return bool(EMAIL.match(value.strip()))


def duplicate_of(*, session: Session, case: Case, name: str, excluding: str | None = None) -> Person | None:
    """Someone on this case with the same name (ignoring case and spaces)."""
    query = select(Person).where(
        Person.case_id == case.id, func.lower(func.trim(Person.name)) == " ".join(name.split()).lower()
    )
    if excluding:
        query = query.where(Person.id != excluding)
    return session.exec(query.limit(1)).first()


def add_person(
    *,
    session: Session,
    case: Case,
    by: Actor,
    name: str,
    relationship: str,
    given_name: str = "",
    preferred_name: str = "",
    in_household: bool = False,
    knows_the_worries: bool = False,
    preferred_language: str = "en",
    phone: str = "",
    email: str = "",
    address: str = "",
    date_of_birth: date | None = None,
    notes: str = "",
    record_id: str | None = None,
) -> tuple[Person, bool]:
    """Add a family or network member; returns (person, created). A replayed id creates nothing."""
    existing = existing_with_id(session=session, model=Person, case=case, record_id=record_id)
    if existing is not None:
        return existing, False
    name = " ".join(name.split())
    if not name:
        raise Refused("A name is needed.")
    if duplicate_of(session=session, case=case, name=name):
        raise Refused(f"{name} is already one of this family's people.")
    person = Person(
        case_id=case.id,
        name=name,
        given_name=given_name.strip(),
        preferred_name=preferred_name.strip(),
        relationship=relationship.strip(),
        in_household=in_household,
        knows_the_worries=knows_the_worries,
        preferred_language=preferred_language,
        phone=phone,
        email=email,
        address=address,
        date_of_birth=date_of_birth,
        notes=notes,
    )
    if record_id:
        person.id = record_id
    session.add(person)
    session.flush()
    _event(
        session=session, case=case, by=by, kind="person_added", rationale=relationship.strip()[:60], person_id=person.id
    )
    audit.record(session=session, actor=by, action="create", object_type="person", object_id=person.id, case_id=case.id)
    session.flush()
    return person, True


def update_person(
    *, session: Session, case: Case, person: Person, by: Actor, base_version: int, changes: dict
) -> Person:
    """Change a person's details, refused with Conflict if they changed since `base_version`."""
    if person.case_id != case.id:
        raise Refused("That person is not part of this case.")
    if base_version != person.version:
        raise Conflict(
            "These details were changed by someone else (or on another device) since you started. "
            "Check the details now saved, then make your change again.",
            current_version=person.version,
        )
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "name" in changes:
        changes["name"] = " ".join(changes["name"].split())
        if duplicate_of(session=session, case=case, name=changes["name"], excluding=person.id):
            raise Refused(f"{changes['name']} is already one of this family's people.")
    changed = sorted(k for k, v in changes.items() if getattr(person, k) != v)
    for key, value in changes.items():
        setattr(person, key, value)
    # The young person's name, the name they go by and date of birth live on the case too, which
    # is what the case's pages and the family screens show (Case.display_name): keep them in step.
    if person.is_young_person:
        on_case = {
            "young_person_name": changes.get("name", case.young_person_name),
            "preferred_name": changes.get("preferred_name", case.preferred_name),
            "date_of_birth": changes.get("date_of_birth", case.date_of_birth),
        }
        if any(getattr(case, key) != value for key, value in on_case.items()):
            for key, value in on_case.items():
                setattr(case, key, value)
            case.version += 1
            session.add(case)
    person.version += 1
    person.updated_at = utcnow()
    session.add(person)
    # Field names only: values can be personal data.
    audit.record(
        session=session,
        actor=by,
        action="update",
        object_type="person",
        object_id=person.id,
        case_id=case.id,
        detail="changed " + ", ".join(changed),
    )
    session.flush()
    return person


def earliest_record_on(*, session: Session, case: Case) -> date | None:
    """The earliest day in the young person's history as recorded (consent given, living situation,
    education, a missing episode): a date of birth may not come after it. One statement."""
    firsts = [
        select(func.min(column)).where(model.case_id == case.id).scalar_subquery()
        for model, column in (
            (Consent, Consent.given_on),
            (LivingSituation, LivingSituation.since),
            (EducationStatus, EducationStatus.since),
            (MissingEpisode, MissingEpisode.went_missing_on),
        )
    ]
    days = [day for day in session.exec(select(*firsts)).one() if day is not None]
    return min(days) if days else None


def people_of(*, session: Session, case: Case) -> list[Person]:
    """The case's people, the young person first."""
    return sorted(
        reads.rows(session=session, model=Person, case_id=case.id),
        key=lambda p: (not p.is_young_person, p.created_at, p.name),
    )
