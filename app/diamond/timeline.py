"""Diamond ratings on the case timeline: one item per day naming who rated (the Diamond part's rows)."""

from __future__ import annotations

from datetime import date, datetime, time
from itertools import groupby

from app.cases.extensions import TimelineItem
from app.diamond import service
from app.timeutil import LOCAL, local


def _on_the_day(at: datetime, day: date) -> datetime:
    """Where a day's ratings go on the timeline: when they were given, or for ratings entered
    afterwards (back-dated, issue 18) the day they were given, at noon as a contact without a start
    time (app/cases/timeline.py), not the day they were typed in."""
    return at if local(at).date() == day else datetime.combine(day, time(12), tzinfo=LOCAL)


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def items(*, session, case, latest: int | None = None) -> list[TimelineItem]:
    # The Diamond part's rows (oldest first), one item a day; each rater's latest rating of the day
    # places them in it (issue 21: these were a grouped statement of their own).
    raters: dict[tuple, list] = {}  # (day, person, worker) -> [name, latest recorded_at, any on the family screens]
    for row in service.rating_rows(session=session, case=case):
        key, family = (row.rated_on, row.person_id, row.user_id), bool(row.in_family_mode)
        known = raters.get(key)
        if known is None:
            raters[key] = [row.name or row.full_name or "Worker", row.recorded_at, family]
        else:
            known[1] = max(known[1], row.recorded_at)
            known[2] = known[2] or family
    out = []

    # Raters of a day in the order they rated; at the same instant, the worker, then the family
    # by person (the order the grouped statement gave on SQLite; PostgreSQL's was its plan's).
    def order(rater):
        (_, person_id, user_id), (_, at, _) = rater
        return at, person_id is not None, person_id or "", user_id or 0

    for day, day_rows in groupby(sorted(raters.items(), key=lambda kv: kv[0][0]), key=lambda kv: kv[0][0]):
        day_rows = [found for _, found in sorted(day_rows, key=order)]
        out.append(
            TimelineItem(
                at=max(_on_the_day(at, day) for _, at, _ in day_rows),
                kind="rating",
                title=f"Diamond rated by {_names([name for name, _, _ in day_rows])}",
                detail="with the family screens" if any(family for *_, family in day_rows) else "",
                url=f"/cases/{case.id}/diamond",
            )
        )
    return out
