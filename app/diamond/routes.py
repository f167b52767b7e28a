"""The Diamond: the worker's page with charts, the worker's own rating, and the family's rating screens.

Rating forms are plain posts with a client-made UUID `id` (data-offline="true"), so the offline
outbox can replay them: a replay answers as the first post did and records nothing new.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from app import i18n
from app.cases import visit as visit_flow
from app.cases.models import Person, new_id
from app.db import SessionDep
from app.diamond import charts, rules, service
from app.diamond.models import DiamondGoal
from app.family import service as family_service
from app.family.screens import family_access, family_context, people_who_can_rate, refuse, young_name
from app.forms import Form, SentForm
from app.security.auth import CurrentActor, FamilyActor
from app.security.permissions import can_change_case, get_case
from app.templating import flash, redirect, render
from app.timeutil import device_time, today

router = APIRouter()


def _uuid_field(form: Form) -> str:
    value = form.text("id", max_length=36)
    try:
        return str(uuid.UUID(value))
    except ValueError:
        form.error("id", i18n.gettext("This form is out of date; please reload the page and try again."))
        return ""


def _chart_context(summary: service.DiamondSummary, only: str | None = None) -> dict:
    """The charts; `only` (a rater's key) draws one rater at a time, the tables keep everyone."""
    if only not in {r.key for r in summary.raters}:
        only = None
    return {
        "summary": summary,
        "only": only,
        "latest": charts.latest_diamond(summary, only) if not summary.empty else None,
        "per_rater": charts.rater_diamonds(summary) if not summary.empty else [],
        "progress": charts.progress_charts(summary, only),
        "aims": rules.AIMS,
    }


def _page(
    request: Request,
    session,
    actor,
    case,
    *,
    goal_form: Form | None = None,
    status_code: int = 200,
    only: str | None = None,
) -> Response:
    summary = service.summary(session=session, case=case)
    ctx = {
        "case": case,
        "can_rate": can_change_case(actor.user, case),
        "goals": service.open_goals(session=session, case=case),
        "people": people_who_can_rate(session=session, case=case),
        "goal_form": goal_form or Form(),
        "goal_id": (goal_form.values.get("id") if goal_form else None) or new_id(),
        "max_goals": rules.MAX_GOALS,
        **_chart_context(summary, only),
    }
    return render(request, "diamond/page.html", ctx, status_code=status_code)


@router.get("/cases/{case_id}/diamond")
def diamond_page(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, rater: str = "") -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    return _page(request, session, actor, case, only=rater[:60] or None)


@router.post("/cases/{case_id}/diamond/goals")
def add_goal(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    goal_id = _uuid_field(form)
    title = form.text("title", required=True, max_length=120, label="The goal")
    people = {p.id: p for p in people_who_can_rate(session=session, case=case)}
    person_id = form.choice("chosen_by", people.keys(), required=False)
    if form.ok:
        try:
            service.add_goal(
                session=session,
                actor=actor,
                case=case,
                goal_id=goal_id,
                title=title,
                person=people.get(person_id) if person_id else None,
            )
        except service.GoalError as exc:
            form.error(exc.field, exc.message)
    if not form.ok:
        return _page(request, session, actor, case, goal_form=form, status_code=422)
    flash(request, "Goal added. The family will rate it after the four aims.")
    return redirect(request, f"/cases/{case.id}/diamond#goals-h")


@router.post("/cases/{case_id}/diamond/goals/{goal_id}/close")
def close_goal(request: Request, case_id: int, goal_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    try:
        service.close_goal(session=session, actor=actor, case=case, goal_id=goal_id)
    except service.GoalError:
        raise HTTPException(status_code=404) from None
    flash(request, "Goal marked as finished. Its ratings stay in the charts.")
    return redirect(request, f"/cases/{case.id}/diamond#goals-h")


@router.get("/cases/{case_id}/diamond/print")
def diamond_print(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    summary = service.summary(session=session, case=case)
    return render(request, "diamond/print.html", {"case": case, **_chart_context(summary)})


def _posted_goals(session, case, form: Form) -> list[DiamondGoal]:
    """The goals a rating form is for: the open ones, and any finished since the form was drawn
    (a form replayed from the outbox); another case's goal is not among them."""
    named = [key[5:] for key in form.values if key.startswith("goal:") and len(key) <= 41]
    goals = {g.id: g for g in service.open_goals(session=session, case=case)}
    goals.update((g.id, g) for g in service.case_goals(session=session, case=case, ids=named))
    return sorted(goals.values(), key=lambda g: g.created_at)


def _worker_form(request: Request, session, case, form: Form, status_code: int = 200, visit: bool = False) -> Response:
    # Explained as the worker sees the young person ("how Kayla feels most days"), not in the words
    # the family screens say to the young person ("how you feel"); a goal's legend says its scale.
    aims = [rules.aim_for(a, rater_is_young_person=False, young_name=case.display_name) for a in rules.AIMS]
    goals = [replace(rules.goal_aim(g.id, g.title), explanation="") for g in _posted_goals(session, case, form)]
    ctx = {
        "case": case,
        "form": form,
        "aims": [*aims, *goals],
        "new_id": form.values.get("id") or new_id(),
        "today": today(),
        # Opened from "Record a visit" (app/cases/visit.py): the form goes on to the next step.
        "visit_steps": visit_flow.steps(case.id) if visit else None,
    }
    return render(request, "diamond/rate.html", ctx, status_code=status_code)


@router.get("/cases/{case_id}/diamond/rate")
def worker_rate_page(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, visit: str = ""
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    return _worker_form(request, session, case, Form(), visit=bool(visit))


@router.post("/cases/{case_id}/diamond/rate")
def worker_rate(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    submission_id = _uuid_field(form)
    scores = {aim.key: form.integer(aim.key, required=True, minimum=0, maximum=10) for aim in rules.AIMS}
    # By id, open or finished: numbers given before a goal was finished still count (close_goal).
    goal_scores = {
        key[5:]: form.integer(key, minimum=0, maximum=10) for key in list(form.values) if key.startswith("goal:")
    }
    good = form.text("positive_experiences", max_length=1000)
    step = form.text("next_step", max_length=500)
    # Work recorded afterwards is dated when it was done (issue 18); empty means today.
    rated_on = form.date("rated_on", not_future=True, label="The rating date")
    given_at = device_time(form.values.get("recorded_at") or "")  # stamped when sent (data-stamp, app.js)
    visit = visit_flow.in_visit(form.values)
    if not form.ok:
        return _worker_form(request, session, case, form, status_code=422, visit=visit)
    try:
        service.record_worker_ratings(
            session=session,
            actor=actor,
            case=case,
            submission_id=submission_id,
            scores=scores,
            goal_scores={k: v for k, v in goal_scores.items() if v is not None},
            positive_experiences=good,
            next_step=step,
            rated_on=rated_on,
            given_at=given_at,
        )  # type: ignore[arg-type]
    except service.RatingError as exc:
        form.error(exc.field, exc.message)
        if exc.field.startswith("goal:"):
            form.values[exc.field] = ""  # a chosen number cannot be unchosen on the page
        return _worker_form(request, session, case, form, status_code=422, visit=visit)
    flash(request, "Your Diamond rating is saved.")
    if visit:
        return redirect(request, visit_flow.after(case.id, "rating"))
    return redirect(request, f"/cases/{case.id}/diamond")


# ---- family screens: one aim (then one goal) per screen ---------------------------------------
# The URL says the case and who is rating (app.family.screens.family_access): the same page for a
# session in family mode and for the case's worker, so the pages can be kept on the device before
# the hand-over and an answer saved offline is replayed after it as the same rating, once.


def _aim(aim: str) -> rules.Aim:
    if aim not in rules.AIMS_BY_KEY:
        raise HTTPException(status_code=404)
    return rules.AIMS_BY_KEY[aim]


def _goal(session, case, goal_id: str, *, finished: bool = False) -> tuple[DiamondGoal, list[DiamondGoal]]:
    """The goal and the goals asked in turn. A page draws open goals only; an answer (`finished`)
    may be for a goal finished since it was given (the outbox), and takes its place among them."""
    goals = service.open_goals(session=session, case=case)
    goal = next((g for g in goals if g.id == goal_id), None)
    if goal is None and finished and len(goal_id) <= 36:
        goal = next(iter(service.case_goals(session=session, case=case, ids=[goal_id])), None)
        if goal is not None:
            goals = sorted([*goals, goal], key=lambda g: g.created_at)
    if goal is None:
        raise HTTPException(status_code=404)
    return goal, goals


def _url(case, rater: Person, key: str) -> str:
    base = f"/family/{case.id}/{rater.id}"
    return f"{base}/goal/{key[5:]}" if key.startswith("goal:") else f"{base}/diamond/{key}"


def _after(case, rater: Person, aim_key: str, goals: list[DiamondGoal]) -> str:
    keys = [*rules.AIM_KEYS, *(rules.goal_key(g.id) for g in goals)]
    index = keys.index(aim_key) + 1
    return f"/family/{case.id}/{rater.id}/done" if index >= len(keys) else _url(case, rater, keys[index])


def _question(
    request,
    session,
    actor,
    case,
    rater: Person,
    *,
    aim: rules.Aim,
    goals: list[DiamondGoal],
    form: Form,
    status_code: int = 200,
) -> Response:
    is_goal = aim.key.startswith("goal:")
    keys = [*rules.AIM_KEYS, *(rules.goal_key(g.id) for g in goals)]
    ctx = family_context(
        session=session,
        actor=actor,
        case=case,
        rater=rater,
        aim=rules.aim_for(
            aim,
            rater_is_young_person=rater.is_young_person,
            young_name=young_name(session=session, case=case),
            gettext=i18n.gettext,
        ),
        form=form,
        new_id=form.values.get("id") if not form.ok else new_id(),
        number=keys.index(aim.key) + 1,
        total=len(keys),
        action=_url(case, rater, aim.key),
        next_url=_after(case, rater, aim.key, goals),
        low=i18n.gettext(rules.GOAL_LOW_WORDS if is_goal else rules.LOW_WORDS),
        high=i18n.gettext(rules.GOAL_HIGH_WORDS if is_goal else rules.HIGH_WORDS),
    )
    return render(request, "diamond/family_aim.html", ctx, status_code=status_code)


def _given_on(session, actor, case, form: Form) -> date | None:
    """The day a family rating was given: the hand-over's date (the worker set it, the family sees
    none), or for an answer replayed from a device the day it was made there (`rated_on`, filled
    in by the device); a day that cannot be right (future, before the referral) counts as today."""
    handover = family_service.current(session=session, actor=actor) if actor.in_family_mode else None
    if handover is not None and handover.rated_on is not None:
        return handover.rated_on
    try:
        made_on = date.fromisoformat(str(form.values.get("rated_on") or "")[:10])
    except ValueError:
        return None
    try:
        service.check_rated_on(case=case, rated_on=made_on)
    except service.RatingError:
        return None
    return made_on


def _answer(
    request,
    sent: FormData,
    session,
    actor,
    case,
    rater: Person,
    *,
    aim: rules.Aim,
    goal: DiamondGoal | None,
    goals: list[DiamondGoal],
) -> Response:
    form = Form(sent)
    rating_id = _uuid_field(form)
    score = form.integer("score", required=True, minimum=0, maximum=10)
    if "score" in form.errors:
        form.errors["score"] = i18n.gettext("Please tap a number from 0 to 10.")
    good = form.text("positive_experiences", max_length=1000)
    step = form.text("next_step", max_length=500)
    rated_on = _given_on(session, actor, case, form)
    if form.ok:
        try:
            # Given on the family screens, whether it arrives now or later from the outbox.
            service.record_rating(
                session=session,
                actor=actor,
                case=case,
                rating_id=rating_id,
                aim="goal" if goal else aim.key,
                goal=goal,
                score=score,
                person=rater,
                positive_experiences=good,
                next_step=step,
                rated_on=rated_on,
                given_at=device_time(form.values.get("recorded_at") or ""),
                in_family_mode=True,
            )  # type: ignore[arg-type]
        except service.RatingError as exc:
            form.error(exc.field, exc.message)
    if not form.ok:
        return _question(request, session, actor, case, rater, aim=aim, goals=goals, form=form, status_code=422)
    return redirect(request, _after(case, rater, aim.key, goals))


@router.get("/family/{case_id:int}/{person_id}/diamond/{aim}")
def family_aim_page(
    request: Request, case_id: int, person_id: str, aim: str, session: SessionDep, actor: FamilyActor
) -> Response:
    case, rater = family_access(session=session, actor=actor, case_id=case_id, person_id=person_id, request=request)
    the_aim = _aim(aim)
    return _question(
        request,
        session,
        actor,
        case,
        rater,
        aim=the_aim,
        goals=service.open_goals(session=session, case=case),
        form=Form(),
    )  # type: ignore[arg-type]


@router.post("/family/{case_id:int}/{person_id}/diamond/{aim}")
def family_aim(
    request: Request, case_id: int, person_id: str, aim: str, session: SessionDep, actor: FamilyActor, sent: SentForm
) -> Response:
    case, rater = family_access(session=session, actor=actor, case_id=case_id, person_id=person_id, request=request)
    the_aim = _aim(aim)
    return _answer(
        request,
        sent,
        session,
        actor,
        case,
        rater,
        aim=the_aim,
        goal=None,
        goals=service.open_goals(session=session, case=case),
    )  # type: ignore[arg-type]


@router.get("/family/{case_id:int}/{person_id}/goal/{goal_id}")
def family_goal_page(
    request: Request, case_id: int, person_id: str, goal_id: str, session: SessionDep, actor: FamilyActor
) -> Response:
    case, rater = family_access(session=session, actor=actor, case_id=case_id, person_id=person_id, request=request)
    goal, goals = _goal(session, case, goal_id)
    return _question(
        request, session, actor, case, rater, aim=rules.goal_aim(goal.id, goal.title), goals=goals, form=Form()
    )  # type: ignore[arg-type]


@router.post("/family/{case_id:int}/{person_id}/goal/{goal_id}")
def family_goal(
    request: Request,
    case_id: int,
    person_id: str,
    goal_id: str,
    session: SessionDep,
    actor: FamilyActor,
    sent: SentForm,
) -> Response:
    case, rater = family_access(session=session, actor=actor, case_id=case_id, person_id=person_id, request=request)
    goal, goals = _goal(session, case, goal_id, finished=True)
    return _answer(
        request, sent, session, actor, case, rater, aim=rules.goal_aim(goal.id, goal.title), goal=goal, goals=goals
    )  # type: ignore[arg-type]


@router.get("/family/{case_id:int}/{person_id}/done")
def family_done(request: Request, case_id: int, person_id: str, session: SessionDep, actor: FamilyActor) -> Response:
    case, rater = family_access(session=session, actor=actor, case_id=case_id, person_id=person_id, request=request)
    return render(
        request, "diamond/family_done.html", family_context(session=session, actor=actor, case=case, rater=rater)
    )


# Answers queued on a device by the screens before their URLs named the case (/family/diamond/<aim>):
# after the hand-back the hidden `rater` field says whose they are, so they still apply once. In
# family mode the rater is the person whose turn it is, never a form field: another name is refused.
def _old_answer(request: Request, form: FormData, session, actor) -> Person:
    named = str(form.get("rater") or "")
    if actor.in_family_mode:
        if named and named != actor.user_session.family_person_id:
            refuse(session=session, actor=actor, request=request, why="a rater field naming another person")
        named = actor.user_session.family_person_id or ""
    person = session.get(Person, named) if named and len(named) <= 36 else None
    if person is None:
        raise HTTPException(status_code=404)
    return person


@router.post("/family/diamond/{aim}")
def old_family_aim(request: Request, aim: str, session: SessionDep, actor: FamilyActor, sent: SentForm) -> Response:
    person = _old_answer(request, sent, session, actor)
    return family_aim(request, person.case_id, person.id, aim, session, actor, sent)


@router.post("/family/goal/{goal_id}")
def old_family_goal(
    request: Request, goal_id: str, session: SessionDep, actor: FamilyActor, sent: SentForm
) -> Response:
    person = _old_answer(request, sent, session, actor)
    return family_goal(request, person.case_id, person.id, goal_id, session, actor, sent)
