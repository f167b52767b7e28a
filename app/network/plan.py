"""Network meeting tasks in the case's one plan (app/cases/plan.py)."""

from __future__ import annotations

from sqlmodel import Session

from app.cases.models import Case
from app.core.plan_rules import PlanItem
from app.network import service
from app.network.models import TaskStatus

KIND = "Network meeting task"
# The network's "not done" (said at a review) is still to do as far as the plan goes.
TO_PLAN = {TaskStatus.open: "open", TaskStatus.not_done: "open", TaskStatus.partly: "partly"}


def items(*, session: Session, case: Case) -> list[PlanItem]:
    """Every task agreed at the family's network meetings (one query)."""
    return [
        PlanItem(
            source="network",
            ref=task.id,
            kind=KIND,
            what=task.what,
            who=task.who,
            due_on=task.due_on,
            status=TO_PLAN.get(task.status, task.status),
            href=f"/cases/{case.id}#network-tasks",
            statuses=("open", "partly", "done", "dropped"),
        )
        for task in service.case_tasks(session=session, case=case)
    ]


def set_status(*, session: Session, case: Case, actor, ref: str, status: str) -> None:
    """The same change as the case page's task list makes: versioned, with its note kept."""
    task = next(t for t in service.case_tasks(session=session, case=case) if t.id == ref)
    service.update_task(
        session=session, case=case, task_id=ref, status=status, note=task.status_note, base_version=task.version
    )
