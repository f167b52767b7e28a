"""What the forms for a case's records share (people, consent, contacts, where the young person
lives): the forms a worker fills in on a visit, offline or not.

Creation forms accept an optional hidden `id` (a UUID made by the client): the record is stored
under it, and a replay of the same id succeeds without storing anything twice. A person's edit
form carries `base_version`; a stale one answers 409 with the saved details (DESIGN.md "Offline").

Each kind of record has its routes: routes_people.py, routes_consent.py, routes_contacts.py and
routes_living.py.
"""

from __future__ import annotations

from datetime import date

from fastapi import HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.cases import people as people_service
from app.cases.service import Refused
from app.forms import Form
from app.templating import flash, redirect


def _already_stored(session: Session, model, case, record_id: str | None) -> bool:
    """Whether a client id was applied before (a replay); an id of another case's record is a 409."""
    try:
        return people_service.existing_with_id(session=session, model=model, case=case, record_id=record_id) is not None
    except Refused as refused:
        raise HTTPException(status_code=409, detail=refused.message) from None


def _replayed(request: Request, case_id: int) -> Response:
    flash(request, "This was already saved.")
    return redirect(request, f"/cases/{case_id}")


def _not_before_birth(form: Form, field: str, day: date | None, case) -> None:
    """A date in the young person's history cannot come before they were born (it feeds the outcome
    records' baseline, app/outcomes/service.py `from_case`)."""
    if day is not None and case.date_of_birth and day < case.date_of_birth:
        form.error(field, f"This is before the young person was born, on {case.date_of_birth:%-d %b %Y}.")
