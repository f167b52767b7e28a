"""The network's part of the case page's "Needs doing": meeting tasks still open (one query)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from app.cases import reads
from app.cases.models import Case
from app.features import ToDo
from app.network.models import NetworkTask, TaskStatus

reads.per_case(NetworkTask)  # read whole per case page (app/cases/reads.py)


def items(*, session: Session, case: Case, actor) -> list[ToDo]:
    return [
        ToDo(
            "task",
            t.what,
            due_on=t.due_on,
            url=f"/cases/{case.id}#part-network",
            who=t.who,
            source="Network meeting task",
        )
        for t in reads.rows(session=session, model=NetworkTask, case_id=case.id)
        # "Not done" at a review is still to do (as the glance line and the plan count it).
        if t.status not in (TaskStatus.done, TaskStatus.dropped)
    ]


def closing_note(*, session: Session, case: Case) -> str | None:
    """Tasks the family's network agreed and still open (one query): closing the case leaves them
    as they are, so the worker is told before closing (never refused)."""
    still_open = session.exec(
        select(func.count())
        .select_from(NetworkTask)
        .where(NetworkTask.case_id == case.id, NetworkTask.status.not_in((TaskStatus.done, TaskStatus.dropped)))
    ).one()
    if not still_open:
        return None
    tasks = (
        "1 task agreed at the family's network meetings is"
        if still_open == 1
        else (f"{still_open} tasks agreed at the family's network meetings are")
    )
    return (
        f"{tasks} still open. Closing the case does not change them: if they were done or are no longer "
        "needed, mark them in the Network part of the case page first."
    )
