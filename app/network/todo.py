"""The network's part of the case page's "Needs doing": meeting tasks still open (one query)."""

from __future__ import annotations

from sqlmodel import Session

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
