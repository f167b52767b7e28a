"""The case's own timeline items: events (decisions) and contacts, in three queries whatever the size
(the contacts' shared with the case page's Contacts part)."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import Integer, Time, bindparam, func, literal
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.accounts.models import User
from app.cases import contacts as contact_words
from app.cases import reads, rules
from app.cases.extensions import Timeline, TimelineItem
from app.cases.models import (
    CLOSURE_REASONS,
    CONSENT_PURPOSES,
    STEP_DOWN_DESTINATIONS,
    STEP_UP_DESTINATIONS,
    Case,
    CaseEvent,
    Contact,
    Person,
    label,
)
from app.db import read_columns
from app.timeutil import LOCAL

reads.per_case(Person)  # read whole per case page (app/cases/reads.py)


def _event_detail(event, person_name: str | None) -> str:
    kind = event.kind
    if kind in ("consent_given", "consent_withdrawn"):
        return f"{person_name or 'Someone'}: {label(CONSENT_PURPOSES, event.reason)}" + (
            f". {event.rationale}" if kind == "consent_withdrawn" and event.rationale else ""
        )
    if kind == "person_added":
        return f"{person_name or ''}" + (f" ({event.rationale})" if event.rationale else "")
    if kind == "closed":
        return f"{label(CLOSURE_REASONS, event.reason)}. {event.rationale}".strip()
    if kind in ("step_up", "step_down"):
        options = STEP_UP_DESTINATIONS if kind == "step_up" else STEP_DOWN_DESTINATIONS
        then = "case closes" if event.reason == "closes" else "work continues"
        return f"To {label(options, event.destination)}, {then}. {event.rationale}".strip()
    if kind == "eligibility":
        words = "Eligible" if event.reason == "eligible" else "Not eligible"
        return f"{words}" + (f" (override: {event.rationale})" if event.rationale else "")
    return event.rationale


def _statements() -> tuple[dict, dict]:
    """The events' and the contacts' statements, without and with the limit `latest`, built once
    with the case (and the limit) as bound parameters (issue 21: building them on every first view
    cost about as much CPU as running them)."""
    by = aliased(User)
    total = func.count().over().label("total")
    case_id = bindparam("case_id")
    # Plain columns, not model objects, run on the session's connection (app.db.read_columns).
    events = (
        select(
            CaseEvent.occurred_at,
            CaseEvent.kind,
            CaseEvent.reason,
            CaseEvent.rationale,
            CaseEvent.destination,
            by.full_name.label("by_name"),
            Person.name.label("person_name"),
            total,
        )
        .join(by, by.id == CaseEvent.by_user_id)
        .join(Person, Person.id == CaseEvent.person_id, isouter=True)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.occurred_at.desc(), CaseEvent.id.desc())
    )
    # The order of the item's time below: the day, then the start time (noon when not given).
    started = func.coalesce(Contact.start_time, literal(time(12, 0), Time))
    contacts = (
        select(
            Contact.kind,
            Contact.place,
            Contact.occurred_on,
            Contact.start_time,
            Contact.duration_minutes,
            Contact.direct_minutes,
            Contact.present,
            Contact.young_person_seen,
            Contact.seen_alone,
            Contact.attended,
            Contact.professionals,
            Contact.note,
            by.full_name.label("by_name"),
            total,
        )
        .join(by, by.id == Contact.by_user_id)
        .where(Contact.case_id == case_id)
        .order_by(Contact.occurred_on.desc(), started.desc(), Contact.id.desc())
    )
    latest = bindparam("latest", type_=Integer)
    return {False: events, True: events.limit(latest)}, {False: contacts, True: contacts.limit(latest)}


_EVENTS, _CONTACTS = _statements()


def latest_contacts(*, session: Session, case: Case, latest: int | None = None) -> list:
    """The case's latest `latest` contacts (all of them without), latest first: the day, then the
    start time; rows with a contact's fields, `by_name` (who recorded it) and `total` (how many the
    case has). Read once per case page, for the timeline and for the Contacts part and "Needs
    doing"'s next visit (issue 21)."""

    def read() -> list:
        limited = latest is not None
        params = {"case_id": case.id, **({"latest": latest} if limited else {})}
        return list(read_columns(session, _CONTACTS[limited], params).all())

    return reads.once(session=session, case_id=case.id, key=("contacts", latest), read=read)


def items(*, session: Session, case: Case, latest: int | None = None) -> Timeline:
    """Events and contacts of `case` as timeline items: with `latest`, only the latest that many
    of each, and how many older ones there are (counted in the same query, by a window)."""
    limited = latest is not None
    params = {"case_id": case.id, **({"latest": latest} if limited else {})}
    events = read_columns(session, _EVENTS[limited], params).all()
    result = [
        TimelineItem(
            at=event.occurred_at,
            kind="event",
            title=rules.EVENT_TITLES.get(event.kind, event.kind.replace("_", " ").capitalize()),
            detail=_event_detail(event, event.person_name),
            by=event.by_name or "",
        )
        for event in events
    ]
    contacts = latest_contacts(session=session, case=case, latest=latest)
    names = {p.id: p.name for p in reads.rows(session=session, model=Person, case_id=case.id)} if contacts else {}
    for contact in contacts:
        at = datetime.combine(contact.occurred_on, contact.start_time or time(12, 0), tzinfo=LOCAL)
        parts = [f"{contact.duration_minutes} min"] if contact.attended else []  # a missed visit took no time
        if contact.attended:
            seen = [names.get(pid, "") for pid in contact.present if names.get(pid)]
            if seen:
                parts.append("with " + ", ".join(seen))
            if contact.seen_alone:
                parts.append("young person seen alone")
            elif not contact.young_person_seen:
                parts.append("young person not seen")
        if contact.professionals:
            parts.append("also there: " + contact.professionals)
        if contact.note:
            parts.append(contact.note)
        result.append(
            TimelineItem(
                at=at,
                kind="contact",
                title=contact_words.title(contact),
                detail="; ".join(parts),
                by=contact.by_name or "",
            )
        )
    left_out = {"event": events[0].total - len(events) if events else 0}
    left_out["contact"] = contacts[0].total - len(contacts) if contacts else 0
    return Timeline(result, {kind: n for kind, n in left_out.items() if n})
