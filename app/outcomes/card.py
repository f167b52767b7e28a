"""What the scorecard holds: a period and the one before it, each figure as a pair of counts
(now, before), the changes in scores and the feedback, and the SQL that says which period a row is in."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, literal
from sqlalchemy.sql.elements import ColumnElement

from app.timeutil import LOCAL

FEEDBACK_FROM = {"young_person": "Young people", "parent": "Parents and carers", "social_worker": "Social workers"}


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def previous(self) -> Period:
        days = (self.end - self.start).days + 1
        return Period(self.start - timedelta(days=days), self.start - timedelta(days=1))

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as aware datetimes: local midnight at the start to local midnight after the end."""
        return (
            datetime.combine(self.start, time.min, LOCAL),
            datetime.combine(self.end + timedelta(days=1), time.min, LOCAL),
        )


@dataclass
class Pair:
    now: int = 0
    before: int = 0


@dataclass
class Change:
    rater: str
    pairs: int
    mean_change: float | None
    improved: int
    same: int
    worse: int


@dataclass
class Feedback:
    perspective: str
    responses: Pair
    answers: Pair  # answers given a score
    good: Pair  # of those, "good" or "very good" (4 or 5 of 5)


@dataclass
class Scorecard:
    period: Period
    team_id: int | None
    worked_with: Pair = field(default_factory=Pair)
    referrals: Pair = field(default_factory=Pair)
    first_contacts: Pair = field(default_factory=Pair)  # referrals with a first contact recorded
    first_contacts_on_target: Pair = field(default_factory=Pair)
    contacts: Pair = field(default_factory=Pair)
    direct_minutes: Pair = field(default_factory=Pair)
    recorded_minutes: Pair = field(default_factory=Pair)
    active_now: int = 0
    workers_holding: int = 0
    endings: dict[str, Pair] = field(default_factory=dict)  # "dormant" / "closed" / closure reasons
    at_home: dict[str, tuple[Pair, Pair]] = field(default_factory=dict)  # point -> (at home, known)
    entered_care: Pair = field(default_factory=Pair)
    reactivations: Pair = field(default_factory=Pair)
    re_referrals: Pair = field(default_factory=Pair)
    days_dormant: list[tuple[int, int]] = field(default_factory=list)  # (days, cases) in the period
    diamond: list[Change] = field(default_factory=list)
    scales: list[Change] = field(default_factory=list)
    screened: Pair = field(default_factory=Pair)  # cases with an eligibility decision in the period
    eligible: Pair = field(default_factory=Pair)  # of those, eligible at their latest decision in it
    overridden: Pair = field(default_factory=Pair)
    days_in_care: list[tuple[int, int]] = field(default_factory=list)  # (days, cases) this period
    care_days_known: Pair = field(default_factory=Pair)  # cases in care with a known start date
    feedback: list[Feedback] = field(default_factory=list)
    breakdown: str = "age_band"
    by_group: list[tuple[str, Pair]] = field(default_factory=list)
    home_by_group: dict[str, tuple[Pair, Pair]] = field(default_factory=dict)  # at ending: (at home, known)
    care_by_group: dict[str, Pair] = field(default_factory=dict)
    contacts_by_group: dict[str, Pair] = field(default_factory=dict)
    # group -> "all" / "dormant" / "closed" / closure reason -> endings
    endings_by_group: dict[str, dict[str, Pair]] = field(default_factory=dict)
    diamond_by_group: list[tuple[str, Change]] = field(default_factory=list)  # (group, change for one rater)
    scales_by_group: list[tuple[str, Change]] = field(default_factory=list)
    # Young people whose work ended in the period (their latest ending in it): entered care within
    # 12 months of that ending "yes", "no", or "not_known" (no record yet covers the 12 months).
    care_within_12: dict[str, Pair] = field(default_factory=dict)
    care_within_12_by_group: dict[str, dict[str, Pair]] = field(default_factory=dict)

    @property
    def mean_caseload(self) -> float | None:
        return self.active_now / self.workers_holding if self.workers_holding else None

    def days_dormant_quartiles(self) -> tuple[int, int, int] | None:
        """Lower quartile, median and upper quartile of days dormant (nearest rank), from the grouped counts."""
        return quartiles(self.days_dormant)

    def days_in_care_quartiles(self) -> tuple[int, int, int] | None:
        return quartiles(self.days_in_care)


def quartiles(grouped: list[tuple[int, int]]) -> tuple[int, int, int] | None:
    """Lower quartile, median and upper quartile (nearest rank) of (value, how many) pairs in order."""
    total = sum(n for _, n in grouped)
    if not total:
        return None

    def at(fraction: float) -> int:
        rank, seen = max(1, math.ceil(fraction * total)), 0
        for value, n in grouped:
            seen += n
            if seen >= rank:
                return value
        return grouped[-1][0]

    return at(0.25), at(0.5), at(0.75)


def which_period(column, now: Period, before: Period) -> ColumnElement:
    """'now', 'before' or NULL for a date column."""
    return case(
        (column.between(now.start, now.end), literal("now")),
        (column.between(before.start, before.end), literal("before")),
        else_=None,
    )


def which_period_at(column, now: Period, before: Period) -> ColumnElement:
    """The same for a date-time column, by local days."""
    (a, b), (c, d) = now.bounds(), before.bounds()
    return case(
        (and_(column >= a, column < b), literal("now")),
        (and_(column >= c, column < d), literal("before")),
        else_=None,
    )


def pair_of(rows, flag_index: int = 0, value_index: int = 1) -> Pair:
    pair = Pair()
    for row in rows:
        if row[flag_index] == "now":
            pair.now = int(row[value_index] or 0)
        elif row[flag_index] == "before":
            pair.before = int(row[value_index] or 0)
    return pair
