"""BASE plan steps in the case's one plan (app/cases/plan.py)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app.base import service
from app.base.models import VersionStatus
from app.cases.models import Case
from app.core.plan_rules import PlanItem
from app.refused import Refused

KIND = "BASE plan step"


def items(*, session: Session, case: Case) -> list[PlanItem]:
    """The steps of the newest BASE version (one query)."""
    version = service.current_version(session=session, case_id=case.id)
    if version is None:
        return []
    return [
        PlanItem(
            source="base",
            ref=step["id"],
            kind=KIND,
            what=step.get("what", ""),
            who=step.get("who", ""),
            due_on=date.fromisoformat(step["by_when"]) if step.get("by_when") else None,
            status="done" if step.get("done") else "open",
            href=f"/cases/{case.id}/base/plan",
        )
        for step in version.content.get("steps", [])
    ]


def set_status(*, session: Session, case: Case, actor, ref: str, status: str) -> None:
    """Mark the step done or not done in the draft; a submitted version waits for a new one."""
    version = service.current_version(session=session, case_id=case.id)
    if version.status != VersionStatus.draft:
        raise Refused("The BASE assessment is submitted for review: start a new version to change its plan.")
    service.edit_step(session=session, version=version, by=actor, item_id=ref, fields={"done": status == "done"})
