"""Review's pure rules: caseload weights and working days waited (issue 10).

The other oversight flags are decided in the features they belong to (app/cases/flags.py,
app/base/flags.py, app/endings/flags.py); nothing here touches the database.
"""

from __future__ import annotations

from datetime import date, timedelta

# A simple intensity weight per case (issue 10 "weighted caseload"): statutory involvement and the
# early intensive phase take more of a worker's week than a settled early-help case.
CONTEXT_WEIGHTS = {"early_help": 1.0, "cin": 1.5, "cp": 2.0, "cla": 2.0}
DORMANT_WEIGHT = 0.25


def intensity_weight(*, status: str, practice_context: str) -> float:
    """How much of a caseload one case counts for: dormant cases a little, active ones by context."""
    if status == "dormant":
        return DORMANT_WEIGHT
    return CONTEXT_WEIGHTS.get(practice_context, 1.0)


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
