"""Endings' part of the case page's "Needs doing": prompted tasks, an ending waiting for the
supervisor's approval and the dormant review (a constant few queries)."""

from __future__ import annotations

from sqlmodel import Session

from app.cases import reads
from app.cases.models import Case, CaseStatus
from app.endings import service
from app.endings.models import EndingTask, Reactivation
from app.features import ToDo

reads.per_case(EndingTask)  # read whole per case page (app/cases/reads.py)


def items(*, session: Session, case: Case, actor) -> list[ToDo]:
    # The tasks a return to work prompted are that work's: shown while it lasts, for the latest
    # return only (an ending closes them, app/endings/prompted_tasks.py `drop_prompted_tasks`; a case
    # closed from the status screen and reopened starts again).
    back = max(
        reads.rows(session=session, model=Reactivation, case_id=case.id), key=lambda r: r.reactivated_at, default=None
    )
    found = [
        ToDo("task", t.what, due_on=t.due_on, url=f"/cases/{case.id}#part-endings", source="Ending")
        for t in reads.rows(session=session, model=EndingTask, case_id=case.id)
        if t.done_at is None and case.status == CaseStatus.active and back is not None and t.reactivation_id == back.id
    ]
    if case.status == CaseStatus.active:
        pending = service.pending_ending(session=session, case=case)
        if pending is not None and (pending[1] is None or pending[1].status != "returned"):
            # Said at the top: the case stays active until the supervisor approves (issue 19).
            found.append(
                ToDo("waiting", "Ending awaiting approval", url=f"/cases/{case.id}#part-endings", source="Ending")
            )
    if case.status == CaseStatus.dormant:
        spell = service.open_spell(session=session, case=case)
        if spell is not None:
            found.append(
                ToDo(
                    "task",
                    "Dormant review",
                    due_on=spell.review_due_on,
                    url=f"/cases/{case.id}/dormant-review",
                    source="Ending",
                    key="dormant_review",
                )
            )
    return found
