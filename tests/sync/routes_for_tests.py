"""A small person form used to test the offline mechanism without depending on other features.

It is written exactly as a feature's offline-capable route would be (docs/offline.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from app.audit import service as audit
from app.cases.models import Person, new_id
from app.db import SessionDep
from app.forms import Form, SentForm
from app.security.auth import CurrentActor
from app.security.permissions import get_case
from app.sync import service as sync
from app.sync.ledger import Idempotent
from app.templating import redirect, render
from app.timeutil import utcnow

router = APIRouter()
LABELS = {"name": "Name", "relationship": "Relationship", "phone": "Phone", "in_household": "Lives in the household"}


@router.post("/test/cases/{case_id}/people")
def add_person(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    name = form.text("name", required=True, label="Name")
    if not form.ok:
        return render(request, "errors/422.html", {"status_code": 422, "title": "Check", "form": form}, status_code=422)
    person = Person(id=form.text("id") or new_id(), case_id=case.id, name=name, relationship=form.text("relationship"))
    session.add(person)
    audit.record(
        session=session, actor=actor, action="create", object_type="person", object_id=person.id, case_id=case.id
    )
    return redirect(request, f"/cases/{case.id}")


@router.post("/test/cases/{case_id}/people/{person_id}")
def edit_person(
    request: Request,
    case_id: int,
    person_id: str,
    session: SessionDep,
    actor: CurrentActor,
    op: Idempotent,
    sent: SentForm,
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    person = session.get(Person, person_id)
    if person is None or person.case_id != case.id:
        raise HTTPException(status_code=404)
    edit = sync.merge_edit(
        sent=sent,
        current=person.model_dump(),
        current_version=person.version,
        fields=LABELS,
        parse=_fields,
    )
    if not edit.form.ok:
        return render(
            request, "errors/422.html", {"status_code": 422, "title": "Check", "form": edit.form}, status_code=422
        )
    if edit.changed:
        for key, value in asdict(edit.values).items():
            setattr(person, key, value)
        person.version += 1
        person.updated_at = utcnow()
        session.add(person)
        audit.record(
            session=session, actor=actor, action="update", object_type="person", object_id=person.id, case_id=case.id
        )
    if edit.conflicts:
        return sync.keep_conflict(
            request,
            session=session,
            actor=actor,
            op_id=op,
            case_id=case.id,
            record_type="person",
            record_id=person.id,
            record_label=person.name,
            base_version=edit.base_version,
            server_version=person.version,
            conflicts=edit.conflicts,
            labels=LABELS,
            yes_no=("in_household",),
        )
    return redirect(request, f"/cases/{case.id}")


@dataclass
class PersonFields:
    """What the form edits, typed: `merge_edit` gives back this type as `Edit.values`."""

    name: str
    relationship: str
    phone: str
    in_household: bool


def _fields(form: Form) -> PersonFields:
    return PersonFields(
        name=form.text("name", required=True, label="Name"),
        relationship=form.text("relationship"),
        phone=form.text("phone"),
        in_household=form.boolean("in_household"),
    )


@router.post("/test/cases/{case_id}/people-refused-late")
def add_person_refused_late(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    """Writes, then is refused by a later rule and rolls its work back, as several routes do."""
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    session.add(Person(id=form.text("id") or new_id(), case_id=case.id, name=form.text("name")))
    session.flush()
    if form.text("name") != "Allowed":
        session.rollback()
        form.error("name", "Refused after the record was written.")
        return render(request, "errors/422.html", {"status_code": 422, "title": "Check", "form": form}, status_code=422)
    return redirect(request, f"/cases/{case.id}")
