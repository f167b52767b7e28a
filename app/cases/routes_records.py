"""People, consent and contacts: the forms a worker fills in on a visit, offline or not.

Creation forms accept an optional hidden `id` (a UUID made by the client): the record is stored
under it, and a replay of the same id succeeds without storing anything twice. A person's edit
form carries `base_version`; a stale one answers 409 with the saved details (DESIGN.md "Offline").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, select

from app.cases import consent as consent_service
from app.cases import contacts as contact_service
from app.cases import extensions, service
from app.cases import living as living_service
from app.cases import people as people_service
from app.cases import visit as visit_flow
from app.cases.models import (
    CONSENT_HOW,
    CONSENT_PURPOSES,
    CONTACT_KINDS,
    CONTACT_PLACES,
    Consent,
    Contact,
    MissingEpisode,
    Person,
    new_id,
)
from app.cases.service import Refused
from app.core.codes import EDUCATION, LIVING
from app.db import SessionDep
from app.forms import Form, SentForm
from app.i18n import LANGUAGES
from app.security.auth import CurrentActor
from app.security.permissions import get_case
from app.sync import service as sync
from app.sync.ledger import Idempotent
from app.templating import flash, redirect, render
from app.timeutil import local, today, utcnow

router = APIRouter()


def _already_stored(session: Session, model, case, record_id: str | None) -> bool:
    """Whether a client id was applied before (a replay); an id of another case's record is a 409."""
    try:
        return people_service.existing_with_id(session=session, model=model, case=case, record_id=record_id) is not None
    except Refused as refused:
        raise HTTPException(status_code=409, detail=refused.message) from None


def _replayed(request: Request, case_id: int) -> Response:
    flash(request, "This was already saved.")
    return redirect(request, f"/cases/{case_id}")


# ---------------------------------------------------------------- people


PERSON_LABELS = {
    "name": "Name",
    "given_name": "Given name",
    "preferred_name": "Goes by",
    "relationship": "Relationship to the young person",
    "in_household": "Lives in the household",
    "knows_the_worries": "Knows the worries",
    "preferred_language": "Language for the family screens",
    "phone": "Phone",
    "email": "Email",
    "address": "Address",
    "date_of_birth": "Date of birth",
    "notes": "Notes",
}


def _email(form: Form) -> str:
    email = form.text("email", max_length=254).strip()
    if email and not people_service.looks_like_email(email):
        form.error("email", "This does not look like an email address: it should be like name@example.org.")
    return email


@dataclass
class PersonFields:
    """A person's details, as their form sends them."""

    name: str
    given_name: str
    preferred_name: str
    relationship: str
    in_household: bool
    knows_the_worries: bool
    preferred_language: str
    phone: str
    email: str
    address: str
    date_of_birth: date | None
    notes: str


def _person_fields(form: Form, *, young_person: bool = False) -> PersonFields:
    return PersonFields(
        name=form.text("name", required=True, max_length=120, label="A name"),
        given_name=form.text("given_name", max_length=80),
        preferred_name=form.text("preferred_name", max_length=80),
        relationship="Young person"
        if young_person
        else form.text("relationship", required=True, max_length=60, label="The relationship to the young person"),
        in_household=form.boolean("in_household"),
        knows_the_worries=form.boolean("knows_the_worries"),
        preferred_language=form.choice("preferred_language", LANGUAGES, default="en") or "en",
        phone=form.text("phone", max_length=40),
        email=_email(form),
        address=form.text("address", max_length=300),
        date_of_birth=form.date("date_of_birth", not_future=True, label="The date of birth"),
        notes=form.text("notes", max_length=2000),
    )


@router.get("/cases/{case_id}/people/new")
def new_person(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    return render(request, "cases/person.html", {"case": case, "person": None, "form": None, "new_id": ""})


@router.post("/cases/{case_id}/people")
def add_person(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    record_id = people_service.valid_client_id(form.values.get("id"))
    if _already_stored(session, Person, case, record_id):
        return _replayed(request, case.id)
    fields = _person_fields(form)
    if form.ok and people_service.duplicate_of(session=session, case=case, name=fields.name):
        form.error("name", f"{' '.join(fields.name.split())} is already one of this family's people.")
    if not form.ok:
        return render(
            request,
            "cases/person.html",
            {"case": case, "person": None, "form": form, "new_id": record_id or ""},
            status_code=422,
        )
    try:
        person, _ = people_service.add_person(
            session=session, case=case, by=actor, record_id=record_id, **asdict(fields)
        )
    except Refused as refused:
        session.rollback()
        form.error("name", refused.message)
        return render(
            request,
            "cases/person.html",
            {"case": case, "person": None, "form": form, "new_id": record_id or ""},
            status_code=422,
        )
    flash(request, f"{person.name} added.")
    return redirect(request, f"/cases/{case.id}#people")


def _person_of(session: Session, case, person_id: str) -> Person:
    person = session.get(Person, person_id)
    if person is None or person.case_id != case.id:
        raise HTTPException(status_code=404)
    return person


@router.get("/cases/{case_id}/people/{person_id}/edit")
def edit_person(request: Request, case_id: int, person_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    person = _person_of(session, case, person_id)
    return render(request, "cases/person.html", {"case": case, "person": person, "form": None})


@router.post("/cases/{case_id}/people/{person_id}")
def update_person(
    request: Request,
    case_id: int,
    person_id: str,
    session: SessionDep,
    actor: CurrentActor,
    op: Idempotent,
    sent: SentForm,
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    person = _person_of(session, case, person_id)
    # Merged field by field with the person as they are now (app/sync, docs/offline.md "Conflicts").
    labels = {k: v for k, v in PERSON_LABELS.items() if not (person.is_young_person and k == "relationship")}
    current = person.model_dump()
    if person.is_young_person:  # the name they go by is the case's (Case.display_name)
        current["preferred_name"] = case.preferred_name
    edit = sync.merge_edit(
        sent=sent,
        current=current,
        current_version=person.version,
        fields=labels,
        parse=lambda form: _person_fields(form, young_person=person.is_young_person),
    )
    form, fields = edit.form, edit.values
    if person.is_young_person:
        fields = replace(fields, relationship=person.relationship)
    if form.ok and people_service.duplicate_of(session=session, case=case, name=fields.name, excluding=person.id):
        form.error("name", f"{' '.join(fields.name.split())} is already one of this family's people.")
    if person.is_young_person and form.ok:
        _born_before_the_record(session, form, case, fields.date_of_birth)
    if not form.ok:
        return render(request, "cases/person.html", {"case": case, "person": person, "form": form}, status_code=422)
    if edit.changed:
        people_service.update_person(
            session=session, case=case, person=person, by=actor, base_version=person.version, changes=asdict(fields)
        )
    if edit.conflicts:
        # Only the fields changed on both sides wait for the worker; the rest are saved above.
        return sync.keep_conflict(
            request,
            session=session,
            actor=actor,
            op_id=op,
            case_id=case.id,
            record_type="person",
            record_id=person.id,
            record_label=person.name,
            base_version=edit.base_version or person.version,
            server_version=person.version,
            conflicts=edit.conflicts,
            labels=labels,
            yes_no=("in_household", "knows_the_worries"),
            options={"preferred_language": {code: lang.english for code, lang in LANGUAGES.items()}},
            dates=("date_of_birth",),
        )
    flash(request, f"{person.name}'s details saved.")
    return redirect(request, f"/cases/{case.id}#people")


# ---------------------------------------------------------------- consent


def _consent_ctx(case, people, form, record_id=None, person_id=None) -> dict:
    return {
        "case": case,
        "form": form,
        "people": [(p.id, f"{p.name} ({p.relationship})" if p.relationship else p.name) for p in people],
        "purposes": CONSENT_PURPOSES,
        "how": CONSENT_HOW,
        "today": today(),
        "new_id": record_id or "",
        "person_id": person_id,
    }


@router.get("/cases/{case_id}/consent/new")
def new_consent(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    """The one-person form became the grid's first row: everyone's consent is one screen (issue 18).
    The old address (bookmarks, pages kept on devices) goes there; POST /consent still accepts items
    made from the old form and waiting in a device's outbox."""
    case = get_case(session=session, actor=actor, case_id=case_id, write=True, audit_read=False)
    return RedirectResponse(f"/cases/{case.id}/consent/all", status_code=303)


def _grid_ctx(session: Session, case, people, form, form_id: str) -> dict:
    given = {
        (c.person_id, c.purpose)
        for c in session.exec(select(Consent).where(Consent.case_id == case.id, Consent.withdrawn_on.is_(None))).all()
    }
    return {
        "case": case,
        "form": form,
        "people": people,
        "purposes": CONSENT_PURPOSES,
        "how": CONSENT_HOW,
        "given": given,
        "today": today(),
        "form_id": form_id,
        "ticked": {k for k, v in (form.values.items() if form else []) if k.startswith("give-") and v},
    }


@router.get("/cases/{case_id}/consent/all")
def consent_grid(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    """Consent on one screen: every person against every purpose, one save (issue 18)."""
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    people = service.people_of(session=session, case=case)
    return render(request, "cases/consent_grid.html", _grid_ctx(session, case, people, None, new_id()))


@router.post("/cases/{case_id}/consent/all")
def record_consent_grid(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    form_id = people_service.valid_client_id(form.values.get("id")) or new_id()
    people = service.people_of(session=session, case=case)
    chosen = [(p.id, code) for p in people for code, _ in CONSENT_PURPOSES if form.boolean(f"give-{p.id}-{code}")]
    if not chosen:
        form.error("grid", "Tick at least one box: who agreed to what.")
    how = form.choice("how_given", [c for c, _ in CONSENT_HOW])
    given_on = form.date(
        "given_on", required=True, not_future=True, default=today(), label="The date consent was given"
    )
    _not_before_birth(form, "given_on", given_on, case)
    agency = form.text("agency", max_length=200)
    if any(code == "sharing" for _, code in chosen) and not agency:
        form.error("agency", "Name the agencies this consent allows sharing with.")
    signature = form.text("signature", max_length=consent_service.SIGNATURE_MAX) if how == "signed" else ""
    if how == "signed" and signature:
        refusal = consent_service.signature_refusal(signature)
        if refusal:
            form.error("signature", refusal)
    given_at = consent_service.made_at(form.values.get("recorded_at"), given_on)  # data-stamp (app.js)
    if given_on is not None:
        names = {p.id: p.name for p in people}
        for person_id, _, withdrawn_on in consent_service.withdrawn_since(
            session=session, case=case, chosen=chosen, given_on=given_on, given_at=given_at
        ):
            form.error("given_on", consent_service.withdrawal_message(names[person_id], withdrawn_on))
    if not form.ok:
        return render(
            request, "cases/consent_grid.html", _grid_ctx(session, case, people, form, form_id), status_code=422
        )
    made = consent_service.record_grid(
        session=session,
        case=case,
        by=actor,
        form_id=form_id,
        people=people,
        chosen=chosen,
        how_given=how,
        given_on=given_on,
        agency=agency,
        signature=signature or None,
        given_at=given_at,
    )
    flash(request, f"Consent recorded: {len(made)} new." if made else "That consent was already recorded.")
    return redirect(request, f"/cases/{case.id}#consent")


@router.post("/cases/{case_id}/consent")
def record_consent(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    record_id = people_service.valid_client_id(form.values.get("id"))
    if _already_stored(session, Consent, case, record_id):
        return _replayed(request, case.id)
    people = service.people_of(session=session, case=case)
    person_id = form.choice("person_id", [p.id for p in people])
    purpose = form.choice("purpose", [c for c, _ in CONSENT_PURPOSES])
    how = form.choice("how_given", [c for c, _ in CONSENT_HOW])
    given_on = form.date(
        "given_on", required=True, not_future=True, default=today(), label="The date consent was given"
    )
    _not_before_birth(form, "given_on", given_on, case)
    agency = form.text("agency", max_length=200)
    if purpose == "sharing" and not agency:
        form.error("agency", "Name the agencies this consent allows sharing with.")
    if not form.ok:
        return render(request, "cases/consent.html", _consent_ctx(case, people, form, record_id), status_code=422)
    person = next(p for p in people if p.id == person_id)
    try:
        _, created = consent_service.record_consent(
            session=session,
            case=case,
            by=actor,
            person=person,
            purpose=purpose,
            how_given=how,
            given_on=given_on,
            agency=agency,
            record_id=record_id,
            given_at=consent_service.made_at(form.values.get("recorded_at"), given_on),
        )
    except Refused as refused:
        session.rollback()
        form.error(refused.field or "purpose", refused.message)
        return render(request, "cases/consent.html", _consent_ctx(case, people, form, record_id), status_code=422)
    flash(request, f"Consent recorded for {person.name}." if created else "That consent was already recorded.")
    return redirect(request, f"/cases/{case.id}#consent")


def _consent_of(session: Session, case, consent_id: str) -> Consent:
    consent = session.get(Consent, consent_id)
    if consent is None or consent.case_id != case.id:
        raise HTTPException(status_code=404)
    return consent


@router.get("/cases/{case_id}/consent/{consent_id}/withdraw")
def withdraw_form(
    request: Request, case_id: int, consent_id: str, session: SessionDep, actor: CurrentActor
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    consent = _consent_of(session, case, consent_id)
    person = session.get(Person, consent.person_id)
    return render(
        request,
        "cases/withdraw.html",
        {
            "case": case,
            "consent": consent,
            "person": person,
            "form": None,
            "today": today(),
            "purposes": dict(CONSENT_PURPOSES),
            "current": consent_service.current_consent(
                session=session, case=case, person_id=consent.person_id, purpose=consent.purpose
            ),
        },
    )


@router.post("/cases/{case_id}/consent/{consent_id}/withdraw")
def withdraw(
    request: Request,
    case_id: int,
    consent_id: str,
    session: SessionDep,
    actor: CurrentActor,
    op: Idempotent,
    sent: SentForm,
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    consent = _consent_of(session, case, consent_id)
    person = session.get(Person, consent.person_id)
    form = Form(sent)
    withdrawn_on = form.date(
        "withdrawn_on", required=True, not_future=True, default=today(), label="The date consent was withdrawn"
    )
    note = form.text("note", max_length=1000)
    if withdrawn_on and withdrawn_on < consent.given_on and consent.withdrawn_on is None:
        form.error("withdrawn_on", "Consent cannot be withdrawn before it was given.")
    if form.ok:
        try:
            consent_service.withdraw_consent(
                session=session,
                case=case,
                by=actor,
                consent=consent,
                withdrawn_on=withdrawn_on,
                note=note,
                withdrawn_at=consent_service.made_at(form.values.get("recorded_at"), withdrawn_on),
            )
        except Refused as refused:
            session.rollback()
            form.error(refused.field or "withdrawn_on", refused.message)
    if not form.ok:
        ctx = {
            "case": case,
            "consent": consent,
            "person": person,
            "form": form,
            "today": today(),
            "purposes": dict(CONSENT_PURPOSES),
            "current": consent_service.current_consent(
                session=session, case=case, person_id=consent.person_id, purpose=consent.purpose
            ),
        }
        return render(request, "cases/withdraw.html", ctx, status_code=422)
    if (
        consent.purpose == "work"
        and case.status != "closed"
        and not consent_service.work_consent_remaining(session=session, case=case)
    ):
        # Issue 3: withdrawing consent to the work itself prompts ending the case.
        flash(
            request,
            'Consent to the work has been withdrawn. The case should now be closed with the reason "consent withdrawn".',
            "warning",
        )
        return redirect(request, f"/cases/{case.id}/status?to=closed&reason=consent_withdrawn")
    flash(request, "Withdrawal of consent recorded.")
    return redirect(request, f"/cases/{case.id}#consent")


# ---------------------------------------------------------------- contacts


def _contact_ctx(case, people, form, record_id=None, *, visit: bool = False, last=None) -> dict:
    now = local(utcnow())
    return {
        "case": case,
        "form": form,
        "people": people,
        "kinds": CONTACT_KINDS,
        "places": CONTACT_PLACES,
        "today": today(),
        "now": now.strftime("%H:%M"),
        "new_id": record_id or "",
        "visit": visit,
        "visit_steps": visit_flow.steps(case.id),
        # "Young person seen", "seen alone" and who was there, as the last attended visit had them.
        "last": last,
        "present_default": [],
    }


@router.get("/cases/{case_id}/contacts/new")
def new_contact(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    return render(
        request, "cases/contact.html", _contact_ctx(case, service.people_of(session=session, case=case), None)
    )


@router.get("/cases/{case_id}/visit")
def record_visit(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    """Record a visit, step 1: the contact form filled in as a home visit today, now, for an hour,
    with the young person seen (alone) and the people present as at the last visit."""
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    people = service.people_of(session=session, case=case)
    last = contact_service.last_visit(session=session, case=case)
    ctx = _contact_ctx(case, people, None, visit=True, last=last)
    # Who was there: as at the last visit; at a first visit, the young person.
    ctx["present_default"] = last.present if last else [p.id for p in people if p.is_young_person]
    return render(request, "cases/contact.html", ctx)


@router.get("/cases/{case_id}/visit/done")
def visit_done(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    """The end of the visit flow: what was recorded today, from every feature's timeline."""
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    items = [i for i in extensions.timeline_items(session=session, case=case) if local(i.at).date() == today()]
    ctx = {"case": case, "items": items, "visit_steps": visit_flow.steps(case.id)}
    return render(request, "cases/visit_done.html", ctx)


@router.post("/cases/{case_id}/contacts")
def record_contact(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent, repeated=("present",))
    record_id = people_service.valid_client_id(form.values.get("id"))
    if _already_stored(session, Contact, case, record_id):
        return _replayed(request, case.id)
    people = service.people_of(session=session, case=case)
    kind = form.choice("kind", [c for c, _ in CONTACT_KINDS], default="visit")
    occurred_on = form.date(
        "occurred_on", required=True, not_future=True, default=today(), label="The date of the contact"
    )
    start_time = form.time("start_time")
    duration = form.integer("duration_minutes", minimum=0, maximum=24 * 60, default=60)
    place = form.choice("place", [c for c, _ in CONTACT_PLACES], default="home")
    present = form.multi("present", [p.id for p in people])
    outcome = form.choice("outcome", ["attended", "missed"], default="attended")
    young_person_seen = form.boolean("young_person_seen")
    seen_alone = form.boolean("seen_alone")
    direct = form.integer("direct_minutes", minimum=0, maximum=24 * 60)
    admin = form.integer("admin_minutes", minimum=0, maximum=24 * 60, default=0)
    note = form.text("note", max_length=2000)
    professionals = form.text("professionals", max_length=500)
    if occurred_on and case.referral_date and occurred_on < case.referral_date:
        form.error("occurred_on", f"This is before the referral on {case.referral_date.strftime('%-d %b %Y')}.")
    elif occurred_on == case.referral_date and start_time and case.referral_time and start_time < case.referral_time:
        # Counted as the first contact, it would be "within the target" at 0 hours.
        form.error("start_time", f"This is before the referral came in, at {case.referral_time.strftime('%H:%M')}.")
    if seen_alone and not young_person_seen and outcome == "attended":
        form.error("seen_alone", "The young person can only be seen alone if they were seen.")
    if (
        occurred_on == today()
        and start_time
        and datetime.combine(occurred_on, start_time) > local(utcnow()).replace(tzinfo=None)
    ):
        form.error("start_time", "This time has not happened yet today.")
    if outcome == "attended" and direct is not None and duration is not None and direct > duration + (admin or 0):
        form.error("direct_minutes", "Direct time cannot be longer than the contact itself.")
    visit = form.values.get("then") == "visit"
    if not form.ok:
        ctx = _contact_ctx(case, people, form, record_id, visit=visit)
        return render(request, "cases/contact.html", ctx, status_code=422)
    try:
        contact, _ = contact_service.record_contact(
            session=session,
            case=case,
            by=actor,
            kind=kind,
            occurred_on=occurred_on,
            start_time=start_time,
            duration_minutes=duration or 0,
            place=place,
            present=present,
            young_person_seen=young_person_seen,
            seen_alone=seen_alone,
            attended=outcome == "attended",
            direct_minutes=direct,
            admin_minutes=admin or 0,
            note=note,
            record_id=record_id,
            professionals=professionals,
            people_ids={p.id for p in people},
            replay_checked=True,  # _already_stored above
        )
    except Refused as refused:
        session.rollback()
        form.error(refused.field or "kind", refused.message)
        ctx = _contact_ctx(case, people, form, record_id, visit=visit)
        return render(request, "cases/contact.html", ctx, status_code=422)
    flash(request, f"{contact_service.title(contact)} recorded.")
    if visit:
        return redirect(request, visit_flow.after(case.id, "contact"))
    return redirect(request, f"/cases/{case.id}#timeline")


# ---------------------------------------------------------------- where the young person lives


def _living_ctx(session: Session, case, form, record_id: str, which: str = "living") -> dict:
    """The circumstances page: where they live, education, missing episodes; `which` is the form
    that was sent (its errors and values are shown, the other forms start fresh)."""
    missing = living_service.missing_episodes(session=session, case=case)
    return {
        "case": case,
        "form": form if which == "living" else None,
        "education_form": form if which == "education" else None,
        "missing_form": form if which == "missing" else None,
        "return_form": form if which == "return" else None,
        "history": living_service.history(session=session, case=case),
        "education_history": living_service.education_history(session=session, case=case),
        "missing": missing,
        "still_missing": [
            (m.id, f"Missing from {m.went_missing_on:%-d %b %Y}") for m in missing if m.returned_on is None
        ],
        "codes": LIVING,
        "labels": dict(LIVING),
        "education_codes": EDUCATION,
        "education_labels": dict(EDUCATION),
        "today": today(),
        "new_id": record_id if which == "living" else new_id(),
        "education_id": record_id if which == "education" else new_id(),
        "missing_id": record_id if which == "missing" else new_id(),
    }


def _born_before_the_record(session: Session, form: Form, case, born_on: date | None) -> None:
    """The young person's date of birth, changed, still comes before everything recorded of them: the
    referral (as the referral form checks) and the earliest contact, consent, living or education
    record (each refused before birth when written, `_not_before_birth`). One statement."""
    if born_on is None or born_on == case.date_of_birth:
        return
    if case.referral_date and born_on > case.referral_date:
        form.error("date_of_birth", f"This is after the referral date, {case.referral_date:%-d %b %Y}.")
        return
    earliest = people_service.earliest_record_on(session=session, case=case)
    if earliest is not None and born_on > earliest:
        form.error("date_of_birth", f"This is after the earliest record of the young person, on {earliest:%-d %b %Y}.")


def _not_before_birth(form: Form, field: str, day: date | None, case) -> None:
    """A date in the young person's history cannot come before they were born (it feeds the outcome
    records' baseline, app/outcomes/service.py `from_case`)."""
    if day is not None and case.date_of_birth and day < case.date_of_birth:
        form.error(field, f"This is before the young person was born, on {case.date_of_birth:%-d %b %Y}.")


@router.get("/cases/{case_id}/living")
def living_page(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    return render(request, "cases/living.html", _living_ctx(session, case, None, new_id()))


@router.post("/cases/{case_id}/living")
def record_living(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    record_id = people_service.valid_client_id(form.values.get("id")) or new_id()
    living = form.choice("living", [c for c, _ in LIVING])
    with_whom = form.text("with_whom", max_length=200)
    since = form.date("since", required=True, not_future=True, label="The date it started")
    _not_before_birth(form, "since", since, case)
    if not form.ok:
        return render(request, "cases/living.html", _living_ctx(session, case, form, record_id), status_code=422)
    living_service.record(
        session=session, case=case, by=actor, living=living, with_whom=with_whom, since=since, record_id=record_id
    )
    flash(request, "Where the young person lives is recorded.")
    return redirect(request, f"/cases/{case.id}/living")


@router.post("/cases/{case_id}/education")
def record_education(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    record_id = people_service.valid_client_id(form.values.get("id")) or new_id()
    education = form.choice("education", [c for c, _ in EDUCATION])
    attendance = form.integer("attendance_percent", minimum=0, maximum=100)
    since = form.date("education_since", required=True, not_future=True, label="The date it started")
    _not_before_birth(form, "education_since", since, case)
    if not form.ok:
        ctx = _living_ctx(session, case, form, record_id, "education")
        return render(request, "cases/living.html", ctx, status_code=422)
    living_service.record_education(
        session=session,
        case=case,
        by=actor,
        education=education,
        attendance_percent=attendance,
        since=since,
        record_id=record_id,
    )
    flash(request, "Education, training or employment is recorded.")
    return redirect(request, f"/cases/{case.id}/living")


@router.post("/cases/{case_id}/missing")
def record_missing(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    record_id = people_service.valid_client_id(form.values.get("id")) or new_id()
    went = form.date("went_missing_on", required=True, not_future=True, label="The day they went missing")
    back = form.date("returned_on", not_future=True, label="The day they came back")
    _not_before_birth(form, "went_missing_on", went, case)
    if went and back and back < went:
        form.error("returned_on", "The day they came back is before the day they went missing.")
    if not form.ok:
        ctx = _living_ctx(session, case, form, record_id, "missing")
        return render(request, "cases/living.html", ctx, status_code=422)
    living_service.record_missing(
        session=session, case=case, by=actor, went_missing_on=went, returned_on=back, record_id=record_id
    )
    flash(request, "The missing episode is recorded.")
    return redirect(request, f"/cases/{case.id}/living")


@router.post("/cases/{case_id}/missing/returned")
def record_return(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    """The day the young person came back, for an episode still open. The form names the episode,
    so a kept page sent later ends that one episode instead of adding a second."""
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    episode = session.get(MissingEpisode, form.values.get("episode_id") or "")
    if episode is None or episode.case_id != case.id:
        raise HTTPException(status_code=404)
    back = form.date("came_back_on", required=True, not_future=True, label="The day they came back")
    if form.ok:
        try:
            living_service.record_return(
                session=session, case=case, by=actor, episode=episode, returned_on=back, field="came_back_on"
            )
        except Refused as refused:
            session.rollback()
            form.error(refused.field or "came_back_on", refused.message)
    if not form.ok:
        return render(
            request, "cases/living.html", _living_ctx(session, case, form, new_id(), "return"), status_code=422
        )
    flash(request, "Their return is recorded.")
    return redirect(request, f"/cases/{case.id}/living")
