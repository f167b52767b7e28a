"""The young person's circumstances: where they live, education, training or employment, and
missing episodes with their return."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.cases import living as living_service
from app.cases import people as people_service
from app.cases.models import MissingEpisode, new_id
from app.cases.record_forms import _not_before_birth
from app.cases.service import Refused
from app.core.codes import EDUCATION, LIVING
from app.db import SessionDep
from app.forms import Form, SentForm
from app.security.auth import CurrentActor
from app.security.permissions import get_case
from app.sync.ledger import Idempotent
from app.templating import flash, redirect, render
from app.timeutil import device_time, given_at, today, utcnow

router = APIRouter()


def _living_ctx(session: Session, case, form, record_id: str, which: str = "living") -> dict:
    """The circumstances page: where they live, education, missing episodes; `which` is the form
    that was sent (its errors and values are shown, the other forms start fresh)."""
    missing = living_service.missing_episodes(session=session, case=case)
    return {
        "case": case,
        "form": form if which == "living" else None,
        "education_form": form if which == "education" else None,
        "missing_form": form if which == "missing" else None,
        "return_form": form if which == "return" else None,
        "history": living_service.history(session=session, case=case),
        "education_history": living_service.education_history(session=session, case=case),
        "missing": missing,
        "still_missing": [
            (m.id, f"Missing from {m.went_missing_on:%-d %b %Y}") for m in missing if m.returned_on is None
        ],
        "codes": LIVING,
        "labels": dict(LIVING),
        "education_codes": EDUCATION,
        "education_labels": dict(EDUCATION),
        "today": today(),
        "new_id": record_id if which == "living" else new_id(),
        "education_id": record_id if which == "education" else new_id(),
        "missing_id": record_id if which == "missing" else new_id(),
    }


def _given_at(form: Form, since):
    """When the device says the form was given (its data-stamp, app.js), trusted as far as
    app/timeutil.py `given_at` trusts it: an entry kept offline and sent later does not take the
    place of one given since for the same day."""
    return given_at(device_time(form.values.get("recorded_at") or ""), on=since, now=utcnow())


@router.get("/cases/{case_id}/living")
def living_page(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    return render(request, "cases/living.html", _living_ctx(session, case, None, new_id()))


@router.post("/cases/{case_id}/living")
def record_living(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    record_id = people_service.valid_client_id(form.values.get("id")) or new_id()
    living = form.choice("living", [c for c, _ in LIVING])
    with_whom = form.text("with_whom", max_length=200)
    since = form.date("since", required=True, not_future=True, label="The date it started")
    _not_before_birth(form, "since", since, case)
    if not form.ok:
        return render(request, "cases/living.html", _living_ctx(session, case, form, record_id), status_code=422)
    living_service.record(
        session=session,
        case=case,
        by=actor,
        living=living,
        with_whom=with_whom,
        since=since,
        record_id=record_id,
        given_at=_given_at(form, since),
    )
    flash(request, "Where the young person lives is recorded.")
    return redirect(request, f"/cases/{case.id}/living")


@router.post("/cases/{case_id}/education")
def record_education(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    record_id = people_service.valid_client_id(form.values.get("id")) or new_id()
    education = form.choice("education", [c for c, _ in EDUCATION])
    attendance = form.integer("attendance_percent", minimum=0, maximum=100)
    since = form.date("education_since", required=True, not_future=True, label="The date it started")
    _not_before_birth(form, "education_since", since, case)
    if not form.ok:
        ctx = _living_ctx(session, case, form, record_id, "education")
        return render(request, "cases/living.html", ctx, status_code=422)
    living_service.record_education(
        session=session,
        case=case,
        by=actor,
        education=education,
        attendance_percent=attendance,
        since=since,
        record_id=record_id,
        given_at=_given_at(form, since),
    )
    flash(request, "Education, training or employment is recorded.")
    return redirect(request, f"/cases/{case.id}/living")


@router.post("/cases/{case_id}/missing")
def record_missing(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    record_id = people_service.valid_client_id(form.values.get("id")) or new_id()
    went = form.date("went_missing_on", required=True, not_future=True, label="The day they went missing")
    back = form.date("returned_on", not_future=True, label="The day they came back")
    _not_before_birth(form, "went_missing_on", went, case)
    if went and back and back < went:
        form.error("returned_on", "The day they came back is before the day they went missing.")
    if not form.ok:
        ctx = _living_ctx(session, case, form, record_id, "missing")
        return render(request, "cases/living.html", ctx, status_code=422)
    living_service.record_missing(
        session=session, case=case, by=actor, went_missing_on=went, returned_on=back, record_id=record_id
    )
    flash(request, "The missing episode is recorded.")
    return redirect(request, f"/cases/{case.id}/living")


@router.post("/cases/{case_id}/missing/returned")
def record_return(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    """The day the young person came back, for an episode still open. The form names the episode,
    so a kept page sent later ends that one episode instead of adding a second."""
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    episode = session.get(MissingEpisode, form.values.get("episode_id") or "")
    if episode is None or episode.case_id != case.id:
        raise HTTPException(status_code=404)
    back = form.date("came_back_on", required=True, not_future=True, label="The day they came back")
    if form.ok:
        try:
            living_service.record_return(
                session=session, case=case, by=actor, episode=episode, returned_on=back, field="came_back_on"
            )
        except Refused as refused:
            session.rollback()
            form.error(refused.field or "came_back_on", refused.message)
    if not form.ok:
        return render(
            request, "cases/living.html", _living_ctx(session, case, form, new_id(), "return"), status_code=422
        )
    flash(request, "Their return is recorded.")
    return redirect(request, f"/cases/{case.id}/living")
