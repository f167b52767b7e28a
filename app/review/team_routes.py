"""Reallocation as a supervisor does it: move the case (app/cases/reallocation.py), then tell both
workers (issue 19). A flow in review because notifications live here."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.accounts.models import Role, User
from app.cases import reallocation
from app.cases.models import Case
from app.db import SessionDep
from app.forms import Form, SentForm
from app.refused import Refused
from app.review import service
from app.security.auth import CurrentActor, Forbidden
from app.security.permissions import get_case
from app.templating import flash, redirect, render

router = APIRouter()


def _require_team_supervisor(actor, case: Case) -> None:
    if actor.role is not Role.supervisor or actor.user.team_id != case.team_id:
        raise Forbidden("Only the team's supervisor can reallocate a case.")


def _ctx(session: Session, case: Case, form: Form | None = None) -> dict:
    workers = reallocation.team_workers(session=session, case=case)
    return {
        "case": case,
        "form": form,
        "key_workers": [(u.id, u.full_name) for u in workers],
        "co_workers": [(u.id, u.full_name) for u in reallocation.co_worker_choices(session=session)],
        "current_key": case.key_worker_id,
        "current_co": case.co_worker_id,
        "can_move": case.status in reallocation.REALLOCATABLE,
    }


@router.get("/cases/{case_id}/reallocate")
def reallocate_form(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    _require_team_supervisor(actor, case)
    return render(request, "review/reallocate.html", _ctx(session, case))


@router.post("/cases/{case_id}/reallocate")
def reallocate(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    _require_team_supervisor(actor, case)
    form = Form(sent)
    ctx = _ctx(session, case, form)
    key = form.choice("key_worker", [k for k, _ in ctx["key_workers"]])
    co = form.choice("co_worker", [k for k, _ in ctx["co_workers"]], required=False)
    reason = form.text("reason", required=True, max_length=2000, label="The reason for the move")
    if not form.ok:
        return render(request, "review/reallocate.html", ctx, status_code=422)
    try:
        moved = reallocation.reallocate(
            session=session,
            case=case,
            by=actor,
            key_worker_id=int(key) if key else None,
            co_worker_id=int(co) if co else None,
            reason=reason,
        )
    except Refused as refused:
        session.rollback()
        form.error(refused.field or "reason", refused.message)
        case = session.get(Case, case_id)
        return render(request, "review/reallocate.html", _ctx(session, case, form), status_code=422)
    new_name = session.get(User, case.key_worker_id).full_name
    service.tell_of_reallocation(
        session=session,
        case=case,
        before={moved.previous_worker_id, moved.previous_co_worker_id},
        text=f"{case.reference} ({case.display_name}) reallocated to {new_name}: {reason}",
        by=actor.user,
    )
    flash(request, f"The case is now held by {new_name}.")
    return redirect(request, f"/cases/{case.id}")
