"""Supervision's closed summary line on the case page: the latest item sent for review and where it
stands, the last supervision note (app/features.py CaseSection.glance; no queries)."""

from __future__ import annotations

from app.timeutil import local

STANDS = {
    "waiting": "waiting for review",
    "returned": "returned to the worker",
    "approved": "approved",
    "superseded": "superseded by a newer version",
}


def words(section: dict, case) -> str:
    said = []
    if section["submissions"]:
        latest, label = section["submissions"][0]
        said.append(f"{label.lower()} {STANDS.get(latest.status, latest.status)}")
    if section["note"] is not None:
        said.append(f"last supervision note {local(section['note'].at):%-d %b}")
    return " · ".join(said) or "nothing reviewed yet"
