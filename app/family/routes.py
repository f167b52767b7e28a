"""Hand to family, choose who is rating, and hand back (DESIGN.md "Family mode", docs/family-mode.md).

Family screens live at URLs that say which case and who is rating (/family/<case>/<person>/...),
so "Take offline" can keep them on the tablet before any hand-over and the family can rate with
no signal at all. They open for two kinds of visitor, and render the same for both:
- a session in family mode, for the handed-over case only (FamilyActor; every other route
  refuses it through CurrentActor);
- the case's own workers (write access): that is how the pages are kept on the device, and how
  ratings saved offline reach Homeward when the outbox replays them after the hand-back.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from app.audit import service as audit
from app.cases.models import Case, Person
from app.db import SessionDep
from app.diamond.service import people_who_can_rate
from app.family import service
from app.forms import Form
from app.security.auth import Actor, CurrentActor, FamilyActor
from app.security.permissions import get_case
from app.security.sessions import COOKIE_NAME, end_session
from app.templating import flash, redirect, render

router = APIRouter()

LOCKED = "Too many wrong tries. For safety, your worker must log in again."


def family_access(
    *, session: Session, actor: Actor, case_id: int, person_id: str | None = None
) -> tuple[Case, Person | None]:
    """The case of a family screen, and the person rating when the URL names one (else 404).

    In family mode get_case answers 404 for any case but the handed-over one; outside it, only
    those who may change the case (its workers and their supervisor) open its family screens.
    """
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    person = None
    if person_id is not None:
        person = session.get(Person, person_id)
        if person is None or person.case_id != case.id:
            raise HTTPException(status_code=404)
    return case, person


def family_context(*, session: Session, actor: Actor, case: Case, rater: Person | None = None, **extra) -> dict:
    """What every family screen's layout needs; in server family mode, the hand-over's salted checks."""
    handover = service.current(session=session, actor=actor) if actor.in_family_mode else None
    return {"case": case, "rater": rater, "handover": handover, "family_screen": True, **extra}


def home_url(case_id: int, person_id: str | None) -> str:
    return f"/family/{case_id}/{person_id}" if person_id else f"/family/{case_id}/who"


# ---- the worker hands over ------------------------------------------------------------------


def _hand_over_page(
    request: Request, session: Session, actor: Actor, case: Case, form: Form, status_code: int = 200
) -> Response:
    people = people_who_can_rate(session=session, case=case)
    ctx = {"case": case, "people": people, "form": form, "kit": actor.user if actor.user.pin_check else None}
    return render(request, "family/hand_over.html", ctx, status_code=status_code)


@router.get("/cases/{case_id}/hand-to-family")
def hand_over_page(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    return _hand_over_page(request, session, actor, case, Form())


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
        return _hand_over_page(request, session, actor, case, form, status_code=422)
    return redirect(request, home_url(case.id, person_id))


# ---- family screens -------------------------------------------------------------------------


@router.get("/family/{case_id:int}/who")
def who_page(request: Request, case_id: int, session: SessionDep, actor: FamilyActor) -> Response:
    case, _ = family_access(session=session, actor=actor, case_id=case_id)
    people = people_who_can_rate(session=session, case=case)
    return render(
        request, "family/who.html", family_context(session=session, actor=actor, case=case, people=people, form=Form())
    )


@router.post("/family/{case_id:int}/who")
async def choose_who(request: Request, case_id: int, session: SessionDep, actor: FamilyActor) -> Response:
    case, _ = family_access(session=session, actor=actor, case_id=case_id)
    form = Form(await request.form())
    people = {p.id: p for p in people_who_can_rate(session=session, case=case)}
    person_id = form.choice("person", people.keys())
    if not form.ok:
        ctx = family_context(session=session, actor=actor, case=case, people=list(people.values()), form=form)
        return render(request, "family/who.html", ctx, status_code=422)
    service.choose_rater(session=session, actor=actor, case=case, person=people[person_id])
    return redirect(request, home_url(case.id, person_id))


@router.get("/family/{case_id:int}/hand-back")
def hand_back_page(request: Request, case_id: int, session: SessionDep, actor: FamilyActor) -> Response:
    case, _ = family_access(session=session, actor=actor, case_id=case_id)
    ctx = family_context(session=session, actor=actor, case=case, form=Form(), tries_left=service.tries_left(actor))
    return render(request, "family/hand_back.html", ctx)


@router.post("/family/{case_id:int}/hand-back")
async def hand_back(request: Request, case_id: int, session: SessionDep, actor: FamilyActor) -> Response:
    case, _ = family_access(session=session, actor=actor, case_id=case_id)
    form = Form(await request.form())
    secret = form.text("pin", max_length=200)
    token = form.text("handback_token", max_length=200)
    if not (secret or token):
        form.error("pin", "Please type the Worker PIN.")
    elif not actor.in_family_mode:
        # Family mode that began offline lives on the tablet only (family.js ends it there); a post
        # here still checks the PIN, but there is nothing on Homeward to end.
        if secret and service.secret_matches(actor, secret)[0]:
            return redirect(request, f"/cases/{case.id}/diamond")
        form.error("pin", "That is not the right PIN.")
    else:
        try:
            service.hand_back(session=session, actor=actor, secret=secret, token=token)
        except service.HandoverError as exc:
            if exc.field == "locked":
                response = render(request, "family/locked_out.html", {"message": exc.message}, status_code=403)
                response.delete_cookie(COOKIE_NAME, path="/")
                return response
            form.error("pin", exc.message)
        else:
            flash(request, "Welcome back. Family mode has ended.")
            return redirect(request, f"/cases/{case.id}/diamond")
    form.values.pop("pin", None)
    ctx = family_context(session=session, actor=actor, case=case, form=form, tries_left=service.tries_left(actor))
    return render(request, "family/hand_back.html", ctx, status_code=422)


@router.get("/family/{case_id:int}/{person_id}")
def family_home(request: Request, case_id: int, person_id: str, session: SessionDep, actor: FamilyActor) -> Response:
    case, rater = family_access(session=session, actor=actor, case_id=case_id, person_id=person_id)
    return render(request, "family/home.html", family_context(session=session, actor=actor, case=case, rater=rater))


@router.post("/family/lock")
def lock(request: Request, session: SessionDep, actor: FamilyActor) -> Response:
    """The tablet locked itself after five wrong PINs (offline); Homeward ends the session too.

    Also outside family mode: a hand-over made offline never reached Homeward, and its lockout
    must still end the worker's session.
    """
    if actor.in_family_mode:
        service.lock_out(session=session, actor=actor)
    else:
        audit.record(
            session=session,
            actor=actor,
            action="family_lockout_offline",
            object_type="session",
            object_id=actor.user_session.id,
        )
        end_session(session=session, user_session=actor.user_session)
    response = render(request, "family/locked_out.html", {"message": LOCKED}, status_code=200)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


@router.get("/family/status")
def status(actor: FamilyActor) -> JSONResponse:
    """Whether Homeward holds this session in family mode: family.js asks before it lets a page
    from a server-side hand-over go (a page kept on the device cannot tell)."""
    return JSONResponse({"family_case_id": actor.user_session.family_case_id})


# ---- the old addresses (before the URLs named the case): where family-mode links still point --


def _session_home(actor: Actor) -> str:
    if not actor.in_family_mode:
        raise HTTPException(status_code=404)
    return home_url(actor.user_session.family_case_id, actor.user_session.family_person_id)  # type: ignore[arg-type]


@router.get("/family")
def old_home(request: Request, actor: FamilyActor) -> Response:
    return redirect(request, _session_home(actor))


@router.get("/family/who")
def old_who(request: Request, actor: FamilyActor) -> Response:
    _session_home(actor)
    return redirect(request, f"/family/{actor.user_session.family_case_id}/who")


@router.get("/family/hand-back")
def old_hand_back(request: Request, actor: FamilyActor) -> Response:
    _session_home(actor)
    return redirect(request, f"/family/{actor.user_session.family_case_id}/hand-back")
