"""Service-user feedback screens: the young person's and parent's screens also work in family mode.

The family's own screen is /family/<case>/<person>/feedback: its address names the case and who
is answering, so it is the same page for a session in family mode (that case only) and for the
case's worker (write access, app.family.screens.family_access). "Take offline" keeps it for every
person on the case (app/base/offline.py), and answers saved on it offline replay after the
hand-back as the worker's user, recorded in the person's name, once (the ledger and the client id).

/cases/<case>/base/feedback/<perspective> is the older form with a "Who is answering?" choice:
the worker types in answers given on paper. It is a worker's screen (CurrentActor): its "Who is
answering?" field would let one person answer in another's name, so family mode is refused there
(403) and families use their own screen.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, select

from app import i18n
from app.base import feedback
from app.base.models import PERSPECTIVE_LABELS, Perspective
from app.cases.models import Case, Person, new_id
from app.cases.people import valid_client_id
from app.db import SessionDep
from app.family.screens import family_access, family_context
from app.forms import Form, SentForm
from app.security.auth import Actor, CurrentActor, FamilyActor
from app.security.permissions import get_case
from app.sync.ledger import Idempotent
from app.templating import flash, redirect, render

router = APIRouter()
FAMILY_PERSPECTIVES = {Perspective.young_person, Perspective.parent}
CANT_SAY = "cant_say"


def _perspective(value: str, actor: Actor) -> Perspective:
    try:
        perspective = Perspective(value)
    except ValueError:
        raise HTTPException(status_code=404) from None
    return perspective


def perspective_of(person: Person) -> Perspective:
    """Whose questions a person on the case answers: the young person's, or a parent's or carer's."""
    return Perspective.young_person if person.is_young_person else Perspective.parent


def _round(chosen: int | None) -> int | None:
    return chosen if chosen is not None and 1 <= chosen <= 50 else None


def _raters(session: Session, case: Case, perspective: Perspective) -> list[Person]:
    people = session.exec(select(Person).where(Person.case_id == case.id).order_by(Person.name)).all()
    if perspective is Perspective.young_person:
        return [p for p in people if p.is_young_person]
    return [p for p in people if not p.is_young_person]


def _form_context(
    session: Session,
    case: Case,
    actor: Actor,
    perspective: Perspective,
    form: Form | None = None,
    chosen_round: int | None = None,
) -> dict[str, Any]:
    existing = feedback.rounds(session=session, case_id=case.id)
    latest = chosen_round or (existing[-1] if existing else 1)
    return {
        "case": case,
        "perspective": perspective.value,
        "perspective_label": PERSPECTIVE_LABELS[perspective],
        "qs": feedback.question_set(perspective),
        "scale": feedback.SCALE,
        "scale_words": feedback.feedback_sets()["scale"],
        "raters": _raters(session, case, perspective) if perspective in FAMILY_PERSPECTIVES else [],
        "workers": feedback.workers_for(session=session, case=case),
        "rounds": list(range(1, max([latest, *existing]) + 2)),
        "latest_round": latest,
        "family_mode": actor.in_family_mode,
        "new_id": new_id(),
        "form": form,
    }


@router.get("/cases/{case_id}/base/feedback")
def triangulation(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, round: int | None = None
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    existing = feedback.rounds(session=session, case_id=case.id)
    chosen = round if round is not None and 1 <= round <= 50 else (existing[-1] if existing else 1)
    view = feedback.triangulation(session=session, case_id=case.id, review_round=chosen)
    return render(
        request,
        "base_assessment/triangulation.html",
        {
            "case": case,
            "view": view,
            "rounds": existing,
            "next_round": max([chosen, *existing]) + 1,
            "labels": PERSPECTIVE_LABELS,
            "scale_words": feedback.feedback_sets()["scale"],
        },
    )


@router.get("/cases/{case_id}/base/feedback/{perspective}")
def feedback_form(
    request: Request, case_id: int, perspective: str, session: SessionDep, actor: CurrentActor, round: int | None = None
) -> Response:
    """The worker picks the review round before handing over (the link carries ?round=N)."""
    chosen = _perspective(perspective, actor)
    case = get_case(session=session, actor=actor, case_id=case_id)
    return render(
        request,
        "base_assessment/feedback_form.html",
        _form_context(session, case, actor, chosen, chosen_round=_round(round)),
    )


def _answers(form: Form, session: Session, case: Case, perspective: Perspective) -> dict[str, Any]:
    """The worker rated, the review round, and each question's score (None for "can't say") and comment."""
    workers = {str(w.id): w for w in feedback.workers_for(session=session, case=case)}
    worker = form.choice("about_worker", workers.keys(), default=next(iter(workers), None))
    review_round = form.integer("round", required=True, minimum=1, maximum=50)
    scores: dict[str, int | None] = {}
    comments: dict[str, str] = {}
    for q in feedback.question_set(perspective)["questions"]:
        theme = q["theme"]
        answer = form.choice(f"score_{theme}", [*map(str, feedback.SCALE), CANT_SAY])
        scores[theme] = None if answer in (None, CANT_SAY) else int(answer)
        comments[theme] = form.text(f"comment_{theme}", max_length=1000)
    return {
        "about_worker_id": int(worker) if worker else None,
        "review_round": review_round,
        "scores": scores,
        "comments": comments,
    }


@router.post("/cases/{case_id}/base/feedback/{perspective}")
def record_feedback(
    request: Request,
    case_id: int,
    perspective: str,
    session: SessionDep,
    actor: CurrentActor,
    op: Idempotent,
    sent: SentForm,
) -> Response:
    chosen = _perspective(perspective, actor)
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    feedback_id = valid_client_id(form.text("id", max_length=36))
    if feedback_id is None:
        form.error("id", i18n.gettext("This form is out of date; please reload the page and try again."))
    if chosen in FAMILY_PERSPECTIVES:
        raters = {p.id: p.name for p in _raters(session, case, chosen)}
        rater_id = form.choice("rater", raters.keys())
        rater_name = raters.get(rater_id or "", "")
    else:
        rater_id = None
        rater_name = form.text("rater_name", required=True, max_length=120, label="The social worker's name")
    answers = _answers(form, session, case, chosen)
    if not form.ok:
        return render(
            request,
            "base_assessment/feedback_form.html",
            _form_context(session, case, actor, chosen, form),
            status_code=422,
        )
    feedback.record(
        session=session,
        case=case,
        by=actor,
        feedback_id=feedback_id,
        perspective=chosen,
        rater_name=rater_name,
        rater_person_id=rater_id,
        **answers,
    )
    flash(request, "Feedback saved.")
    return redirect(request, f"/cases/{case.id}/base/feedback?round={answers['review_round']}")


# ---- the family's own screen: its address names the case and who is answering ---------------


def _family_page(
    request: Request,
    session: Session,
    actor: Actor,
    case: Case,
    rater: Person,
    form: Form,
    chosen_round: int | None = None,
    status_code: int = 200,
) -> Response:
    perspective = perspective_of(rater)
    existing = feedback.rounds(session=session, case_id=case.id)
    ctx = family_context(
        session=session,
        actor=actor,
        case=case,
        rater=rater,
        form=form,
        perspective=perspective.value,
        qs=feedback.question_set(perspective),
        scale=feedback.SCALE,
        scale_words=feedback.feedback_sets()["scale"],
        workers=feedback.workers_for(session=session, case=case),
        # The latest review with any feedback, unless the worker's link names one (online only:
        # the page kept on the device is the one without ?round).
        review_round=form.values.get("round") or chosen_round or (existing[-1] if existing else 1),
        new_id=form.values.get("id") if form.values.get("id") and "id" not in form.errors else new_id(),
        action=f"/family/{case.id}/{rater.id}/feedback",
        next_url=f"/family/{case.id}/{rater.id}/done",
    )
    return render(request, "base_assessment/family_feedback.html", ctx, status_code=status_code)


@router.get("/family/{case_id:int}/{person_id}/feedback")
def family_feedback_page(
    request: Request, case_id: int, person_id: str, session: SessionDep, actor: FamilyActor, round: int | None = None
) -> Response:
    case, rater = family_access(session=session, actor=actor, case_id=case_id, person_id=person_id, request=request)
    return _family_page(request, session, actor, case, rater, Form(), chosen_round=_round(round))  # type: ignore[arg-type]


@router.post("/family/{case_id:int}/{person_id}/feedback")
def family_feedback(
    request: Request,
    case_id: int,
    person_id: str,
    session: SessionDep,
    actor: FamilyActor,
    op: Idempotent,
    sent: SentForm,
) -> Response:
    """One person's answers, in their name, whether sent now in family mode or later from the
    outbox by the worker's session after the hand-back; a replay of the same id changes nothing."""
    case, rater = family_access(session=session, actor=actor, case_id=case_id, person_id=person_id, request=request)
    assert rater is not None
    form = Form(sent)
    feedback_id = valid_client_id(form.text("id", max_length=36))
    if feedback_id is None:
        form.error("id", i18n.gettext("This form is out of date; please reload the page and try again."))
    perspective = perspective_of(rater)
    answers = _answers(form, session, case, perspective)
    if not form.ok:
        return _family_page(request, session, actor, case, rater, form, status_code=422)
    feedback.record(
        session=session,
        case=case,
        by=actor,
        feedback_id=feedback_id,
        perspective=perspective,
        rater_name=rater.name,  # type: ignore[arg-type]
        rater_person_id=rater.id,
        in_family_mode=True,
        **answers,
    )
    return redirect(request, f"/family/{case.id}/{rater.id}/done")
