"""BASE resilience: the checklist's marks (strength or vulnerability), and what they weigh."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.base import rules
from app.base.changes import _content, _save
from app.base.checklists import factor_labels
from app.base.models import BaseVersion
from app.security.auth import Actor

MARKS = {"strength": "Strength", "vulnerability": "Vulnerability"}
DECIDED_BY = {"family_with_worker": "Family with the worker", "family": "Family", "worker": "Worker"}


def resilience_fields(content: dict[str, Any]) -> dict[str, str]:
    """The checklist as its form's fields: per factor, its mark ("none" when unmarked), who decided
    and notes. The merge of an offline save compares these field by field."""
    saved = content["resilience"]["marks"]
    fields = {}
    for key in factor_labels():
        mark = saved.get(key, {})
        fields[f"mark_{key}"] = mark.get("mark") or "none"
        fields[f"decided_{key}"] = mark.get("decided_by") or "family_with_worker"
        fields[f"notes_{key}"] = mark.get("notes") or ""
    return fields


def save_resilience(*, session: Session, version: BaseVersion, by: Actor, marks: dict[str, dict[str, str]]) -> None:
    """Set the checklist marks; each mark says strength or vulnerability, who decided, and notes.

    `marks` is the whole checklist after the route's field-by-field merge, so a save from a page
    kept on the device changes only what the worker changed there. A new revision when any differs.
    """
    content = _content(version)
    marks = {key: marks[key] for key in factor_labels() if key in marks}
    if marks == content["resilience"]["marks"]:
        return
    was_strengths = set(strength_keys(content))
    content["resilience"]["marks"] = marks
    content["stages"]["resilience"]["revision"] += 1
    # Only a strength mitigates a risk: a factor no longer one stops mitigating in the same save,
    # so no hazard (nor its review) still reads "what helps" with a vulnerability.
    no_longer = was_strengths - set(strength_keys(content))
    for risk in content["risks"]:
        if no_longer & set(risk.get("mitigations", [])):
            risk["mitigations"] = [k for k in risk["mitigations"] if k not in no_longer]
            risk["revision"] += 1
    _save(session=session, version=version, content=content, by=by, what="resilience")


def strength_keys(content: dict[str, Any]) -> list[str]:
    """Resilience factors marked as a strength: the only ones that can mitigate a risk."""
    return [k for k, m in content["resilience"]["marks"].items() if m.get("mark") == "strength"]


def scales_for(content: dict[str, Any]) -> rules.Scales:
    marks = content["resilience"]["marks"].values()
    return rules.tipping_scales(
        strengths=sum(1 for m in marks if m.get("mark") == "strength"),
        vulnerabilities=sum(1 for m in marks if m.get("mark") == "vulnerability"),
    )
