"""The five BASE stages as a whole: marking one done or reopening it, what each holds, and the summary
(statuses, progress, supervisor flags and the plan's gate).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.base import rules
from app.base.changes import _content, _save
from app.base.engagement import engagement
from app.base.models import BaseVersion
from app.refused import Refused
from app.security.auth import Actor


def set_stage_done(*, session: Session, version: BaseVersion, by: Actor, stage: str, done: bool) -> None:
    """Mark a stage done, or reopen it (any stage may be reopened as more is known). The plan is
    done only by being finalised, past its gate and with its review date (`finalise_plan`); marking
    a finalised plan done (from a page kept on the device) changes nothing and is no refusal."""
    content = _content(version)
    if content["stages"][stage]["done"] == done:
        return
    if stage == "plan" and done:
        raise Refused("The plan is done when it is finalised: give its review date and finalise it.", field="review_on")
    content["stages"][stage]["done"] = done
    if stage == "plan" and not done:
        content["plan"]["finalised"] = False
        version.plan_finalised_at = None
    _save(session=session, version=version, content=content, by=by, what=f"{stage} {'done' if done else 'reopened'}")


def stage_counts(content: dict[str, Any]) -> dict[str, int]:
    """How much each stage holds (the gate and the progress indicator read these)."""
    judgement = 1 if content["risk_judgement"].get("level") else 0
    return {
        "engagement": len(engagement(content)),
        "resilience": len(content["resilience"]["marks"]),
        "risk": len(content["risks"]) + judgement,
        "analysis": len(content["notes"]) + len(content["meetings"]),
        "plan": len(content["steps"]) + len(content["requirements"]),
    }


STEP_PARTS = ("what", "who", "by_when", "how_we_know", "outcome")


def full_stages(content: dict[str, Any]) -> set[str]:
    """Stages whose one item says everything asked of it: a plan step with what, who, by when,
    how we will know and the outcome it serves is not a thin plan."""
    full = set()
    if any(all(s.get(p) for p in STEP_PARTS) for s in content["steps"]):
        full.add("plan")
    return full


def stage_statuses(content: dict[str, Any]) -> dict[str, str]:
    counts = stage_counts(content)
    return {s: rules.stage_status(items=counts[s], marked_done=content["stages"][s]["done"]) for s in rules.STAGES}


def summary(content: dict[str, Any]) -> dict[str, Any]:
    """Statuses, counts, progress, supervisor flags and the gate, for one version's content."""
    counts = stage_counts(content)
    statuses = stage_statuses(content)
    done, total = rules.progress(statuses)
    gaps = rules.plan_gaps(counts)
    return {
        "counts": counts,
        "statuses": statuses,
        "flags": rules.fidelity_flags(statuses=statuses, counts=counts, full=full_stages(content)),
        "done": done,
        "total": total,
        "gaps": gaps,
        "gap_message": rules.plan_gap_message(gaps),
        "finalised": content["plan"].get("finalised", False),
    }
