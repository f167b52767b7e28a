"""The network task list's form: how a task agreed at a meeting is going, from the case page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.audit import service as audit
from app.db import SessionDep
from app.forms import Form, SentForm
from app.network import service
from app.network.models import TASK_STATUS_LABELS, TaskStatus
from app.network.web import conflict_page
from app.security.auth import CurrentActor
from app.security.permissions import get_case
from app.templating import flash, redirect

router = APIRouter()


@router.post("/cases/{case_id}/network/tasks/{task_id}")
def update_task(
    request: Request, case_id: int, task_id: str, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    status = form.choice("status", [s.value for s in TaskStatus])
    # The case page's form has no note: the one a review meeting gave the task is kept.
    note = form.text("note", max_length=500) if "note" in sent else None
    base = form.integer("base_version", required=True, minimum=0)
    if not form.ok:
        flash(request, "Please choose how the task is going.", "error")
        return redirect(request, f"/cases/{case.id}#network-tasks")
    try:
        task, changed = service.update_task(
            session=session, case=case, task_id=task_id, status=status, note=note, base_version=base
        )  # type: ignore[arg-type]
    except service.StaleVersion:
        return conflict_page(request, case, f"/cases/{case.id}#network-tasks", "this task")
    if not changed:
        flash(request, f"Nothing to change: the task already says “{TASK_STATUS_LABELS[status]}”.")
        return redirect(request, f"/cases/{case.id}#network-tasks")
    audit.record(
        session=session,
        actor=actor,
        action="update",
        object_type="network_task",
        object_id=task.id,
        case_id=case.id,
        detail=status or "",
    )
    flash(request, "Task updated.")
    return redirect(request, f"/cases/{case.id}#network-tasks")
