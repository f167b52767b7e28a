"""BASE's closed summary line on the case page: the stage reached, high risks, the overall
judgement and open plan steps (app/features.py CaseSection.glance; no queries)."""

from __future__ import annotations

from app.base import rules


def words(section: dict, case) -> str:
    version = section["version"]
    if version is None:
        return "not started"
    statuses = section["summary"]["statuses"]
    stage = next((s for s in rules.STAGES if statuses.get(s) != rules.DONE), None)
    said = [f"stage: {rules.STAGE_LABELS[stage].lower()}" if stage else "all stages done"]
    high = sum(1 for r in version.content.get("risks", []) if r.get("level") == "high")
    if high:
        said.append(f"{high} risk{'s' if high != 1 else ''} high")
    if section.get("overall_risk"):
        said.append(f"overall risk {section['overall_risk']}")
    if section["tasks"]:
        said.append(f"{len(section['tasks'])} plan step{'s' if len(section['tasks']) != 1 else ''} open")
    return " · ".join(said)
