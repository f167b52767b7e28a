"""The network's part of the case page's "Needs doing": meeting tasks still open (one query)."""

from __future__ import annotations

from sqlmodel import Session, select

from app.cases.models import Case
from app.features import ToDo
from app.network.models import NetworkTask, TaskStatus


def items(*, session: Session, case: Case, actor) -> list[ToDo]:
    rows = session.exec(
        select(NetworkTask.what, NetworkTask.who, NetworkTask.due_on).where(
            NetworkTask.case_id == case.id, NetworkTask.status.in_([TaskStatus.open, TaskStatus.partly])
        )
    ).all()
    return [
        ToDo("task", what, due_on=due, url=f"/cases/{case.id}#part-network", who=who, source="Network meeting task")
        for what, who, due in rows
    ]
