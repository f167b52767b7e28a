"""Hand to family, choose who is rating, and hand back (DESIGN.md "Family mode").

Family screens use FamilyActor (the only routes that do) and check the case themselves through
`family_case`; everything else uses CurrentActor and so answers 403 while the family holds the tablet.
"""
from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.cases.models import Case, Person
from app.db import SessionDep
from app.diamond.service import people_who_can_rate
from app.family import service
from app.forms import Form
from app.security.auth import Actor, CurrentActor, FamilyActor
from app.security.permissions import get_case
from app.security.sessions import COOKIE_NAME
from app.templating import flash, redirect, render

router = APIRouter()


def family_case(*, session: Session, actor: Actor) -> Case:
    """The case the tablet was handed over for; outside family mode these screens do not exist."""
    if not actor.in_family_mode:
        raise HTTPException(status_code=404)
    return get_case(session=session, actor=actor, case_id=actor.user_session.family_case_id, audit_read=False)


def family_rater(*, session: Session, actor: Actor, case: Case) -> Person | None:
    person_id = actor.user_session.family_person_id
    person = session.get(Person, person_id) if person_id else None
    return person if person is not None and person.case_id == case.id else None


def family_context(*, session: Session, actor: Actor, case: Case, **extra) -> dict:
    """What every family screen's layout needs, including the offline lock's salted checks."""
    handover = service.current(session=session, actor=actor)
    return {"case": case, "rater": family_rater(session=session, actor=actor, case=case), "handover": handover, **extra}


# ---- the worker hands over ------------------------------------------------------------------

def _hand_over_page(request: Request, session: Session, case: Case, form: Form, status_code: int = 200) -> Response:
    people = people_who_can_rate(session=session, case=case)
    return render(request, "family/hand_over.html", {"case": case, "people": people, "form": form}, status_code=status_code)


@router.get("/cases/{case_id}/hand-to-family")
def hand_over_page(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    return _hand_over_page(request, session, case, Form())


@router.post("/cases/{case_id}/hand-to-family")
async def hand_over(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(await request.form())
    people = {p.id: p for p in people_who_can_rate(session=session, case=case)}
    person_id = form.choice("person", people.keys())
    secret = form.text("pin", required=True, max_length=200, label="Your Worker PIN")
    if form.ok:
        try:
            service.start(session=session, actor=actor, case=case, person=people[person_id], secret=secret)
        except service.HandoverError as exc:
            form.error(exc.field, exc.message)
    if not form.ok:
        form.values.pop("pin", None)
        return _hand_over_page(request, session, case, form, status_code=422)
    return redirect(request, "/family")


# ---- family screens -------------------------------------------------------------------------

@router.get("/family")
def family_home(request: Request, session: SessionDep, actor: FamilyActor) -> Response:
    case = family_case(session=session, actor=actor)
    rater = family_rater(session=session, actor=actor, case=case)
    if rater is None:
        return redirect(request, "/family/who")
    return render(request, "family/home.html", family_context(session=session, actor=actor, case=case))


@router.get("/family/who")
def who_page(request: Request, session: SessionDep, actor: FamilyActor) -> Response:
    case = family_case(session=session, actor=actor)
    people = people_who_can_rate(session=session, case=case)
    return render(request, "family/who.html", family_context(session=session, actor=actor, case=case, people=people, form=Form()))


@router.post("/family/who")
async def choose_who(request: Request, session: SessionDep, actor: FamilyActor) -> Response:
    case = family_case(session=session, actor=actor)
    form = Form(await request.form())
    people = {p.id: p for p in people_who_can_rate(session=session, case=case)}
    person_id = form.choice("person", people.keys())
    if not form.ok:
        ctx = family_context(session=session, actor=actor, case=case, people=list(people.values()), form=form)
        return render(request, "family/who.html", ctx, status_code=422)
    service.choose_rater(session=session, actor=actor, case=case, person=people[person_id])
    return redirect(request, "/family")


@router.get("/family/hand-back")
def hand_back_page(request: Request, session: SessionDep, actor: FamilyActor) -> Response:
    case = family_case(session=session, actor=actor)
    ctx = family_context(session=session, actor=actor, case=case, form=Form(), tries_left=service.tries_left(actor))
    return render(request, "family/hand_back.html", ctx)


@router.post("/family/hand-back")
async def hand_back(request: Request, session: SessionDep, actor: FamilyActor) -> Response:
    case = family_case(session=session, actor=actor)
    form = Form(await request.form())
    secret = form.text("pin", max_length=200)
    token = form.text("handback_token", max_length=200)
    if not (secret or token):
        form.error("pin", "Please type the Worker PIN.")
    else:
        try:
            case_id = service.hand_back(session=session, actor=actor, secret=secret, token=token)
        except service.HandoverError as exc:
            if exc.field == "locked":
                response = render(request, "family/locked_out.html", {"message": exc.message}, status_code=403)
                response.delete_cookie(COOKIE_NAME, path="/")
                return response
            form.error("pin", exc.message)
        else:
            flash(request, "Welcome back. Family mode has ended.")
            return redirect(request, f"/cases/{case_id}/diamond")
    form.values.pop("pin", None)
    ctx = family_context(session=session, actor=actor, case=case, form=form, tries_left=service.tries_left(actor))
    return render(request, "family/hand_back.html", ctx, status_code=422)


@router.post("/family/lock")
def lock(request: Request, session: SessionDep, actor: FamilyActor) -> Response:
    """The browser locked the tablet offline after five wrong PINs; the server follows suit."""
    family_case(session=session, actor=actor)
    service.lock_out(session=session, actor=actor)
    response = render(request, "family/locked_out.html", {"message": "Too many wrong tries. For safety, your worker must log in again."}, status_code=200)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response
