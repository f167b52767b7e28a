"""Pure rules for outcomes: when follow-ups fall due, small-number suppression, age bands."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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


WITHHELD = "withheld"  # a larger count hidden so a smaller one can't be worked out (secondary suppression)


def withheld(counts: Sequence[int], already: Iterable[int] = ()) -> set[int]:
    """Which of a set of counts that add up to a published total to hide: every count from 1 to 4
    (and any in `already`), and, when that would leave exactly one hidden, the smallest other
    count above zero too, since one hidden count is the total less the others."""
    hidden = set(already) | {i for i, count in enumerate(counts) if 0 < count < SMALL}
    if len(hidden) == 1:
        others = [(count, i) for i, count in enumerate(counts) if i not in hidden and count > 0]
        if others:
            hidden.add(min(others)[1])
    return hidden


def withheld_table(table: Sequence[Sequence[int]]) -> set[tuple[int, int]]:
    """The cells to hide in a table whose rows and columns each add up to a published total:
    `withheld` applied to every row and every column until nothing more needs hiding."""
    hidden: set[tuple[int, int]] = set()
    width = max((len(row) for row in table), default=0)
    while True:
        before = len(hidden)
        for r, row in enumerate(table):
            hidden |= {(r, c) for c in withheld(row, {c for (rr, c) in hidden if rr == r})}
        for c in range(width):
            column = [row[c] for row in table]
            hidden |= {(r, c) for r in withheld(column, {r for (r, cc) in hidden if cc == c})}
        if len(hidden) == before:
            return hidden


def withheld_lines(counts: dict, lines: Sequence[Sequence]) -> set:
    """The cells to hide among `counts` (cell -> count) where each line (cells) adds up to a total
    published or worked out elsewhere, or one cell of it is the sum of the others: `withheld` on
    every line until nothing more needs hiding, so no line has exactly one hidden cell."""
    hidden: set = set()
    while True:
        before = len(hidden)
        for line in lines:
            found = withheld([counts[cell] for cell in line], {i for i, cell in enumerate(line) if cell in hidden})
            hidden |= {line[i] for i in found}
        if len(hidden) == before:
            return hidden


def withheld_in_groups(counts: Sequence[int], groups: Sequence[Sequence[int]] | None = None) -> set[int]:
    """`withheld` for counts made of groups that each add up to a total published on its own (the
    positions in each group; None: one group of them all). A group protected only as part of the
    whole gives a hidden count back by subtraction from its own total."""
    if groups is None:
        return withheld(counts)
    hidden: set[int] = set()
    for group in groups:
        hidden |= {group[i] for i in withheld([counts[j] for j in group])}
    return hidden


def shown_all(counts: Sequence[int], groups: Sequence[Sequence[int]] | None = None) -> list[str]:
    """Counts that add up to a published total, as a manager may share them (see `withheld`)."""
    hidden = withheld_in_groups(counts, groups)
    return [WITHHELD if i in hidden and count >= SMALL else shown(count) for i, count in enumerate(counts)]


def shown_cell(count: int, hidden: bool) -> str:
    return WITHHELD if hidden and count >= SMALL else shown(count)


def share(part: int | None, whole: int | None) -> str:
    """A percentage, withheld when either number is small enough to identify a young person."""
    if not whole:
        return "none yet"
    # The rest of the whole counts too: 90% of 20 says 2 did not.
    if whole < SMALL or (part is not None and (0 < part < SMALL or 0 < whole - part < SMALL)):
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
