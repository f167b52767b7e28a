"""Three houses with the young person: worries, good things and dreams, in their words or drawings.

This is the worker's screen (CurrentActor: refused in family mode, like every /cases/ route); the
young person's own screens are app/signs_of_safety/family_routes.py. One house at a time, plain
words; the drawing has a text path for people who would rather not draw.
"""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import select

from app.audit import service as audit
from app.cases.models import Case, new_id
from app.cases.people import valid_client_id
from app.db import SessionDep
from app.forms import Form, SentForm
from app.i18n import N_
from app.security.auth import CurrentActor
from app.security.permissions import get_case
from app.signs_of_safety import rules, service
from app.signs_of_safety.models import House, ThreeHousesEntry
from app.templating import flash, redirect, render
from app.timeutil import utcnow

router = APIRouter()

HOUSES = {
    House.worries: (N_("House of worries"), N_("What worries you, or what is not going so well?")),
    House.good_things: (N_("House of good things"), N_("What is good in your life, and who helps?")),
    House.dreams: (N_("House of dreams"), N_("If things were just as you want, what would change?")),
}
DATA_URL_PREFIX = "data:image/png;base64,"


def _context(session, case: Case, house: House, form: Form | None, entry_id: str | None = None) -> dict:
    entries = service.house_entries(session=session, case=case)
    young = next((p for p in service.people(session=session, case=case) if p.is_young_person), None)
    return {
        "case": case,
        "house": house,
        "houses": HOUSES,
        "title": HOUSES[house][0],
        "question": HOUSES[house][1],
        "entries": [e for e in entries if e.house == house],
        "drawn": service.has_drawing(session=session, case=case),
        "counts": {h: sum(1 for e in entries if e.house == h) for h in House},
        "young": young,
        "form": form,
        "entry_id": entry_id or new_id(),
        "base": f"/cases/{case.id}/signs-of-safety",
    }


def _house(value: str) -> House:
    try:
        return House(value)
    except ValueError:
        raise HTTPException(status_code=404) from None


@router.get("/cases/{case_id}/signs-of-safety/three-houses")
def three_houses(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, house: str = "worries"
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    return render(request, "signs_of_safety/three_houses.html", _context(session, case, _house(house), None))


@router.post("/cases/{case_id}/signs-of-safety/three-houses/entries")
def add_entry(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    house = _house(form.values.get("house", ""))
    entry_id = valid_client_id(form.values.get("id")) or new_id()
    text = form.text("text", max_length=2000)
    description = form.text("drawing_description", max_length=500)
    drawing = _png(form)
    if not text and drawing is None and "drawing" not in form.errors:
        form.error("text", "Write something, or make a drawing, before saving.")
    if drawing is not None and not description and not text:
        form.error("drawing_description", "Say in a few words what the drawing shows, so everyone can know it.")
    context = _context(session, case, house, form, entry_id)
    if not form.ok:
        return render(request, "signs_of_safety/three_houses.html", context, status_code=422)
    young = context["young"]
    entry, created = service.add_house_entry(
        session=session,
        case=case,
        entry_id=entry_id,
        house=house,
        text=text,
        own_words=form.boolean("own_words"),
        drawing_png=drawing,
        drawing_description=description,
        consent_to_share=form.boolean("consent_to_share"),
        person_id=young.id if young else None,
        by=actor.user,
        created_at=rules.recorded_at(form.values.get("recorded_at") or "", now=utcnow()),
    )
    if created:
        audit.record(
            session=session,
            actor=actor,
            action="create",
            object_type="sos_three_houses_entry",
            object_id=entry.id,
            case_id=case.id,
            detail=f"{house.value} entry{' with drawing' if drawing else ''}",
        )
        flash(request, f"Saved in the {HOUSES[house][0].lower()}.")
    return redirect(request, f"/cases/{case.id}/signs-of-safety/three-houses?house={house.value}")


def _png(form: Form) -> bytes | None:
    raw = form.values.get("drawing") or ""
    if not isinstance(raw, str) or not raw:
        return None
    if not raw.startswith(DATA_URL_PREFIX):
        form.error("drawing", "The drawing could not be read. Please try again.")
        return None
    try:
        data = base64.b64decode(raw[len(DATA_URL_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        form.error("drawing", "The drawing could not be read. Please try again.")
        return None
    if not data.startswith(service.PNG_SIGNATURE) or len(data) > service.MAX_DRAWING_BYTES:
        form.error("drawing", "The drawing is too large or not a picture. Please try a simpler one.")
        return None
    return data


@router.get("/cases/{case_id}/signs-of-safety/three-houses/{entry_id}/drawing.png")
def drawing(case_id: int, entry_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    data = session.exec(
        select(ThreeHousesEntry.drawing_png).where(ThreeHousesEntry.id == entry_id, ThreeHousesEntry.case_id == case.id)
    ).first()
    if not data:
        raise HTTPException(status_code=404)
    # Private: a child's drawing must not sit in a shared cache.
    return Response(content=data, media_type="image/png", headers={"Cache-Control": "private, no-store"})
