"""The network's closed summary line on the case page: the next meeting and open tasks
(app/features.py CaseSection.glance; no queries)."""

from __future__ import annotations

from app.network.models import TaskStatus
from app.timeutil import today


def words(section: dict, case) -> str:
    latest = section.get("latest")
    if latest is None:
        return "no meetings yet"
    said = []
    if latest.next_meeting_on is not None:
        late = latest.next_meeting_on < today()
        said.append(f"next meeting {'was due ' if late else ''}{latest.next_meeting_on:%-d %b}")
    else:
        said.append(f"last meeting {latest.held_on:%-d %b}, next not set")
    open_tasks = [t for t in section.get("tasks", []) if t.status not in (TaskStatus.done, TaskStatus.dropped)]
    if open_tasks:
        overdue = sum(1 for t in open_tasks if t.id in section.get("overdue", set()))
        said.append(
            f"{len(open_tasks)} task{'s' if len(open_tasks) != 1 else ''} open"
            + (f", {overdue} overdue" if overdue else "")
        )
    return " · ".join(said)
