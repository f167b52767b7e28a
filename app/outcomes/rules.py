"""Pure rules for outcomes: when follow-ups fall due, small-number suppression, age bands."""

from __future__ import annotations

from datetime import date

from app.endings.rules import add_months
from app.outcomes.models import FOLLOW_UP_MONTHS

SMALL = 5  # counts below this are shown as "fewer than 5" in anything a manager can share
AGE_BANDS = [("under_12", "Under 12", None, 12), ("12_13", "12 to 13", 12, 14), ("14_15", "14 to 15", 14, 16)]
AGE_BANDS += [("16_17", "16 to 17", 16, 18), ("18_plus", "18 and over", 18, None)]


def follow_ups_due(*, ended_on: date, today: date) -> list[tuple[str, date]]:
    """The follow-up points due by `today` for work that ended on `ended_on`: (point, due date).

    A follow-up is due on the same calendar day 3, 6 or 12 months later (the last day of a shorter
    month), and stays due until it is recorded.
    """
    due = []
    for point, months in FOLLOW_UP_MONTHS.items():
        on = add_months(ended_on, months)
        if on <= today:
            due.append((point, on))
    return due


def shown(count: int | None) -> str:
    """A count as a manager may share it: nothing, 0, "fewer than 5", or the number."""
    if count is None:
        return "not known"
    if 0 < count < SMALL:
        return "fewer than 5"
    return str(count)


def share(part: int | None, whole: int | None) -> str:
    """A percentage, withheld when either number is small enough to identify a young person."""
    if not whole:
        return "none yet"
    if whole < SMALL or (part is not None and 0 < part < SMALL):
        return "fewer than 5"
    return f"{round(100 * (part or 0) / whole)}%"


def age_band(born: date | None, on: date) -> str:
    """The age band of someone born on `born`, on the day `on` (evaluator exports never carry the date)."""
    if born is None:
        return "not_known"
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    for code, _, low, high in AGE_BANDS:
        if (low is None or age >= low) and (high is None or age < high):
            return code
    return "not_known"
