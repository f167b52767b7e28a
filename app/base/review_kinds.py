"""How a supervisor reviews a BASE assessment version (app/features.py ReviewKind)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app.base import rules, service
from app.base.models import BaseVersion
from app.features import ReviewKind, Sections


def _date(text: str | None) -> str:
    try:
        return date.fromisoformat(text).strftime("%-d %B %Y") if text else ""
    except ValueError:
        return text or ""


def _scale(scale: str, value) -> str:
    word = rules.level_label(scale, value if isinstance(value, int) else None)
    return f"{scale.capitalize()}: {word or 'not set'}"


def _engagement(entry: dict) -> str:
    who = entry.get("person_name") or "Someone"
    relationship = f" ({entry['relationship']})" if entry.get("relationship") else ""
    parts = [
        f"{who}{relationship}",
        f"hopes from the work: {entry['expectations']}" if entry.get("expectations") else "",
        f"aspirations: {entry['aspirations']}" if entry.get("aspirations") else "",
        f"motivation {entry['motivation']} of 5"
        + (f" ({entry['motivation_evidence']})" if entry.get("motivation_evidence") else "")
        if entry.get("motivation")
        else "",
        f"capacity {entry['capacity']} of 5"
        + (f" ({entry['capacity_evidence']})" if entry.get("capacity_evidence") else "")
        if entry.get("capacity")
        else "",
        f"how they want to be involved: {entry['involvement']}" if entry.get("involvement") else "",
    ]
    return "; ".join(p for p in parts if p)


def _mark(label: str, mark: dict) -> str:
    words = service.MARKS.get(mark.get("mark", ""), "Not marked")
    decided = service.DECIDED_BY.get(mark.get("decided_by", ""), "")
    return (
        f"{label}: {words}"
        + (f", decided by: {decided}" if decided else "")
        + (f". {mark['notes']}" if mark.get("notes") else "")
    )


def _risk(entry: dict, factors: dict[str, str]) -> str:
    parts = [
        entry.get("hazard", ""),
        ", ".join(_scale(scale, entry.get(scale)) for scale in ("likelihood", "imminence", "impact")),
        f"level: {rules.RISK_LEVEL_LABELS.get(entry.get('level', ''), 'not set')}",
    ]
    if entry.get("mitigations"):
        parts.append("what helps: " + ", ".join(factors.get(k, k) for k in entry["mitigations"]))
    if entry.get("tolerable"):
        parts.append("a tolerable risk" + (f" ({entry['tolerable_reason']})" if entry.get("tolerable_reason") else ""))
    for action in entry.get("actions") or []:
        parts.append(
            f"action: {action.get('what', '')}"
            + (f" by {action['owner']}" if action.get("owner") else "")
            + (f", review {_date(action.get('review_on'))}" if action.get("review_on") else "")
        )
    return "; ".join(p for p in parts if p)


def _note(entry: dict) -> str:
    kind = service.NOTE_KINDS.get(entry.get("kind", ""), "Note")
    on = f" ({_date(entry.get('on'))})" if entry.get("on") else ""
    return f"{kind}{on}: {entry.get('text', '')}"


def _meeting(entry: dict) -> str:
    parts = [
        f"Formulation meeting {_date(entry.get('held_on'))}".strip(),
        f"chaired by {entry['chair']}" if entry.get("chair") else "",
        f"attended by {entry['attendees']}" if entry.get("attendees") else "",
        f"ideas about what is happening: {entry['theories']}" if entry.get("theories") else "",
        f"what gets in the way: {entry['barriers']}" if entry.get("barriers") else "",
        f"agreed: {entry['conclusions']}" if entry.get("conclusions") else "",
    ]
    return "; ".join(p for p in parts if p)


def _step(entry: dict, hazards: dict[str, str]) -> str:
    parts = [
        entry.get("what", ""),
        f"who: {entry['who']}" if entry.get("who") else "",
        f"by {_date(entry.get('by_when'))}" if entry.get("by_when") else "",
        f"how we will know: {entry['how_we_know']}" if entry.get("how_we_know") else "",
        f"for: {entry['outcome']}" if entry.get("outcome") else "",
        "about: " + ", ".join(hazards.get(r, "a risk since removed") for r in entry["risk_ids"])
        if entry.get("risk_ids")
        else "",
        "done" if entry.get("done") else "",
    ]
    return "; ".join(p for p in parts if p)


def _requirement(entry: dict) -> str:
    return f"{service.REQUIREMENT_KINDS.get(entry.get('kind', ''), 'Statutory requirement')}: {entry.get('text', '')}"


def _base_sections(session: Session, submission) -> Sections:
    """The version in the practice's words: names, labels and scale words, never ids or codes."""
    version = session.get(BaseVersion, submission.version_id)
    if version is None:
        return []
    content = version.content or {}
    factors = service.factor_labels()
    judgement = content.get("risk_judgement") or {}
    marks = (content.get("resilience") or {}).get("marks") or {}
    risks = content.get("risks", [])
    hazards = {r.get("id"): r.get("hazard", "") for r in risks}
    overall = (
        [
            f"Overall: {rules.RISK_LEVEL_LABELS.get(judgement['level'], judgement['level'])}. {judgement.get('rationale', '')}".strip()
        ]
        if judgement.get("level")
        else []
    )
    return [
        ("Engagement", "\n".join(_engagement(e) for e in service.engagement(content))),
        (
            "Resilience",
            "\n".join(
                _mark(factors.get(key, "A factor no longer on the checklist"), mark)
                for key, mark in sorted(marks.items(), key=lambda kv: factors.get(kv[0], kv[0]))
            ),
        ),
        ("Risk", "\n".join([_risk(r, factors) for r in risks] + overall)),
        (
            "Analysis",
            "\n".join(
                [_note(n) for n in content.get("notes", [])] + [_meeting(m) for m in content.get("meetings", [])]
            ),
        ),
        (
            "Plan",
            "\n".join(
                [_step(s, hazards) for s in content.get("steps", [])]
                + [_requirement(r) for r in content.get("requirements", [])]
            ),
        ),
    ]


ASSESSMENT = ReviewKind(
    key="base_assessment",
    label="BASE assessment",
    sections=_base_sections,
    url=lambda s: f"/cases/{s.case_id}/base",
)
