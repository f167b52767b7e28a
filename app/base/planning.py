"""The BASE plan: steps and statutory requirements, and finalising it past its gate with a review date."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from app.base import rules
from app.base.changes import _add, _content, _edit, _save, find_item
from app.base.models import BaseVersion
from app.base.stages import stage_counts
from app.refused import Refused
from app.security.auth import Actor
from app.timeutil import utcnow

STEP_FIELDS = ("what", "who", "by_when", "how_we_know", "outcome", "risk_ids", "done")
REQUIREMENT_KINDS = {
    "cin_plan": "Child in need plan",
    "cp_plan": "Child protection plan",
    "court_order": "Court order",
    "other": "Other statutory requirement",
}


class PlanGated(Refused):
    """Finalising the plan was refused because earlier stages are empty."""

    def __init__(self, gaps: list[str]) -> None:
        super().__init__(rules.plan_gap_message(gaps))
        self.gaps = gaps


def save_step(
    *, session: Session, version: BaseVersion, by: Actor, item_id: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """Add a plan step (what, who, by when, how we'll know; linked outcome and risks)."""
    content = _content(version)
    item, added = _add(content["steps"], item_id=item_id, fields=fields, by=by)
    if added:
        _plan_changed(content, version)
        _save(session=session, version=version, content=content, by=by, what="plan step", item_id=item_id)
    return item


def edit_step(
    *, session: Session, version: BaseVersion, by: Actor, item_id: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """Change a plan step (the fields as merged by the route). Ticking it done (or not) is progress
    on the plan, not a change to it: a finalised plan stays finalised."""
    content = _content(version)
    before = dict(find_item(content["steps"], item_id))
    item, changed = _edit(content["steps"], item_id=item_id, fields=fields, by=by)
    if changed and any(before.get(k) != v for k, v in fields.items() if k != "done"):
        _plan_changed(content, version)
    if changed:
        _save(session=session, version=version, content=content, by=by, what="plan step", item_id=item_id)
    return item


def add_requirement(
    *, session: Session, version: BaseVersion, by: Actor, item_id: str, kind: str, text: str
) -> dict[str, Any]:
    """A statutory requirement (CIN or CP plan, court order): a non-negotiable part of the plan."""
    content = _content(version)
    item, added = _add(content["requirements"], item_id=item_id, fields={"kind": kind, "text": text}, by=by)
    if added:
        _plan_changed(content, version)
        _save(session=session, version=version, content=content, by=by, what="statutory requirement", item_id=item_id)
    return item


def _plan_changed(content: dict, version: BaseVersion) -> None:
    """A finalised plan changed: it is a draft plan again, to be finalised again (with its review
    date), so nobody reads as finalised a plan that was not finalised in that form."""
    if content.get("plan", {}).get("finalised"):
        content["plan"]["finalised"] = False
        content["stages"]["plan"]["done"] = False
        version.plan_finalised_at = None


def finalise_plan(*, session: Session, version: BaseVersion, by: Actor, review_on: date) -> None:
    """Finalise the plan with its review date, unless engagement, resilience or risk is empty."""
    content = _content(version)
    gaps = rules.plan_gaps(stage_counts(content))
    if gaps:
        raise PlanGated(gaps)
    content["plan"] = {"review_on": review_on.isoformat(), "finalised": True}
    content["stages"]["plan"]["done"] = True
    version.plan_finalised_at = utcnow()
    _save(session=session, version=version, content=content, by=by, what="plan finalised")
