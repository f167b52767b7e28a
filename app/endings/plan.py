"""Tasks prompted on a return from dormancy, in the case's one plan (app/cases/plan.py).

A prompted task closes itself when what it asks for is done: "Do a Diamond rating" closes with
the first Diamond rating recorded after the case came back (issue 18).
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from app.cases.models import Case
from app.core.plan_rules import PlanItem
from app.diamond.models import DiamondRating
from app.endings import service
from app.endings.models import EndingTask, Reactivation
from app.timeutil import local

KIND = "Prompted task"


def _closes_with_a_rating(task: EndingTask) -> bool:
    return "diamond" in task.what.lower()


def items(*, session: Session, case: Case) -> list[PlanItem]:
    """Every prompted task, a Diamond prompt closing itself once a rating follows it (two queries)."""
    rows = session.exec(
        select(EndingTask, Reactivation.reactivated_at)
        .join(Reactivation, Reactivation.id == EndingTask.reactivation_id)
        .where(EndingTask.case_id == case.id)
    ).all()
    open_diamond = [(t, at) for t, at in rows if t.done_at is None and _closes_with_a_rating(t)]
    rated = None
    if open_diamond:
        since = min(at for _, at in open_diamond)
        rated = session.exec(
            select(func.min(DiamondRating.recorded_at)).where(
                DiamondRating.case_id == case.id, DiamondRating.recorded_at >= since
            )
        ).one()
    out = []
    for task, back_at in rows:
        closed_by = ""
        if task.done_at is None and _closes_with_a_rating(task) and rated is not None and rated >= back_at:
            closed_by = f"A Diamond rating on {local(rated):%-d %b %Y}"
            task.done_at = rated
            session.add(task)
        out.append(
            PlanItem(
                source="endings",
                ref=task.id,
                kind=KIND,
                what=task.what,
                who="Key worker",
                due_on=task.due_on,
                status="done" if task.done_at else "open",
                href=f"/cases/{case.id}#part-endings",
                closed_by=closed_by,
            )
        )
    return out


def set_status(*, session: Session, case: Case, actor, ref: str, status: str) -> None:
    service.complete_task(session=session, case=case, by=actor, task_id=ref, done=status == "done")
