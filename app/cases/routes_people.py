"""The family's people: added, and edited offline or not, merged field by field with the person as
they are now (app/sync, docs/offline.md "Conflicts")."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.cases import people as people_service
from app.cases.models import Person
from app.cases.record_forms import _already_stored, _replayed
from app.cases.service import Refused
from app.db import SessionDep
from app.forms import Form, SentForm
from app.i18n import LANGUAGES
from app.security.auth import CurrentActor
from app.security.permissions import get_case
from app.sync import service as sync
from app.sync.ledger import Idempotent
from app.templating import flash, redirect, render

router = APIRouter()


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
