"""The network's part of the case page: latest meeting, FGDM, and the case's task list."""

from __future__ import annotations

from sqlmodel import Session

from app.cases.models import Case
from app.core.plan_rules import is_overdue
from app.network import service
from app.network.models import FGDM_STATUS_LABELS, MEETING_KIND_LABELS, TASK_STATUS_LABELS, TaskStatus
from app.security.permissions import can_change_case
from app.timeutil import today


def context(*, session: Session, case: Case, actor) -> dict:
    summary = service.section_summary(session=session, case=case)
    now = today()
    return {
        **summary,
        # One overdue rule for every kind of task (app/core/plan_rules.py).
        "overdue": {
            t.id
            for t in summary.get("tasks", [])
            if is_overdue(t.due_on, finished=t.status in (TaskStatus.done, TaskStatus.dropped), today=now)
        },
        "can_change": can_change_case(actor.user, case),
        "labels": {"kinds": MEETING_KIND_LABELS, "task_status": TASK_STATUS_LABELS, "fgdm": FGDM_STATUS_LABELS},
    }
