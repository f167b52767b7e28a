"""How a supervisor reviews a Signs of Safety map version (app/features.py ReviewKind)."""

from __future__ import annotations

from sqlmodel import Session

from app.features import ReviewKind, Sections
from app.signs_of_safety import service as sos
from app.signs_of_safety.models import Category, MapVersion


def _sos_sections(session: Session, submission) -> Sections:
    version = session.get(MapVersion, submission.version_id)
    if version is None:
        return []
    names = {
        Category.harm: "Harm",
        Category.pair: "Worries and goals",
        Category.complicating: "Complicating factors",
        Category.strength: "Strengths",
        Category.existing_safety: "Existing safety",
        Category.next_step: "Next steps",
        Category.rule: "Safety plan rules",
        Category.red_flag: "Red flags",
        Category.non_negotiable: "Non-negotiables",
    }
    grouped: dict[str, list[str]] = {name: [] for name in names.values()}
    for item in sos.items(session=session, map_version=version):
        line = item.text + (f" — goal: {item.goal}" if item.goal else "")
        grouped[names.get(item.category, item.category)].append(line)
    return [(name, "\n".join(lines)) for name, lines in grouped.items()]


MAP = ReviewKind(
    key="sos_map",
    label="Signs of Safety map",
    sections=_sos_sections,
    url=lambda s: f"/cases/{s.case_id}/signs-of-safety",
)
