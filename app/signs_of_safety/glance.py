"""Signs of Safety's closed summary line on the case page: the latest safety scale numbers and the
open next steps (app/features.py CaseSection.glance; no queries)."""

from __future__ import annotations


def words(section: dict, case) -> str:
    if section["version"] is None:
        return "no map yet"
    said = []
    if section["overall"]:
        was = section.get("was", {})
        scores = ", ".join(
            f"{r.rater_name.split(' ')[0]} {r.score}" + (f" (was {was[r.id]})" if was.get(r.id) is not None else "")
            for r in section["overall"]
        )
        said.append(f"safety scale: {scores}")
    steps = section["next_steps"]
    if steps:
        overdue = sum(1 for s in steps if s.overdue)
        said.append(
            f"{len(steps)} next step{'s' if len(steps) != 1 else ''} open" + (f", {overdue} overdue" if overdue else "")
        )
    return " · ".join(said) or f"map version {section['version'].number}, no scale yet"
