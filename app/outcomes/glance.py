"""Outcomes' closed summary line on the case page: the follow-up due next and the latest record
(app/features.py CaseSection.glance; no queries)."""

from __future__ import annotations

from app.timeutil import today


def words(section: dict, case) -> str:
    said = []
    if section["follow_ups"]:
        due = section["follow_ups"][0]
        point = section["points"].get(due.point, due.point).lower()
        late = due.due_on < today()
        said.append(f"{point} follow-up {'overdue since' if late else 'due'} {due.due_on:%-d %b}")
    if section["records"]:
        latest = section["records"][0]
        said.append(
            f"latest record: {section['points'].get(latest.point, latest.point).lower()}, {latest.taken_on:%-d %b %Y}"
        )
    return " · ".join(said) or "no records yet"
