"""Supervision notes: a case's, written by the supervisor of its team, and a worker's reflective
supervision with their competency ratings."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import select

from app.accounts.models import User
from app.audit import service as audit
from app.db import SessionDep
from app.forms import Form, SentForm
from app.ids import is_valid_id
from app.review import service
from app.security.auth import CurrentActor, Forbidden
from app.security.permissions import get_case, is_case_supervisor
from app.templating import flash, redirect, render

router = APIRouter()


@router.get("/cases/{case_id}/supervision")
def case_supervision(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    return render(request, "review/case_notes.html", _case_notes_ctx(session, actor, case))


def _case_notes_ctx(session, actor, case, form: Form | None = None) -> dict:
    notes = service.case_notes(session=session, case=case)
    users = {u.id: u for u in session.exec(select(User).where(User.id.in_({n.by_user_id for n in notes}))).all()}
    return {
        "case": case,
        "notes": notes,
        "users": users,
        "can_write": is_case_supervisor(actor.user, case),
        "form": form or Form(),
    }


@router.post("/cases/{case_id}/supervision")
def add_case_note(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    if not is_case_supervisor(actor.user, case):
        raise Forbidden("Case supervision notes are written by the supervisor of the case's team.")
    form = Form(sent)
    text = form.text("text", required=True, max_length=4000, label="What was discussed")
    decision = form.text("decision", required=True, max_length=2000, label="Decision")
    rationale = form.text("rationale", required=True, max_length=2000, label="Why")
    if not form.ok:
        return render(request, "review/case_notes.html", _case_notes_ctx(session, actor, case, form), status_code=422)
    note = service.add_case_note(
        session=session, case=case, text=text, decision=decision, rationale=rationale, by=actor.user
    )
    audit.record(
        session=session,
        actor=actor,
        action="create",
        object_type="supervision_note",
        object_id=note.id,
        case_id=case.id,
    )
    flash(request, "Supervision note added.")
    return redirect(request, f"/cases/{case.id}/supervision")


def _worker_or_404(session, actor, worker_id: int) -> User:
    worker = session.get(User, worker_id) if is_valid_id(worker_id) else None
    if worker is None or not service.may_see_reflective(actor.user, worker):
        raise HTTPException(status_code=404)
    return worker


@router.get("/supervision/{worker_id}")
def worker_supervision(request: Request, worker_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    worker = _worker_or_404(session, actor, worker_id)
    audit.record(session=session, actor=actor, action="read", object_type="reflective_notes", object_id=worker.id)
    return render(request, "review/worker.html", _worker_ctx(session, actor, worker))


def _worker_ctx(session, actor, worker: User, form: Form | None = None) -> dict:
    notes = service.reflective_notes(session=session, worker=worker)
    users = {u.id: u for u in session.exec(select(User).where(User.id.in_({n.by_user_id for n in notes}))).all()}
    return {
        "worker": worker,
        "notes": notes,
        "users": users,
        "competency": service.competency(session=session, worker_ids=[worker.id]).get(worker.id, {}),
        "areas": service.COMPETENCY_AREAS,
        "levels": service.COMPETENCY_LEVELS,
        "form": form or Form(),
    }


@router.post("/supervision/{worker_id}/notes")
def add_reflective_note(
    request: Request, worker_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    worker = _worker_or_404(session, actor, worker_id)
    form = Form(sent)
    text = form.text("text", required=True, max_length=4000, label="Note")
    if not form.ok:
        return render(request, "review/worker.html", _worker_ctx(session, actor, worker, form), status_code=422)
    note = service.add_reflective_note(session=session, worker=worker, text=text, by=actor.user)
    audit.record(session=session, actor=actor, action="create", object_type="reflective_note", object_id=note.id)
    flash(request, "Reflective note added.")
    return redirect(request, f"/supervision/{worker.id}")


@router.post("/supervision/{worker_id}/competency")
def rate_competency(
    request: Request, worker_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    worker = _worker_or_404(session, actor, worker_id)
    form = Form(sent)
    area = form.choice("area", [c for c, _ in service.COMPETENCY_AREAS])
    level = form.choice("level", [c for c, _ in service.COMPETENCY_LEVELS])
    if not form.ok:
        return render(request, "review/worker.html", _worker_ctx(session, actor, worker, form), status_code=422)
    try:
        rating = service.rate_competency(session=session, worker=worker, area=area, level=level, by=actor.user)
    except service.Refused as exc:
        raise Forbidden(str(exc)) from exc
    audit.record(session=session, actor=actor, action="create", object_type="competency_rating", object_id=rating.id)
    flash(request, "Competency rating saved.")
    return redirect(request, f"/supervision/{worker.id}")
