"""The tasks a return to work prompts (PROMPTED_TASKS): ticked by hand, closed when their work is
done elsewhere, or closed undone when the work ends.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.audit import service as audit
from app.cases.models import Case
from app.cases.service import Conflict, Refused
from app.endings.models import EndingTask
from app.security.auth import Actor
from app.timeutil import utcnow

PROMPTED_TASKS = (
    "Update the Signs of Safety map or the BASE risk assessment",
    "Do a Diamond rating with the young person and family",
)
UNDONE = "Not done: "  # how `closed_by` begins for a task closed because its work ended


def drop_prompted_tasks(*, session: Session, case: Case, by: Actor, why: str) -> None:
    """Close the tasks a return to work prompted that are still open when that work ends, so a
    later return does not find them waiting beside its own (each prompted twice, overdue)."""
    for task in session.exec(
        select(EndingTask).where(EndingTask.case_id == case.id, EndingTask.done_at.is_(None))
    ).all():
        close_task(session=session, task=task, by=by, closed_by=f"{UNDONE}{why}", detail=f"closed undone: {why}")


def undone_because(task: EndingTask) -> str:
    """Why a prompted task was closed without being done ("the work ended"), or "" for one done or open:
    it belongs to work that is over, so it is neither shown as done nor ticked any more."""
    return task.closed_by.removeprefix(UNDONE) if task.done_at and task.closed_by.startswith(UNDONE) else ""


def close_task(*, session: Session, task: EndingTask, by: Actor, closed_by: str, detail: str) -> None:
    """Close a prompted task that nobody ticked (its work was done elsewhere, or is over), audited."""
    task.done_at, task.done_by_id = utcnow(), by.id
    task.closed_by = closed_by[:120]
    task.version += 1
    session.add(task)
    audit.record(
        session=session,
        actor=by,
        action="close",
        object_type="ending_task",
        object_id=task.id,
        case_id=task.case_id,
        detail=detail,
    )


def complete_task(
    *, session: Session, case: Case, by: Actor, task_id: str, done: bool, base_version: int | None = None
) -> EndingTask:
    """Mark a prompted task done (or not done again)."""
    task = session.get(EndingTask, task_id)
    if task is None or task.case_id != case.id:
        raise Refused("That task is not on this case.")
    if undone_because(task):
        raise Refused("That task belongs to work that has ended.")
    if base_version is not None and base_version != task.version:
        raise Conflict("The task changed since this page was opened.", current_version=task.version)
    task.done_at, task.done_by_id = (utcnow(), by.id) if done else (None, None)
    task.closed_by = ""  # ticked (or unticked) by hand
    task.version += 1
    session.add(task)
    audit.record(
        session=session,
        actor=by,
        action="update",
        object_type="ending_task",
        object_id=task.id,
        case_id=case.id,
        detail="done" if done else "not done",
    )
    session.flush()
    return task
