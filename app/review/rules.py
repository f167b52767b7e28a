"""Review's pure rules: caseload weights and working days waited (issue 10).

The other oversight flags are decided in the features they belong to (app/cases/flags.py,
app/base/flags.py, app/endings/flags.py); nothing here touches the database.
"""

from __future__ import annotations

from datetime import date, timedelta

# The default intensity weight per case (issue 10 "weighted caseload"): statutory involvement
# takes more of a worker's week than a settled early-help case. An administrator changes them
# (/admin/caseload-weights, table caseload_weight); these count until they do.
CONTEXT_WEIGHTS = {"early_help": 1.0, "cin": 1.5, "cp": 2.0, "cla": 2.0}
DORMANT_WEIGHT = 0.25
DEFAULT_WEIGHTS = {**CONTEXT_WEIGHTS, "dormant": DORMANT_WEIGHT}
MAX_WEIGHT = 10.0


def intensity_weight(*, status: str, practice_context: str, weights: dict[str, float] | None = None) -> float:
    """How much of a caseload one case counts for: dormant cases a little, active ones by context."""
    chosen = {**DEFAULT_WEIGHTS, **(weights or {})}
    if status == "dormant":
        return chosen["dormant"]
    return chosen.get(practice_context, 1.0)


def weight_refusal(value: float | None) -> str | None:
    """Why a weight an administrator typed cannot be used; None when it can."""
    if value is None:
        return "Give a number, for example 1.5."
    if value < 0 or value > MAX_WEIGHT:
        return f"Give a number from 0 to {MAX_WEIGHT:g}."
    return None


def weights_hint(weights: dict[str, float], labels: dict[str, str]) -> str:
    """The oversight table's explanation, built from the weights in use (labels: context -> words)."""
    chosen = {**DEFAULT_WEIGHTS, **weights}
    parts = ", ".join(f"{labels[key].lower()} {chosen[key]:g}" for key in labels)
    return (
        f"Weighted caseload counts each active case by its practice context ({parts}) "
        f"and a dormant case as {chosen['dormant']:g}."
    )


def working_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days after `start` up to and including `end` (bank holidays not counted)."""
    if end <= start:
        return 0
    days = (end - start).days
    whole_weeks, rest = divmod(days, 7)
    count = whole_weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            count += 1
    return count


def waiting_too_long(*, submitted_on: date, today: date, working_days: int) -> bool:
    """An item waiting for review more than `working_days` working days (five by default)."""
    return working_days_between(submitted_on, today) > working_days


def case_supervision_due(
    *, status: str, last_supervised_on: date | None, opened_on: date, today: date, weeks: int
) -> bool:
    """An active case not discussed in case supervision for `weeks` weeks (the service's rhythm)."""
    if status != "active":
        return False
    since = last_supervised_on or opened_on
    return (today - since).days >= weeks * 7


def reflective_supervision_due(*, last_on: date | None, since_on: date, today: date, weeks: int) -> bool:
    """A worker's reflective supervision is due: none for `weeks` weeks (counted from `since_on`,
    when they joined, if they never had one)."""
    return (today - (last_on or since_on)).days >= weeks * 7


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def trend_weeks(today: date, weeks: int = 12) -> list[date]:
    """The Mondays of the last `weeks` weeks, oldest first, this week last."""
    this = week_start(today)
    return [this - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
