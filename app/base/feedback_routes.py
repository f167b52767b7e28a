"""Service-user feedback screens: the young person's and parent's screens also work in family mode.

The family screens ask for FamilyActor and rely on get_case, which answers 404 for any other case
while the tablet is with the family; the social worker's screen and the triangulation view are
worker screens (CurrentActor).
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, select

from app.base import feedback
from app.base.models import PERSPECTIVE_LABELS, Perspective
from app.cases.models import Case, Person, new_id
from app.db import SessionDep
from app.forms import Form
from app.security.auth import Actor, CurrentActor, FamilyActor, FamilyModeLocked
from app.security.permissions import get_case
from app.templating import flash, redirect, render

router = APIRouter()
FAMILY_PERSPECTIVES = {Perspective.young_person, Perspective.parent}
CANT_SAY = "cant_say"


def _perspective(value: str, actor: Actor) -> Perspective:
    try:
        perspective = Perspective(value)
    except ValueError:
        raise HTTPException(status_code=404) from None
    if actor.in_family_mode and perspective not in FAMILY_PERSPECTIVES:
        raise FamilyModeLocked()
    return perspective


def _raters(session: Session, case: Case, perspective: Perspective) -> list[Person]:
    people = session.exec(select(Person).where(Person.case_id == case.id).order_by(Person.name)).all()
    if perspective is Perspective.young_person:
        return [p for p in people if p.is_young_person]
    return [p for p in people if not p.is_young_person]


def _form_context(session: Session, case: Case, actor: Actor, perspective: Perspective, form: Form | None = None, chosen_round: int | None = None) -> dict[str, Any]:
    existing = feedback.rounds(session=session, case_id=case.id)
    latest = chosen_round or (existing[-1] if existing else 1)
    return {
        "case": case, "perspective": perspective.value, "perspective_label": PERSPECTIVE_LABELS[perspective],
        "qs": feedback.question_set(perspective), "scale": feedback.SCALE, "scale_words": feedback.feedback_sets()["scale"],
        "raters": _raters(session, case, perspective) if perspective in FAMILY_PERSPECTIVES else [],
        "workers": feedback.workers_for(session=session, case=case), "rounds": list(range(1, max([latest, *existing]) + 2)), "latest_round": latest,
        "family_mode": actor.in_family_mode, "new_id": new_id(), "form": form,
    }


@router.get("/cases/{case_id}/base/feedback")
def triangulation(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, round: int | None = None) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    existing = feedback.rounds(session=session, case_id=case.id)
    chosen = round if round is not None and 1 <= round <= 50 else (existing[-1] if existing else 1)
    view = feedback.triangulation(session=session, case_id=case.id, review_round=chosen)
    return render(request, "base_assessment/triangulation.html", {
        "case": case, "view": view, "rounds": existing, "next_round": max([chosen, *existing]) + 1, "labels": PERSPECTIVE_LABELS,
        "scale_words": feedback.feedback_sets()["scale"],
    })


@router.get("/cases/{case_id}/base/feedback/{perspective}")
def feedback_form(request: Request, case_id: int, perspective: str, session: SessionDep, actor: FamilyActor, round: int | None = None) -> Response:
    """The worker picks the review round before handing over (the link carries ?round=N)."""
    chosen = _perspective(perspective, actor)
    case = get_case(session=session, actor=actor, case_id=case_id)
    chosen_round = round if round is not None and 1 <= round <= 50 else None
    return render(request, "base_assessment/feedback_form.html", _form_context(session, case, actor, chosen, chosen_round=chosen_round))


@router.post("/cases/{case_id}/base/feedback/{perspective}")
async def record_feedback(request: Request, case_id: int, perspective: str, session: SessionDep, actor: FamilyActor) -> Response:
    chosen = _perspective(perspective, actor)
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(await request.form())
    feedback_id = form.text("id", required=True, max_length=36)
    if chosen in FAMILY_PERSPECTIVES:
        raters = {p.id: p.name for p in _raters(session, case, chosen)}
        rater_id = form.choice("rater", raters.keys())
        rater_name = raters.get(rater_id or "", "")
    else:
        rater_name = form.text("rater_name", required=True, max_length=120, label="The social worker's name")
    workers = {str(w.id): w for w in feedback.workers_for(session=session, case=case)}
    worker = form.choice("about_worker", workers.keys(), default=next(iter(workers), None))
    review_round = form.integer("round", required=True, minimum=1, maximum=50)
    scores: dict[str, int | None] = {}
    comments: dict[str, str] = {}
    for q in feedback.question_set(chosen)["questions"]:
        theme = q["theme"]
        answer = form.choice(f"score_{theme}", [*map(str, feedback.SCALE), CANT_SAY])
        scores[theme] = None if answer in (None, CANT_SAY) else int(answer)
        comments[theme] = form.text(f"comment_{theme}", max_length=1000)
    if not form.ok:
        return render(request, "base_assessment/feedback_form.html", _form_context(session, case, actor, chosen, form), status_code=422)
    feedback.record(session=session, case=case, by=actor, feedback_id=feedback_id, perspective=chosen, rater_name=rater_name,
                    about_worker_id=int(worker) if worker else None, review_round=review_round, scores=scores, comments=comments)
    if actor.in_family_mode:
        flash(request, "Thank you. Your answers are saved. Please hand the tablet back when you are ready.")
        return redirect(request, f"/cases/{case.id}/base/feedback/{chosen.value}")
    flash(request, "Feedback saved.")
    return redirect(request, f"/cases/{case.id}/base/feedback?round={review_round}")
