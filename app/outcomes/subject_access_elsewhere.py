"""Where a subject access request's person appears on other families' cases. Split from
subject_access.py, which gathers the rows of each case; this finds which other cases to gather.

A person may appear on another family's case: as a person there (a parent named on a sibling's
case), or as a network member or professional. `appearances` finds them across the service by
their folded name (and date of birth, where both are known). The match is by name, so it may be a
namesake: subject_access.gather flags every entry from those cases for the manager's review, and
the copy names only the cases the manager released something from (`Bundle.also_on`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlmodel import Session

from app.cases.models import Case, Person
from app.core.text import fold
from app.network.models import NetworkMember


@dataclass
class Appearance:
    """Where a person appears on a case: as one of its people, or as a network member."""

    case_id: int
    case_reference: str
    as_what: str  # "person" or "network member"
    role: str
    person_id: str | None = None
    member_id: str | None = None
    name_only: bool = False  # no date of birth on one side or the other to tell a namesake apart


def escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def appearances(session: Session, subject: Person) -> list[Appearance]:
    """Every other case the subject appears on: a person with the same name (and the same date of
    birth where both are known), or a network member of that name. Two statements."""
    folded = fold(subject.name)
    if not folded:
        return []
    # The whole name, any case, as written or without accents ("Zoë" is found as "Zoe"); no
    # wildcards, so the database returns only namesakes (a common surname would return thousands).
    forms = {" ".join(subject.name.split()), folded}
    like = lambda column: or_(*[column.ilike(escape_like(w), escape="\\") for w in forms])  # noqa: E731
    people = session.execute(
        select(Person.id, Person.case_id, Person.name, Person.relationship, Person.date_of_birth, Case.reference)
        .join(Case, Case.id == Person.case_id)
        .where(Person.case_id != subject.case_id, like(Person.name))
    ).all()
    found = [
        Appearance(
            case_id, ref, "person", relationship or "", person_id=pid, name_only=None in (born, subject.date_of_birth)
        )
        for pid, case_id, name, relationship, born, ref in people
        if fold(name) == folded and (born is None or subject.date_of_birth is None or born == subject.date_of_birth)
    ]
    with_person = {a.case_id for a in found}
    members = session.execute(
        select(NetworkMember.id, NetworkMember.case_id, NetworkMember.name, NetworkMember.role, Case.reference)
        .join(Case, Case.id == NetworkMember.case_id)
        .where(and_(NetworkMember.person_id.is_(None), NetworkMember.case_id != subject.case_id))
        .where(like(NetworkMember.name))
    ).all()
    found += [
        Appearance(case_id, ref, "network member", role or "", member_id=mid, name_only=True)
        for mid, case_id, name, role, ref in members
        if fold(name) == folded and case_id not in with_person
    ]
    return sorted(found, key=lambda a: (a.case_reference, a.as_what))
