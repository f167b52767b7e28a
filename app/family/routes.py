"""Hand to family, choose who is rating, and hand back (DESIGN.md "Family mode", docs/family-mode.md).

Family screens live at URLs that say which case and who is rating (/family/<case>/<person>/...),
so "Take offline" can keep them on the tablet before any hand-over and the family can rate with
no signal at all. They open for two kinds of visitor:
- a session in family mode, for the handed-over case only (FamilyActor; every other route
  refuses it through CurrentActor), and only the screens of the person whose turn it is: another
  person's screens answer 404 (the family's "hand back" page, audited) until "Someone else's turn";
- the case's own workers (write access): that is how the pages are kept on the device, and how
  ratings saved offline reach Homeward when the outbox replays them after the hand-back. Those
  copies never carry a young person's private words (see `shows_private_words`).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from app import i18n
from app.accounts.models import Role
from app.audit import service as audit
from app.cases import visit as visit_flow
from app.cases.models import Case, called_on
from app.db import SessionDep
from app.family import languages, service
from app.family.screens import family_access, family_context, people_who_can_rate, refuse
from app.forms import Form, SentForm
from app.security.auth import Actor, CurrentActor, FamilyActor, SettingsDep, require_role
from app.security.permissions import get_case
from app.security.secret_checks import SecretLocked, check_worker_secret
from app.security.sessions import COOKIE_NAME, end_session
from app.templating import flash, redirect, render
from app.timeutil import today

router = APIRouter()

LOCKED = service.LOCKED_MESSAGE


def home_url(case_id: int, person_id: str | None) -> str:
    return f"/family/{case_id}/{person_id}" if person_id else f"/family/{case_id}/who"


# ---- the worker hands over ------------------------------------------------------------------


def _hand_over_page(
    request: Request,
    session: Session,
    actor: Actor,
    case: Case,
    form: Form,
    status_code: int = 200,
    visit: bool = False,
) -> Response:
    people = people_who_can_rate(session=session, case=case)
    user = actor.user
    ctx = {
        "case": case,
        "people": people,
        "form": form,
        "called": lambda person: called_on(person, case),
        "kit": user if user.pin_check and not user.pin_change_due else None,
        "pin_change_due": user.pin_change_due,
        # Opened from "Record a visit": step 2, which can be skipped (app/cases/visit.py).
        "visit_steps": visit_flow.steps(case.id) if visit else None,
        "screen_language": lambda person: i18n.LANGUAGES[languages.screen_language(session=session, person=person)],
        "review_status": i18n.review_status,
        "today": today(),
    }
    return render(request, "family/hand_over.html", ctx, status_code=status_code)


@router.get("/cases/{case_id}/hand-to-family")
def hand_over_page(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, visit: str = ""
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    return _hand_over_page(request, session, actor, case, Form(), visit=bool(visit))


@router.post("/cases/{case_id}/hand-to-family")
def hand_over(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, settings: SettingsDep, sent: SentForm
) -> Response:
    # The PIN check and the hand-over's checks are slow on purpose: not inside the writers' turn,
    # one for the whole service (taken at the first write, as before, docs/architecture.md).
    case = get_case(session=session, actor=actor, case_id=case_id, write=True, turn=False)
    form = Form(sent)
    people = {p.id: p for p in people_who_can_rate(session=session, case=case)}
    person_id = form.choice("person", people.keys())
    secret = form.text("pin", required=True, max_length=200, label="Your Worker PIN")
    # The day the family's ratings count as given (issue 18): the worker's choice, never the family's.
    rated_on = form.date("rated_on", not_future=True, label="The rating date") or today()
    if "rated_on" not in form.errors and case.referral_date is not None and rated_on < case.referral_date:
        form.error(
            "rated_on",
            f"The rating date is before the referral on {case.referral_date:%-d %b %Y}; "
            "please check the date it was given.",
        )
    if form.ok:
        try:
            service.start(
                session=session,
                actor=actor,
                settings=settings,
                case=case,
                person=people[person_id],
                secret=secret,
                rated_on=rated_on,
            )
        except service.HandoverError as exc:
            form.error(exc.field, exc.message)
        except SecretLocked as exc:
            response = render(request, "family/locked_out.html", {"message": exc.message}, status_code=403)
            response.delete_cookie(COOKIE_NAME, path="/")
            return response
    in_visit = visit_flow.in_visit(form.values)
    if not form.ok:
        form.values.pop("pin", None)
        return _hand_over_page(request, session, actor, case, form, status_code=422, visit=in_visit)
    response = redirect(request, home_url(case.id, person_id))
    if in_visit:  # the hand-back then goes on with the visit: the worker's own rating
        response.set_cookie(visit_flow.VISIT_COOKIE, str(case.id), httponly=True, samesite="lax", path="/")
    return response


def _back_to_worker(request: Request, case: Case) -> Response:
    """After the hand-back: the Diamond, or the next step of a visit the hand-over was part of."""
    if request.cookies.get(visit_flow.VISIT_COOKIE) == str(case.id):
        response = redirect(request, visit_flow.after(case.id, "family"))
        response.delete_cookie(visit_flow.VISIT_COOKIE, path="/")
        return response
    return redirect(request, f"/cases/{case.id}/diamond")


# ---- family screens -------------------------------------------------------------------------


@router.get("/family/{case_id:int}/who")
def who_page(request: Request, case_id: int, session: SessionDep, actor: FamilyActor) -> Response:
    """Someone else's turn: each person picks their own name, and from then on only their screens open.

    Opening it ends the present turn (in the language of the person who had it), so whoever the
    tablet passes to cannot go back to that person's screens and read what they wrote."""
    case, _ = family_access(session=session, actor=actor, case_id=case_id, request=request)
    service.end_turn(session=session, actor=actor, case=case)
    people = people_who_can_rate(session=session, case=case)
    return render(
        request, "family/who.html", family_context(session=session, actor=actor, case=case, people=people, form=Form())
    )


@router.post("/family/{case_id:int}/who")
def choose_who(request: Request, case_id: int, session: SessionDep, actor: FamilyActor, sent: SentForm) -> Response:
    case, _ = family_access(session=session, actor=actor, case_id=case_id, request=request)
    form = Form(sent)
    people = {p.id: p for p in people_who_can_rate(session=session, case=case)}
    chosen = form.values.get("person")
    if chosen and chosen not in people:
        refuse(session=session, actor=actor, request=request, why="a person not of this case")
    person_id = form.choice("person", people.keys())
    if not form.ok:
        ctx = family_context(session=session, actor=actor, case=case, people=list(people.values()), form=form)
        return render(request, "family/who.html", ctx, status_code=422)
    service.choose_rater(session=session, actor=actor, case=case, person=people[person_id])
    i18n.use(languages.screen_language(session=session, person=people[person_id]))
    flash(
        request,
        i18n.gettext("It is your turn now, {name}. Only you will see your answers here.").format(
            name=called_on(people[person_id], case)
        ),
    )
    return redirect(request, home_url(case.id, person_id))


@router.get("/family/{case_id:int}/hand-back")
def hand_back_page(request: Request, case_id: int, session: SessionDep, actor: FamilyActor) -> Response:
    case, _ = family_access(session=session, actor=actor, case_id=case_id, request=request)
    return _hand_back_page(request, session, actor, case, Form())


def _hand_back_page(request: Request, session: Session, actor: Actor, case: Case, form: Form, status_code: int = 200):
    ctx = family_context(
        session=session,
        actor=actor,
        case=case,
        form=form,
        tries_left=service.tries_left(actor),
        turns=service.turns(session=session, actor=actor, case=case) if actor.in_family_mode else [],
        # "Not yet" goes back to whoever has the turn: the who screen would end it.
        not_yet=home_url(case.id, actor.user_session.family_person_id if actor.in_family_mode else None),
    )
    return render(request, "family/hand_back.html", ctx, status_code=status_code)


@router.post("/family/{case_id:int}/hand-back")
def hand_back(
    request: Request, case_id: int, session: SessionDep, actor: FamilyActor, settings: SettingsDep, sent: SentForm
) -> Response:
    case, _ = family_access(session=session, actor=actor, case_id=case_id, request=request)
    form = Form(sent)
    secret = form.text("pin", max_length=200)
    token = form.text("handback_token", max_length=200)
    offline_failures = form.integer("offline_failures", minimum=0, maximum=100) or 0
    form.errors.pop("offline_failures", None)
    if not (secret or token):
        form.error("pin", i18n.gettext("Please type the Worker PIN."))
    elif not actor.in_family_mode:
        # Family mode that began offline lives on the tablet only (family.js ends it there); a post
        # here still checks the PIN (counted and audited like any check), but there is nothing on
        # Homeward to end.
        try:
            ok, _ = check_worker_secret(
                session=session, actor=actor, settings=settings, secret=secret, where="hand_back"
            )
        except SecretLocked as exc:
            response = render(request, "family/locked_out.html", {"message": exc.message}, status_code=403)
            response.delete_cookie(COOKIE_NAME, path="/")
            return response
        if ok:
            return _back_to_worker(request, case)
        form.error("pin", i18n.gettext("That is not the right PIN."))
    else:
        try:
            service.hand_back(
                session=session,
                actor=actor,
                settings=settings,
                secret=secret,
                token=token,
                offline_failures=offline_failures,
            )
        except service.HandoverError as exc:
            if exc.field == "locked":
                response = render(request, "family/locked_out.html", {"message": exc.message}, status_code=403)
                response.delete_cookie(COOKIE_NAME, path="/")
                return response
            form.error("pin", exc.message)
        else:
            flash(request, "Welcome back. Family mode has ended.")
            return _back_to_worker(request, case)
    form.values.pop("pin", None)
    return _hand_back_page(request, session, actor, case, form, status_code=422)


@router.get("/family/{case_id:int}/{person_id}")
def family_home(request: Request, case_id: int, person_id: str, session: SessionDep, actor: FamilyActor) -> Response:
    case, rater = family_access(session=session, actor=actor, case_id=case_id, person_id=person_id, request=request)
    return render(request, "family/home.html", family_context(session=session, actor=actor, case=case, rater=rater))


@router.post("/family/lock")
def lock(request: Request, session: SessionDep, actor: FamilyActor, sent: SentForm) -> Response:
    """The tablet locked itself after five wrong PINs (offline); Homeward ends the session too.

    Also outside family mode: a hand-over made offline never reached Homeward, and its lockout
    must still end the worker's session. The wrong tries are recorded for the supervisor.
    """
    form = Form(sent)
    failures = form.integer("offline_failures", minimum=0, maximum=100) or service.MAX_TRIES
    service.record_offline_failures(session=session, actor=actor, count=failures)
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


# ---- the family's language ------------------------------------------------------------------


@router.post("/family/{case_id:int}/{person_id}/language")
def choose_language(
    request: Request, case_id: int, person_id: str, session: SessionDep, actor: FamilyActor, sent: SentForm
) -> Response:
    """The switch on every family screen: this person's screens in another language, from now on.

    Kept as their preferred language (audited), so the next hand-over and the pages "Take offline"
    keeps open in it too.
    """
    case, person = family_access(session=session, actor=actor, case_id=case_id, person_id=person_id, request=request)
    assert person is not None
    form = Form(sent)
    code = form.choice("lang", [lang.code for lang in languages.offered(session=session)])
    back = form.values.get("back") or ""
    if not back.startswith(f"/family/{case.id}/{person.id}"):
        back = home_url(case.id, person.id)
    if code and code != person.preferred_language:
        languages.set_preferred(session=session, actor=actor, person=person, code=code)
    return redirect(request, back)


@router.get("/admin/languages")
def languages_page(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    require_role(actor, Role.admin)
    return render(request, "family/languages.html", {"rows": languages.table(session=session)})


@router.post("/admin/languages")
def switch_language(request: Request, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    """An administrator switches a language off (until a qualified translator has checked it) or on."""
    require_role(actor, Role.admin)
    form = Form(sent)
    code = form.choice("code", [c for c in i18n.LANGUAGES if c != i18n.DEFAULT])
    enabled = form.values.get("enabled") == "1"
    if code:
        languages.switch(session=session, actor=actor, code=code, enabled=enabled)
        state = "offered" if enabled else "switched off"
        flash(request, f"{i18n.LANGUAGES[code].english} is now {state} on the family screens.")
    return redirect(request, "/admin/languages")
