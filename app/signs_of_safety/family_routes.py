"""The Signs of Safety screens for the family: three houses (one house per screen, in words or a
drawing) and the safety scale, each in the name of the person the address names.

Like the Diamond's family screens (app.family.screens.family_access), the address names the case
and who is giving the answer (/family/<case>/<person>/...), so the page is the same for a session
in family mode (that case only) and for the case's own worker (write access): "Take offline"
keeps them on the tablet before any hand-over (app/signs_of_safety/offline.py), and answers saved
without a signal are replayed after the hand-back, as the worker's user, in the person's name and
once (the record's id is the form's client id; the sync ledger answers a replay with the first
answer). Entries and ratings are append-only; the audit trail says they were given here.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from app import i18n
from app.audit import service as audit
from app.cases.models import Case, Person, new_id
from app.db import SessionDep
from app.family import service as family_service
from app.family.screens import ALL_OF_THEM, family_access, family_context, private_words_since
from app.forms import Form, SentForm
from app.i18n import N_
from app.security.auth import FamilyActor
from app.signs_of_safety import rules, service
from app.signs_of_safety.models import House
from app.signs_of_safety.scale_routes import _rate_context, save_ratings
from app.signs_of_safety.three_houses_routes import HOUSES, _png
from app.sync.ledger import Idempotent
from app.templating import flash, redirect, render
from app.timeutil import as_utc, utcnow

# A page the device must never keep, whoever opens it later (sw.js reads it).
NEVER_KEEP_HEADER = "X-Device-Keep"

router = APIRouter()

ORDER = list(House)
# Plainer words than the worker's screen: the young person reads these alone.
QUESTIONS = {
    House.worries: N_("What worries you? What is not going so well?"),
    House.good_things: N_("What is good in your life? Who helps you?"),
    House.dreams: N_("If things were just as you want, what would change?"),
}


def house_url(case_id: int, person_id: str, house: House) -> str:
    return f"/family/{case_id}/{person_id}/three-houses/{house.value}"


def scale_url(case_id: int, person_id: str) -> str:
    return f"/family/{case_id}/{person_id}/safety-scale"


def _young(request, session, actor, case_id: int, person_id: str) -> tuple[Case, Person]:
    """Three houses is the young person's: any other person of the case gets a 404."""
    case, person = family_access(session=session, actor=actor, case_id=case_id, person_id=person_id, request=request)
    if person is None or not person.is_young_person:
        raise HTTPException(status_code=404)
    return case, person


def _house(value: str) -> House:
    try:
        return House(value)
    except ValueError:
        raise HTTPException(status_code=404) from None


def _client_id(form: Form) -> str:
    """The record's id, made on the device (so a replay is recognised); a new one if absent."""
    raw = form.values.get("id") or ""
    if not raw:
        return new_id()
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        form.error("id", i18n.gettext("This form is out of date. Please go back to the start and try again."))
        return new_id()


def _house_page(
    request, session, actor, case: Case, person: Person, house: House, form: Form, status_code: int = 200
) -> Response:
    index = ORDER.index(house)
    home = f"/family/{case.id}/{person.id}"
    # Words they did not agree to share show only on their own turn in family mode (a turn taken
    # by "Someone else's turn": only those written since), never in the copy "Take offline" keeps
    # on the tablet (rendered for the worker), which anyone could open. Only their own words: a
    # note the worker wrote in the house (not ticked as the young person's own words) is the
    # worker's, and was shown here in quotation marks as hers until December 2026.
    since = private_words_since(session=session, actor=actor, case=case, person=person)
    mine = [
        e
        for e in service.house_entries(session=session, case=case)
        if e.house == house
        and e.person_id == person.id
        and e.own_words
        and (e.consent_to_share or (since is not None and as_utc(e.created_at) >= as_utc(since)))
    ]
    ctx = family_context(
        session=session,
        actor=actor,
        case=case,
        rater=person,
        form=form,
        house=house,
        title=HOUSES[house][0],
        question=QUESTIONS[house],
        number=index + 1,
        total=len(ORDER),
        entries=mine,
        # A turn someone picked: say why nothing they kept private before is here, whether or not
        # there is any (so the words say nothing of what they wrote to whoever picked the name).
        picked_turn=since is not None and since != ALL_OF_THEM,
        entry_id=form.values.get("id") if not form.ok and "id" not in form.errors else new_id(),
        action=house_url(case.id, person.id, house),
        next_url=house_url(case.id, person.id, ORDER[index + 1]) if index + 1 < len(ORDER) else home,
    )
    response = render(request, "signs_of_safety/family_house.html", ctx, status_code=status_code)
    if any(not e.consent_to_share for e in mine):
        # Private words on the screen: no cache keeps this page, and the service worker must not
        # refresh the copy kept on the device with it (every page is no-store for the browser's
        # HTTP cache, so sw.js looks for this header instead).
        response.headers["Cache-Control"] = "private, no-store"
        response.headers[NEVER_KEEP_HEADER] = "never"
    return response


@router.get("/family/{case_id:int}/{person_id}/three-houses/{house}")
def family_house_page(
    request: Request, case_id: int, person_id: str, house: str, session: SessionDep, actor: FamilyActor
) -> Response:
    case, person = _young(request, session, actor, case_id, person_id)
    return _house_page(request, session, actor, case, person, _house(house), Form())


@router.post("/family/{case_id:int}/{person_id}/three-houses/{house}")
def family_house(
    request: Request,
    case_id: int,
    person_id: str,
    house: str,
    session: SessionDep,
    actor: FamilyActor,
    op: Idempotent,
    sent: SentForm,
) -> Response:
    case, person = _young(request, session, actor, case_id, person_id)
    the_house = _house(house)
    form = Form(sent)
    entry_id = _client_id(form)
    text = form.text("text", max_length=2000)
    description = form.text("drawing_description", max_length=500)
    drawing = _png(form)
    if not text and drawing is None and "drawing" not in form.errors:
        form.error("text", i18n.gettext("Write something, or make a drawing, before you save."))
    if drawing is not None and not description and not text:
        form.error("drawing_description", i18n.gettext("Say in a few words what your drawing shows."))
    if not form.ok:
        return _house_page(request, session, actor, case, person, the_house, form, status_code=422)
    entry, created = service.add_house_entry(
        session=session,
        case=case,
        entry_id=entry_id,
        house=the_house,
        text=text,
        # Typed or drawn by the young person on their own screen: their own words, in their name.
        own_words=True,
        drawing_png=drawing,
        drawing_description=description,
        consent_to_share=form.boolean("consent_to_share"),
        person_id=person.id,
        by=actor.user,
        created_at=rules.recorded_at(form.values.get("recorded_at") or "", now=utcnow()),
    )
    if created:
        detail = f"{the_house.value} entry{' with drawing' if drawing else ''}, given on the family screens"
        audit.record(
            session=session,
            actor=actor,
            action="create",
            object_type="sos_three_houses_entry",
            object_id=entry.id,
            case_id=case.id,
            detail=detail,
        )
        house_name = i18n.gettext(HOUSES[the_house][0]).lower()
        flash(request, i18n.gettext("Saved in the {house}.").format(house=house_name))
    index = ORDER.index(the_house)
    after = (
        house_url(case.id, person.id, ORDER[index + 1]) if index + 1 < len(ORDER) else f"/family/{case.id}/{person.id}"
    )
    return redirect(request, after)


def _scale_page(
    request,
    session,
    actor,
    case: Case,
    person: Person,
    form: Form,
    rating_id: str | None = None,
    status_code: int = 200,
) -> Response:
    rate = _rate_context(session, case, f"person:{person.id}", form, rating_id, actor_user=actor.user, person=person)
    ctx = family_context(
        session=session,
        actor=actor,
        case=case,
        rater=person,
        action=scale_url(case.id, person.id),
        next_url=f"/family/{case.id}/{person.id}",
        rater_key=rate["rater"].key,
        **{k: v for k, v in rate.items() if k not in ("case", "rater")},
    )
    return render(request, "signs_of_safety/family_scale.html", ctx, status_code=status_code)


@router.get("/family/{case_id:int}/{person_id}/safety-scale")
def family_scale_page(
    request: Request, case_id: int, person_id: str, session: SessionDep, actor: FamilyActor
) -> Response:
    case, person = family_access(session=session, actor=actor, case_id=case_id, person_id=person_id, request=request)
    return _scale_page(request, session, actor, case, person, Form())  # type: ignore[arg-type]


@router.post("/family/{case_id:int}/{person_id}/safety-scale")
def family_scale(
    request: Request,
    case_id: int,
    person_id: str,
    session: SessionDep,
    actor: FamilyActor,
    op: Idempotent,
    sent: SentForm,
) -> Response:
    case, person = family_access(session=session, actor=actor, case_id=case_id, person_id=person_id, request=request)
    form = Form(sent)
    # The family sees no date: in family mode their rating takes the day the worker gave at the
    # hand-over (today if none), whatever a form says, as the Diamond's family screens do. A rating
    # replayed from a device after the hand-back keeps the day it was made there.
    handover = family_service.current(session=session, actor=actor) if actor.in_family_mode else None
    rating_id = _client_id(form)
    rate = _rate_context(session, case, f"person:{person.id}", form, rating_id, actor_user=actor.user, person=person)  # type: ignore[union-attr]
    created = (
        None
        if not form.ok
        else save_ratings(
            session=session,
            actor=actor,
            case=case,
            form=form,
            context=rate,
            rating_id=rating_id,
            on_family_screens=True,
            handed_over=handover is not None,
            handed_over_on=handover.rated_on if handover is not None else None,
        )
    )
    if created is None:
        return _scale_page(request, session, actor, case, person, form, rating_id, status_code=422)  # type: ignore[arg-type]
    if created:
        flash(request, i18n.gettext("Thank you. Your number is saved."))
    return redirect(request, f"/family/{case.id}/{person.id}")  # type: ignore[union-attr]
