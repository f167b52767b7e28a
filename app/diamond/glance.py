"""The Diamond's closed summary line on the case page: everyone's latest numbers and how long ago
(app/features.py CaseSection.glance; no queries, only the section's summary)."""

from __future__ import annotations

from app.diamond import rules
from app.timeutil import days_ago


def _average(scores: list[int]) -> int:
    """The four aims' average, to the nearest whole number (halves up): a glance, not a measure."""
    return int(sum(scores) / len(scores) + 0.5)


def words(section: dict, case) -> str:
    summary = section["summary"]
    if summary.empty:
        return "no ratings yet"
    said, last = [], None
    for rater in summary.raters:
        # Each rater's latest Diamond as the chart draws it: an aim not answered that day carries its
        # earlier number (rules.diamond_rounds), so one aim answered today is not read as the average.
        shapes = rules.diamond_rounds(summary.rounds[rater.key])
        if not shapes:
            continue
        latest = shapes[-1]
        scores = list(latest.scores.values())
        said.append(f"{'worker' if rater.is_worker else rater.role.lower()} {_average(scores)}")
        last = latest.rated_on if last is None else max(last, latest.rated_on)
    if not said:
        return "goals rated only"
    return f"latest average: {', '.join(said)} · {days_ago(last)}"
