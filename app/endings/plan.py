"""Tasks prompted on a return from dormancy, in the case's one plan (app/cases/plan.py).

A prompted task closes itself when what it asks for is saved (app/endings/fulfils.py): the plan
reads what closed it from the task (`closed_by`), it never changes anything while reading.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.cases.models import Case
from app.core.plan_rules import PlanItem
from app.endings import service
from app.endings.models import EndingTask

KIND = "Prompted task"


def items(*, session: Session, case: Case) -> list[PlanItem]:
    """Every prompted task (one query); one its work ended before it was done is no longer needed,
    and stays so (it belongs to that work)."""
    return [_item(case, task) for task in session.exec(select(EndingTask).where(EndingTask.case_id == case.id)).all()]


def _item(case: Case, task: EndingTask) -> PlanItem:
    undone = service.undone_because(task)
    return PlanItem(
        source="endings",
        ref=task.id,
        kind=KIND,
        what=task.what,
        who="Key worker",
        due_on=task.due_on,
        status="dropped" if undone else "done" if task.done_at else "open",
        href=f"/cases/{case.id}#part-endings",
        statuses=("dropped",) if undone else ("open", "done"),
        closed_by=undone or (task.closed_by if task.done_at else ""),
    )


def set_status(*, session: Session, case: Case, actor, ref: str, status: str) -> None:
    service.complete_task(session=session, case=case, by=actor, task_id=ref, done=status == "done")
