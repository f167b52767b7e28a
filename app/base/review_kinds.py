"""How a supervisor reviews a BASE assessment version (app/features.py ReviewKind)."""

from __future__ import annotations

from sqlmodel import Session

from app.base.models import BaseVersion
from app.features import ReviewKind, Sections

_SKIP_KEYS = {"id", "revision", "by", "by_id", "at", "created_at", "updated_at", "recorded_at"}


def _describe(entry) -> str:
    if isinstance(entry, dict):
        return " · ".join(
            str(v)
            for k, v in entry.items()
            if k not in _SKIP_KEYS and isinstance(v, (str, int, float)) and not isinstance(v, bool) and str(v).strip()
        )
    return str(entry)


def _base_sections(session: Session, submission) -> Sections:
    version = session.get(BaseVersion, submission.version_id)
    if version is None:
        return []
    content = version.content or {}
    judgement = content.get("risk_judgement") or {}
    marks = (content.get("resilience") or {}).get("marks") or {}
    return [
        ("Engagement", "\n".join(_describe(e) for e in content.get("engagement", []))),
        ("Resilience", "\n".join(f"{factor}: {_describe(mark)}" for factor, mark in sorted(marks.items()))),
        (
            "Risk",
            "\n".join(
                [_describe(r) for r in content.get("risks", [])]
                + (
                    [f"Overall: {judgement.get('level')} — {judgement.get('rationale', '')}"]
                    if judgement.get("level")
                    else []
                )
            ),
        ),
        ("Analysis", "\n".join(_describe(n) for n in content.get("notes", []) + content.get("meetings", []))),
        ("Plan", "\n".join(_describe(s) for s in content.get("steps", []) + content.get("requirements", []))),
    ]


ASSESSMENT = ReviewKind(
    key="base_assessment",
    label="BASE assessment",
    sections=_base_sections,
    url=lambda s: f"/cases/{s.case_id}/base",
)
