"""Network tasks: those a review meeting opens with, the case's task list and progress marked on it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from app.cases import reads
from app.cases.models import Case
from app.network.models import (
    NetworkMeeting,
    NetworkTask,
    TaskStatus,
    TaskUpdate,
)
from app.network.refusals import StaleVersion
from app.refused import WrongCase
from app.timeutil import utcnow


def tasks_to_review(*, session: Session, case: Case, before_meeting_id: str | None = None) -> list[NetworkTask]:
    """The tasks a review meeting opens with: those from earlier meetings not yet done or dropped,
    plus any this meeting already updated (so an edit shows them again)."""
    query = select(NetworkTask).where(NetworkTask.case_id == case.id)
    if before_meeting_id:
        updated_here = select(TaskUpdate.task_id).where(TaskUpdate.meeting_id == before_meeting_id)
        query = query.where(NetworkTask.meeting_id != before_meeting_id).where(
            NetworkTask.status.not_in([TaskStatus.done, TaskStatus.dropped]) | NetworkTask.id.in_(updated_here)
        )
    else:
        query = query.where(NetworkTask.status.not_in([TaskStatus.done, TaskStatus.dropped]))
    return list(session.exec(query.order_by(NetworkTask.due_on, NetworkTask.position)).all())


def reviewed_elsewhere(*, session: Session, meeting: NetworkMeeting) -> dict[str, tuple[NetworkTask, date]]:
    """This meeting's tasks that another meeting reviewed, with the day of the latest such meeting
    (one query): that meeting's record shows them as they are, so they stay as they are."""
    rows = session.exec(
        select(NetworkTask, func.max(NetworkMeeting.held_on))
        .join(TaskUpdate, TaskUpdate.task_id == NetworkTask.id)
        .join(NetworkMeeting, NetworkMeeting.id == TaskUpdate.meeting_id)
        .where(NetworkTask.meeting_id == meeting.id, TaskUpdate.meeting_id != meeting.id)
        .group_by(NetworkTask.id)
    ).all()
    return {task.id: (task, held_on) for task, held_on in rows}


def earlier_tasks(*, session: Session, case: Case, task_ids: list[str], meeting_id: str) -> list[NetworkTask]:
    """The case's tasks with these ids agreed at other meetings (one query)."""
    query = select(NetworkTask).where(
        NetworkTask.id.in_(task_ids), NetworkTask.case_id == case.id, NetworkTask.meeting_id != meeting_id
    )
    return list(session.exec(query.order_by(NetworkTask.due_on, NetworkTask.position)).all())


def case_tasks(*, session: Session, case: Case) -> list[NetworkTask]:
    """Every network task on the case, open ones first, soonest due first (one query)."""
    finished = (TaskStatus.done, TaskStatus.dropped)
    return sorted(  # undated tasks after dated ones (as PostgreSQL sorts NULLs)
        reads.rows(session=session, model=NetworkTask, case_id=case.id),
        key=lambda t: (t.status in finished, t.due_on is None, t.due_on or date.min, t.position),
    )


def update_task(
    *, session: Session, case: Case, task_id: str, status: str, note: str | None, base_version: int
) -> tuple[NetworkTask, bool]:
    """Mark progress on one task from the case's task list, outside a meeting; whether it changed.

    `note` None keeps the task's note (the case page's form has none: a review meeting's note
    stays). The same status and note change nothing, so a copy of the task kept offline from
    this version is not made stale by an Update that said what the task already said.
    """
    task = session.get(NetworkTask, task_id)
    if task is None or task.case_id != case.id:
        raise WrongCase()
    note = task.status_note if note is None else note
    if (task.status, task.status_note) == (status, note):
        return task, False  # nothing to change, or a replay of the edit that made this version
    # A version past the task's own comes only from the outbox, which moves a later item's version
    # on after an Update applies (offline.js followOn), even one that changed nothing.
    if base_version < task.version:
        raise StaleVersion(task.version)
    task.status, task.status_note = status, note
    task.version += 1
    task.updated_at = utcnow()
    session.add(task)
    session.flush()
    return task, True
