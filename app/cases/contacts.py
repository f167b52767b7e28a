"""Contacts: visits, calls, messages and meetings. Append-only, so offline copies never conflict.

A missed visit ("no access") is recorded as missed and never counts as direct time (issue 3).
The first attended contact sets the case's first contact, shown against the 24-hour target.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlmodel import Session, select

from app import features
from app.audit import service as audit
from app.cases.models import CONTACT_KINDS, CONTACT_PLACES, Case, Contact, Person
from app.cases.people import existing_with_id
from app.cases.service import Refused
from app.security.auth import Actor
from app.timeutil import LOCAL, local, today, utcnow

KINDS = [code for code, _ in CONTACT_KINDS]
PLACES = [code for code, _ in CONTACT_PLACES]


def record_contact(
    *,
    session: Session,
    case: Case,
    by: Actor,
    kind: str,
    occurred_on: date,
    start_time: time | None,
    duration_minutes: int,
    place: str,
    present: list[str],
    young_person_seen: bool,
    seen_alone: bool,
    attended: bool,
    direct_minutes: int | None = None,
    admin_minutes: int = 0,
    note: str = "",
    record_id: str | None = None,
    professionals: str = "",
    people_ids: set[str] | None = None,
    replay_checked: bool = False,
) -> tuple[Contact, bool]:
    """Record a contact; returns (contact, created). A replayed id creates nothing.

    A caller that has just looked for `record_id` in this transaction and not found it passes
    `replay_checked`, and one that holds ids of the case's people passes them as `people_ids`
    (present must be among them): each saves a statement (issue 21: every offline replay of a
    contact looked for its id twice and read the people twice)."""
    existing = (
        None if replay_checked else existing_with_id(session=session, model=Contact, case=case, record_id=record_id)
    )
    if existing is not None:
        return existing, False
    if kind not in KINDS:
        raise Refused("Choose what kind of contact this was.")
    if place not in PLACES:
        raise Refused("Choose where the contact happened.")
    when = datetime.combine(occurred_on, start_time or time(12, 0), tzinfo=LOCAL)
    if occurred_on > today() or (start_time and when > local(utcnow()).replace(second=59) and occurred_on == today()):
        raise Refused("A contact cannot be recorded for a time that has not happened yet.")
    people = (
        people_ids
        if people_ids is not None
        else set(session.exec(select(Person.id).where(Person.case_id == case.id)).all())
    )
    stray = [p for p in present if p not in people]
    if stray:
        raise Refused("Choose who was present from this family's people.")
    if not attended:
        # PRACTICE.md 000:L792: direct hours are the service's measure; a no-access visit is not one.
        # Cleared before the checks below: a box left ticked on a missed visit says nothing.
        direct_minutes, young_person_seen, seen_alone, present = 0, False, False, []
    if seen_alone and not young_person_seen:
        raise Refused("The young person can only be seen alone if they were seen.", field="seen_alone")
    if attended and direct_minutes is None:
        direct_minutes = duration_minutes
    if direct_minutes > duration_minutes + admin_minutes and attended:
        raise Refused("Direct time cannot be longer than the contact itself.")
    contact = Contact(
        case_id=case.id,
        kind=kind,
        occurred_on=occurred_on,
        start_time=start_time,
        duration_minutes=duration_minutes,
        place=place,
        present=list(present),
        young_person_seen=young_person_seen,
        seen_alone=seen_alone,
        attended=attended,
        direct_minutes=direct_minutes,
        admin_minutes=admin_minutes,
        note=note.strip()[:2000],
        professionals=" ".join(professionals.split())[:500],
        by_user_id=by.id,
    )
    if record_id:
        contact.id = record_id
    session.add(contact)
    if attended and (case.first_contact_at is None or when < case.first_contact_at):
        # Not a change to the case record a worker edits, so the case version is left alone.
        case.first_contact_at = when.astimezone(utcnow().tzinfo)
        session.add(case)
    session.flush()
    audit.record(
        session=session,
        actor=by,
        action="create",
        object_type="contact",
        object_id=contact.id,
        case_id=case.id,
        detail=f"{kind} {'attended' if attended else 'missed'}",
    )
    # What a prompt asks for may be this contact (three missed visits: a visit attended).
    event = "visit_attended" if kind == "visit" and attended else "contact"
    features.fulfil(session=session, case_id=case.id, event=event, by=by, on=occurred_on)
    return contact, True


def title(contact: Contact) -> str:
    """Plain words for a contact on the timeline: "Home visit", "Missed home visit (no access)"."""
    if contact.kind == "visit":
        words = {"home": "Home visit", "school": "School visit", "office": "Office visit"}.get(contact.place, "Visit")
    else:
        words = dict(CONTACT_KINDS)[contact.kind] if contact.kind in KINDS else contact.kind
    if not contact.attended:
        return f"Missed {words[0].lower()}{words[1:]} (no access)"
    return words


def last_visit(*, session: Session, case: Case) -> Contact | None:
    """The latest attended contact, whose people seen the next visit's form starts from."""
    return session.exec(
        select(Contact)
        .where(Contact.case_id == case.id, Contact.attended.is_(True))
        .order_by(Contact.occurred_on.desc(), Contact.recorded_at.desc())
        .limit(1)
    ).first()
