"""Where the goals assessed at an ending come from.

A goal source is a function `(*, session, case) -> list[Goal]`, registered in SOURCES by name. The
family network's agreed tasks are one today; the Signs of Safety plan and the BASE plan can add
theirs here (one line each) when those features land, without changing the ending form. When no
source has goals, the worker lists them in the ending form itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, select

from app.cases import plan
from app.cases.models import Case
from app.network.models import NetworkTask


@dataclass(frozen=True)
class Goal:
    source: str  # the source's name, stored with the rating
    ref: str  # the goal's id in its source
    text: str


def network_tasks(*, session: Session, case: Case) -> list[Goal]:
    """Tasks agreed at the family's network meetings, other than ones no longer needed."""

    rows = session.exec(
        select(NetworkTask.id, NetworkTask.what)
        .where(NetworkTask.case_id == case.id, NetworkTask.status != "dropped")
        .order_by(NetworkTask.due_on, NetworkTask.position)
        .limit(50)
    ).all()
    return [Goal(source="network_task", ref=task_id, text=what) for task_id, what in rows]


def plan_items(*, session: Session, case: Case) -> list[Goal]:
    """Every other open item of the case's one plan (app/cases/plan.py): Signs of Safety next
    steps, BASE plan steps and prompted tasks, so the ending reviews all that is still open."""
    return [
        Goal(source="plan", ref=item.key, text=f"{item.what} ({item.kind.lower()})")
        for item in plan.open_items(session=session, case=case)
        if item.source != "network"
    ]


SOURCES: dict[str, Callable[..., list[Goal]]] = {"network_task": network_tasks, "plan": plan_items}


def goals_for(*, session: Session, case: Case) -> list[Goal]:
    """Every source's goals for `case`, in the order of SOURCES (one query per source)."""
    return [goal for source in SOURCES.values() for goal in source(session=session, case=case)]
