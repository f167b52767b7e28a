"""The Diamond: the worker's page with charts, the worker's own rating, and the family's rating screens.

Rating forms are plain posts with a client-made UUID `id` (data-offline="true"), so the offline
outbox can replay them: a replay answers as the first post did and records nothing new.
"""
from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from app.cases.models import new_id
from app.db import SessionDep
from app.diamond import charts, rules, service
from app.family.routes import family_case, family_context, family_rater
from app.forms import Form
from app.security.auth import CurrentActor, FamilyActor
from app.security.permissions import can_change_case, get_case
from app.templating import flash, redirect, render

router = APIRouter()


def _uuid_field(form: Form) -> str:
    value = form.text("id", max_length=36)
    try:
        import uuid

        return str(uuid.UUID(value))
    except ValueError:
        form.error("id", "This form is out of date; please reload the page and try again.")
        return ""


def _chart_context(summary: service.DiamondSummary) -> dict:
    return {
        "summary": summary,
        "latest": charts.latest_diamond(summary) if not summary.empty else None,
        "per_rater": charts.rater_diamonds(summary) if not summary.empty else [],
        "progress": charts.progress_charts(summary),
        "aims": rules.AIMS,
    }


@router.get("/cases/{case_id}/diamond")
def diamond_page(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    summary = service.summary(session=session, case=case)
    ctx = {"case": case, "can_rate": can_change_case(actor.user, case), **_chart_context(summary)}
    return render(request, "diamond/page.html", ctx)


@router.get("/cases/{case_id}/diamond/print")
def diamond_print(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    summary = service.summary(session=session, case=case)
    return render(request, "diamond/print.html", {"case": case, **_chart_context(summary)})


def _worker_form(request: Request, case, form: Form, status_code: int = 200) -> Response:
    return render(request, "diamond/rate.html", {"case": case, "form": form, "aims": rules.AIMS, "new_id": form.values.get("id") or new_id()}, status_code=status_code)


@router.get("/cases/{case_id}/diamond/rate")
def worker_rate_page(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    return _worker_form(request, case, Form())


@router.post("/cases/{case_id}/diamond/rate")
async def worker_rate(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(await request.form())
    submission_id = _uuid_field(form)
    scores = {aim.key: form.integer(aim.key, required=True, minimum=0, maximum=10) for aim in rules.AIMS}
    good = form.text("positive_experiences", max_length=1000)
    step = form.text("next_step", max_length=500)
    if not form.ok:
        return _worker_form(request, case, form, status_code=422)
    try:
        service.record_worker_ratings(session=session, actor=actor, case=case, submission_id=submission_id, scores=scores, positive_experiences=good, next_step=step)  # type: ignore[arg-type]
    except service.RatingError as exc:
        form.error(exc.field, exc.message)
        return _worker_form(request, case, form, status_code=422)
    flash(request, "Your Diamond rating is saved.")
    return redirect(request, f"/cases/{case.id}/diamond")


# ---- family screens: one aim per screen -------------------------------------------------------

def _aim(aim: str) -> rules.Aim:
    if aim not in rules.AIMS_BY_KEY:
        raise HTTPException(status_code=404)
    return rules.AIMS_BY_KEY[aim]


@router.get("/family/diamond/{aim}")
def family_aim_page(request: Request, aim: str, session: SessionDep, actor: FamilyActor) -> Response:
    case = family_case(session=session, actor=actor)
    if family_rater(session=session, actor=actor, case=case) is None:
        return redirect(request, "/family/who")
    ctx = family_context(session=session, actor=actor, case=case, aim=_aim(aim), aims=rules.AIMS, form=Form(), new_id=new_id(), rules=rules)
    return render(request, "diamond/family_aim.html", ctx)


@router.post("/family/diamond/{aim}")
async def family_aim(request: Request, aim: str, session: SessionDep, actor: FamilyActor) -> Response:
    case = family_case(session=session, actor=actor)
    the_aim = _aim(aim)
    rater = family_rater(session=session, actor=actor, case=case)
    if rater is None:
        return redirect(request, "/family/who")
    form = Form(await request.form())
    rating_id = _uuid_field(form)
    score = form.integer("score", required=True, minimum=0, maximum=10)
    if "score" in form.errors:
        form.errors["score"] = "Please tap a number from 0 to 10."
    good = form.text("positive_experiences", max_length=1000)
    step = form.text("next_step", max_length=500)
    if not form.ok:
        ctx = family_context(session=session, actor=actor, case=case, aim=the_aim, aims=rules.AIMS, form=form, new_id=form.values.get("id") or new_id(), rules=rules)
        return render(request, "diamond/family_aim.html", ctx, status_code=422)
    try:
        service.record_rating(session=session, actor=actor, case=case, rating_id=rating_id, aim=the_aim.key, score=score, person=rater, positive_experiences=good, next_step=step)  # type: ignore[arg-type]
    except service.RatingError as exc:
        form.error(exc.field, exc.message)
        ctx = family_context(session=session, actor=actor, case=case, aim=the_aim, aims=rules.AIMS, form=form, new_id=new_id(), rules=rules)
        return render(request, "diamond/family_aim.html", ctx, status_code=422)
    following = rules.next_aim(the_aim.key)
    return redirect(request, f"/family/diamond/{following}" if following else "/family/done")


@router.get("/family/done")
def family_done(request: Request, session: SessionDep, actor: FamilyActor) -> Response:
    case = family_case(session=session, actor=actor)
    return render(request, "diamond/family_done.html", family_context(session=session, actor=actor, case=case))
