"""Consent per person and per purpose, and its withdrawal (issue 3; PRACTICE.md "Case lifecycle").

Withdrawing consent to the work itself prompts ending the case with reason "consent withdrawn";
the route does the prompting, the rule lives in `work_consent_remaining`.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from app.audit import service as audit
from app.cases import reads
from app.cases.models import CONSENT_PURPOSES, Case, CaseEvent, Consent, Person
from app.cases.people import existing_with_id
from app.cases.service import Refused, _event
from app.security.auth import Actor
from app.timeutil import as_utc, device_time, local, today, utcnow

reads.per_case(Consent)  # read whole per case page (app/cases/reads.py)

PURPOSES = [code for code, _ in CONSENT_PURPOSES]


SIGNATURE_PREFIX = "data:image/png;base64,"
SIGNATURE_MAX = 300_000


def signature_refusal(value: str) -> str | None:
    """Why a drawn signature cannot be kept (None: it can): a PNG data URL of a sensible size."""
    if not value.startswith(SIGNATURE_PREFIX) or len(value) > SIGNATURE_MAX:
        return "The signature did not come through as a picture: please sign again."
    try:
        raw = base64.b64decode(value[len(SIGNATURE_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        return "The signature did not come through as a picture: please sign again."
    return None if raw.startswith(b"\x89PNG") else "The signature did not come through as a picture: please sign again."


def grid_ids(form_id: str, person_id: str, purpose: str) -> str:
    """The id of one consent made by the one-screen form: the same on a replay of that form."""
    return str(uuid.uuid5(uuid.UUID(form_id), f"{person_id}:{purpose}"))


def record_grid(
    *,
    session: Session,
    case: Case,
    by: Actor,
    form_id: str,
    people: list[Person],
    chosen: list[tuple[str, str]],
    how_given: str,
    given_on: date,
    agency: str = "",
    signature: str | None = None,
    given_at: datetime | None = None,
) -> list[Consent]:
    """Every (person, purpose) ticked on the one-screen form, each a consent of its own; what is
    already given and not withdrawn is left as it is. A replay of the same form adds nothing."""
    by_id = {p.id: p for p in people}
    current = {
        (c.person_id, c.purpose)
        for c in session.exec(select(Consent).where(Consent.case_id == case.id, Consent.withdrawn_on.is_(None))).all()
    }
    made = []
    for person_id, purpose in chosen:
        record_id = grid_ids(form_id, person_id, purpose)
        if (person_id, purpose) in current and existing_with_id(
            session=session, model=Consent, case=case, record_id=record_id
        ) is None:
            continue
        consent, created = record_consent(
            session=session,
            case=case,
            by=by,
            person=by_id[person_id],
            purpose=purpose,
            how_given=how_given,
            given_on=given_on,
            agency=agency if purpose == "sharing" else "",
            record_id=record_id,
            signature=signature,
            given_at=given_at,
        )
        if created:
            made.append(consent)
    return made


def made_at(raw: str | None, on: date | None) -> datetime | None:
    """When the device made a consent or a withdrawal (the form's data-stamp), never after now;
    None when the form carried no stamp, or one not on the day the form is dated (`on`): a stamp
    is when Save was pressed, so one from another day (typed up later, a clock running wrong)
    says nothing about the order of that day's consent and withdrawal. A stamp ahead of now is a
    clock running fast: no stamp either (moved back to now, it would come after any withdrawal)."""
    stamp = device_time(raw or "")
    if stamp is None or on is None or stamp > utcnow() + timedelta(minutes=1):
        return None
    stamp = min(stamp, utcnow())
    return stamp if local(stamp).date() == on else None


def withdrawn_since(
    *, session: Session, case: Case, chosen: list[tuple[str, str]], given_on: date, given_at: datetime | None = None
) -> list[tuple]:
    """(person id, purpose, day withdrawn) for each chosen pair withdrawn after `given_on`, or on
    that day unless the consent was made (`given_at`, the device's stamp) after the withdrawal was:
    a consent from before a withdrawal (an older page, an item that waited on a tablet) would bring
    back what the person took away, so it is refused. Agreeing again in the same visit is recorded
    (its stamp is after the withdrawal's), and the two read in that order; unstamped, it is refused."""
    rows = session.exec(
        select(Consent.person_id, Consent.purpose, func.max(Consent.withdrawn_on))
        .where(Consent.case_id == case.id, Consent.withdrawn_on.is_not(None))
        .group_by(Consent.person_id, Consent.purpose)
    ).all()
    wanted = set(chosen)
    found = [(p, u, d) for p, u, d in rows if (p, u) in wanted and given_on <= d]
    if given_at is None or not any(d == given_on for _, _, d in found):
        return found
    withdrawn_at = {
        (p, u): as_utc(at)
        for p, u, at in session.exec(
            select(CaseEvent.person_id, CaseEvent.reason, func.max(CaseEvent.occurred_at))
            .where(CaseEvent.case_id == case.id, CaseEvent.kind == "consent_withdrawn")
            .group_by(CaseEvent.person_id, CaseEvent.reason)
        ).all()
    }
    # The withdrawal's time orders the two only when it was recorded on the day it is dated.
    return [
        (p, u, d)
        for p, u, d in found
        if d > given_on
        or (p, u) not in withdrawn_at
        or local(withdrawn_at[(p, u)]).date() != d
        or given_at <= withdrawn_at[(p, u)]
    ]


def withdrawal_message(name: str, withdrawn_on: date) -> str:
    return (
        f"{name} withdrew this consent on {withdrawn_on.day} {withdrawn_on:%B %Y}: consent given before they"
        " withdrew cannot be recorded now. If they have agreed again since, record it with the day they did"
        " (the same day, if they changed their mind after withdrawing)."
    )


def record_consent(
    *,
    session: Session,
    case: Case,
    by: Actor,
    person: Person,
    purpose: str,
    how_given: str,
    given_on: date,
    agency: str = "",
    record_id: str | None = None,
    signature: str | None = None,
    given_at: datetime | None = None,
) -> tuple[Consent, bool]:
    """Record one person's consent to one purpose; returns (consent, created). Replays create nothing."""
    existing = existing_with_id(session=session, model=Consent, case=case, record_id=record_id)
    if existing is not None:
        return existing, False
    if person.case_id != case.id:
        raise Refused("That person is not part of this case.")
    if purpose not in PURPOSES:
        raise Refused("Choose what the consent is for.")
    if given_on > today():
        raise Refused("The date consent was given cannot be in the future.")
    if purpose == "sharing" and not agency.strip():
        raise Refused("Name the agencies this consent allows sharing with.")
    for _, _, withdrawn_on in withdrawn_since(
        session=session, case=case, chosen=[(person.id, purpose)], given_on=given_on, given_at=given_at
    ):
        raise Refused(withdrawal_message(person.name, withdrawn_on), field="given_on")
    current = current_consent(session=session, case=case, person_id=person.id, purpose=purpose)
    if current is not None:  # given already and not withdrawn: one current consent a purpose
        return current, False
    consent = Consent(
        case_id=case.id,
        person_id=person.id,
        purpose=purpose,
        agency=agency.strip(),
        how_given=how_given,
        given_on=given_on,
        recorded_by_id=by.id,
        signature=signature if how_given == "signed" else None,
    )
    if record_id:
        consent.id = record_id
    session.add(consent)
    session.flush()
    _event(
        session=session,
        case=case,
        by=by,
        kind="consent_given",
        rationale=purpose,
        occurred_at=given_at,
        person_id=person.id,
        reason=purpose,
    )
    audit.record(
        session=session,
        actor=by,
        action="create",
        object_type="consent",
        object_id=consent.id,
        case_id=case.id,
        detail=f"purpose {purpose} how {how_given}",
    )
    session.flush()
    return consent, True


def current_consent(*, session: Session, case: Case, person_id: str, purpose: str) -> Consent | None:
    """The person's consent to `purpose` given and not withdrawn (one at a time), if any."""
    return session.exec(
        select(Consent).where(
            Consent.case_id == case.id,
            Consent.person_id == person_id,
            Consent.purpose == purpose,
            Consent.withdrawn_on.is_(None),
        )
    ).first()


def withdraw_consent(
    *,
    session: Session,
    case: Case,
    by: Actor,
    consent: Consent,
    withdrawn_on: date,
    note: str = "",
    withdrawn_at: datetime | None = None,
) -> Consent:
    """Record that consent was withdrawn on `withdrawn_on` (the consent row keeps its history)."""
    if consent.case_id != case.id:
        raise Refused("That consent is not part of this case.")
    if consent.withdrawn_on is not None:
        if (consent.withdrawn_on, consent.withdrawn_note) == (withdrawn_on, note.strip()[:1000]):
            return consent  # the same withdrawal sent again
        # Refused, never dropped: a withdrawal made from a page kept before the consent was
        # withdrawn (and perhaps given again) must reach the worker, not be told it was recorded.
        message = f"This consent was already withdrawn on {consent.withdrawn_on:%-d %b %Y}."
        newer = current_consent(session=session, case=case, person_id=consent.person_id, purpose=consent.purpose)
        if newer is not None:
            message += f" Consent given again on {newer.given_on:%-d %b %Y} is current: withdraw that one instead."
        raise Refused(message, field="withdrawn_on")
    if withdrawn_on > today():
        raise Refused("The date consent was withdrawn cannot be in the future.")
    if withdrawn_on < consent.given_on:
        raise Refused("Consent cannot be withdrawn before it was given.")
    consent.withdrawn_on = withdrawn_on
    consent.withdrawn_note = note.strip()[:1000]
    consent.withdrawn_by_id = by.id
    consent.version += 1
    session.add(consent)
    _event(
        session=session,
        case=case,
        by=by,
        kind="consent_withdrawn",
        rationale=note.strip(),
        occurred_at=withdrawn_at,  # when the device made it (data-stamp): a same-day re-consent goes after it
        person_id=consent.person_id,
        reason=consent.purpose,
    )
    audit.record(
        session=session,
        actor=by,
        action="withdraw",
        object_type="consent",
        object_id=consent.id,
        case_id=case.id,
        detail=f"purpose {consent.purpose}",
    )
    session.flush()
    return consent


def work_consent_remaining(*, session: Session, case: Case) -> bool:
    """Whether anyone still consents to the work itself."""
    return (
        session.exec(
            select(Consent.id)
            .where(Consent.case_id == case.id, Consent.purpose == "work", Consent.withdrawn_on.is_(None))
            .limit(1)
        ).first()
        is not None
    )


@dataclass(frozen=True)
class ConsentCell:
    state: str  # given, withdrawn, none
    consent: Consent | None


def at_a_glance(
    *, session: Session, case: Case, people: list[Person]
) -> tuple[list[Consent], dict[str, dict[str, ConsentCell]]]:
    """Every consent row, and per person and purpose the current state (one query)."""
    rows = sorted(
        reads.rows(session=session, model=Consent, case_id=case.id), key=lambda c: (c.given_on, c.recorded_at)
    )
    grid: dict[str, dict[str, ConsentCell]] = {
        p.id: {purpose: ConsentCell("none", None) for purpose in PURPOSES} for p in people
    }
    for row in rows:
        cells = grid.setdefault(row.person_id, {purpose: ConsentCell("none", None) for purpose in PURPOSES})
        current = cells.get(row.purpose)
        # A current (unwithdrawn) consent wins over an older withdrawn one.
        if current is None or current.state != "given" or row.withdrawn_on is None:
            cells[row.purpose] = ConsentCell("withdrawn" if row.withdrawn_on else "given", row)
    return rows, grid
