"""The service scorecard: a period against the one before, every figure from SQL aggregates.

Each figure comes from a GROUP BY over both periods at once (a CASE names the period), so the
page runs the same few statements for ten cases or fifty thousand (DESIGN.md "Budgets"). Counts
are returned as they are; the page and the PDF withhold small ones (rules.shown / rules.share).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, literal, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from app.accounts.models import Team
from app.cases.models import ETHNICITIES, GENDERS, REFERRAL_ROUTES, Case, CaseStatus, Contact, Person
from app.diamond.models import DiamondRating
from app.endings.models import Ending, Reactivation
from app.outcomes import rules
from app.outcomes.models import AT_HOME, OutcomeRecord
from app.signs_of_safety.models import ScaleRating
from app.timeutil import LOCAL

BREAKDOWNS = [
    ("age_band", "Age band"),
    ("gender", "Gender"),
    ("ethnicity", "Ethnicity"),
    ("referral_route", "Referral route"),
    ("prior_history", "Prior CIN, CP or CLA"),
]
PRIOR = [
    ("cla", "Previously looked after"),
    ("cp", "Previous child protection plan"),
    ("cin", "Previous child in need plan"),
    ("none", "None"),
    ("not_known", "Not known"),
]
BREAKDOWN_LABELS = {
    "age_band": dict([(c, w) for c, w, _, _ in rules.AGE_BANDS] + [("not_known", "Not known")]),
    "gender": dict(GENDERS),
    "ethnicity": dict(ETHNICITIES),
    "referral_route": dict(REFERRAL_ROUTES),
    "prior_history": dict(PRIOR),
}
RATERS = {"young_person": "Young person", "parent": "Parent or family member", "worker": "Worker"}
SOS_RATERS = {"young_person": "Young person", "parent_carer": "Parent or carer", "key_worker": "Worker"}
SOS_RATERS |= {"network_member": "Network member", "supervisor": "Supervisor", "other": "Someone else"}


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
    breakdown: str = "age_band"
    by_group: list[tuple[str, Pair]] = field(default_factory=list)

    @property
    def mean_caseload(self) -> float | None:
        return self.active_now / self.workers_holding if self.workers_holding else None

    def days_dormant_quartiles(self) -> tuple[int, int, int] | None:
        """Lower quartile, median and upper quartile of days dormant (nearest rank), from the grouped counts."""
        total = sum(n for _, n in self.days_dormant)
        if not total:
            return None

        def at(fraction: float) -> int:
            rank, seen = max(1, math.ceil(fraction * total)), 0
            for days, n in self.days_dormant:
                seen += n
                if seen >= rank:
                    return days
            return self.days_dormant[-1][0]

        return at(0.25), at(0.5), at(0.75)


def _flag(column, now: Period, before: Period) -> ColumnElement:
    """'now', 'before' or NULL for a date column."""
    return case(
        (column.between(now.start, now.end), literal("now")),
        (column.between(before.start, before.end), literal("before")),
        else_=None,
    )


def _flag_at(column, now: Period, before: Period) -> ColumnElement:
    """The same for a date-time column, by local days."""
    (a, b), (c, d) = now.bounds(), before.bounds()
    return case(
        (and_(column >= a, column < b), literal("now")),
        (and_(column >= c, column < d), literal("before")),
        else_=None,
    )


def _pair(rows, flag_index: int = 0, value_index: int = 1) -> Pair:
    pair = Pair()
    for row in rows:
        if row[flag_index] == "now":
            pair.now = int(row[value_index] or 0)
        elif row[flag_index] == "before":
            pair.before = int(row[value_index] or 0)
    return pair


def _scope(team_id: int | None) -> ColumnElement:
    return Case.team_id == team_id if team_id is not None else literal(True)


def _group_column(breakdown: str, on: date) -> ColumnElement:
    if breakdown == "age_band":
        whens = []
        for code, _, low, _high in reversed(rules.AGE_BANDS):
            if low is not None:
                # Born on or before this date: at least `low` years old on `on`.
                whens.append((Case.date_of_birth <= _years_before(on, low), literal(code)))
        return case((Case.date_of_birth.is_(None), literal("not_known")), *whens, else_=literal("under_12"))
    if breakdown == "prior_history":
        return case(
            (Case.prior_cla == "yes", literal("cla")),
            (Case.prior_cp == "yes", literal("cp")),
            (Case.prior_cin == "yes", literal("cin")),
            (and_(Case.prior_cla == "no", Case.prior_cp == "no", Case.prior_cin == "no"), literal("none")),
            else_=literal("not_known"),
        )
    return getattr(Case, breakdown)


def _years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def _change_rows(rows, labels: dict[str, str]) -> list[Change]:
    out = []
    for rater, pairs, mean, improved, same, worse in rows:
        out.append(
            Change(
                labels.get(rater, rater),
                int(pairs),
                float(mean) if mean is not None else None,
                int(improved or 0),
                int(same or 0),
                int(worse or 0),
            )
        )
    return sorted(out, key=lambda c: c.rater)


def _distance(session: Session, *, case_col, rater_col, items, order, score, at, joins, start, end, team_id):
    """Per rater: pairs of first and latest score (per case and item) whose latest is in [start, end).

    One statement: window functions number each (case, rater, item)'s ratings both ways, then the
    pairs are reduced to count, mean change and how many improved, stayed the same or worsened.
    """
    partition = [case_col, rater_col, *items]
    ranked = select(
        case_col.label("case_id"),
        rater_col.label("rater"),
        *[c.label(f"item{i}") for i, c in enumerate(items)],
        score.label("score"),
        at.label("at"),
        func.row_number().over(partition_by=partition, order_by=[c.asc() for c in order]).label("rn_first"),
        func.row_number().over(partition_by=partition, order_by=[c.desc() for c in order]).label("rn_last"),
    ).select_from(case_col.table)
    for target, on in joins:
        ranked = ranked.join(target, on, isouter=True)
    ranked = ranked.join(Case, Case.id == case_col).where(_scope(team_id), at < end).subquery()
    pairs = (
        select(
            ranked.c.rater,
            func.max(case((ranked.c.rn_first == 1, ranked.c.score))).label("first"),
            func.max(case((ranked.c.rn_last == 1, ranked.c.score))).label("last"),
        )
        .group_by(ranked.c.case_id, ranked.c.rater, *[ranked.c[f"item{i}"] for i in range(len(items))])
        .having(and_(func.count() >= 2, func.max(ranked.c.at) >= start))
        .subquery()
    )
    change = pairs.c["last"] - pairs.c["first"]
    return session.exec(
        select(
            pairs.c.rater,
            func.count(),
            func.avg(change),
            func.sum(case((change > 0, 1), else_=0)),
            func.sum(case((change == 0, 1), else_=0)),
            func.sum(case((change < 0, 1), else_=0)),
        ).group_by(pairs.c.rater)
    ).all()


def _hours_between(session: Session, start, end) -> ColumnElement:
    """Hours from `start` to `end` (date-times), on SQLite and PostgreSQL alike."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 3600
    return (func.julianday(end) - func.julianday(start)) * 24


def scorecard(
    *,
    session: Session,
    period: Period,
    team_id: int | None,
    breakdown: str = "age_band",
    first_contact_target_hours: int = 24,
) -> Scorecard:
    """Every figure for `period` and the one before, for one team or (None) the whole service; nine statements."""
    before = period.previous
    card = Scorecard(period=period, team_id=team_id, breakdown=breakdown)
    scope = _scope(team_id)

    # 1. Young people worked with (an attended contact in the period), contacts and direct time.
    flag = _flag(Contact.occurred_on, period, before).label("flag")
    rows = session.exec(
        select(
            flag,
            func.count(func.distinct(case((Contact.attended.is_(True), Contact.case_id)))),
            func.count(),
            func.sum(Contact.direct_minutes),
            func.sum(Contact.direct_minutes + Contact.admin_minutes),
        )
        .join(Case, Case.id == Contact.case_id)
        .where(scope, Contact.occurred_on.between(before.start, period.end))
        .group_by(flag)
    ).all()
    card.worked_with = _pair(rows, 0, 1)
    card.contacts = _pair(rows, 0, 2)
    card.direct_minutes = _pair(rows, 0, 3)
    card.recorded_minutes = _pair(rows, 0, 4)

    # 2. Referrals received, and first contact within the target after the case was opened.
    flag = _flag(Case.referral_date, period, before).label("flag")
    hours = _hours_between(session, Case.opened_at, Case.first_contact_at)
    rows = session.exec(
        select(
            flag,
            func.count(),
            func.count(Case.first_contact_at),
            func.sum(case((hours <= first_contact_target_hours, 1), else_=0)),
        )
        .where(scope, Case.referral_date.between(before.start, period.end))
        .group_by(flag)
    ).all()
    card.referrals = _pair(rows, 0, 1)
    card.first_contacts = _pair(rows, 0, 2)
    card.first_contacts_on_target = _pair(rows, 0, 3)

    # 3. Caseloads now: active cases and the workers holding them.
    active, holding = session.exec(
        select(func.count(), func.count(func.distinct(Case.key_worker_id))).where(
            scope, Case.status == CaseStatus.active
        )
    ).one()
    card.active_now, card.workers_holding = int(active), int(holding)

    # 4. Endings: to dormant or closed, and by reason.
    (a, _), (_, d) = before.bounds(), period.bounds()
    flag = _flag_at(Ending.recorded_at, period, before).label("flag")
    for f, outcome, reason, n in session.exec(
        select(flag, Ending.outcome, Ending.closure_reason, func.count())
        .join(Case, Case.id == Ending.case_id)
        .where(scope, Ending.recorded_at >= a, Ending.recorded_at < d, Ending.pending.is_(False))
        .group_by(flag, Ending.outcome, Ending.closure_reason)
    ).all():
        for key in (outcome, reason or "not_given"):
            pair = card.endings.setdefault(key, Pair())
            if f == "now":
                pair.now += n
            elif f == "before":
                pair.before += n

    # 5. Outcome records at ending and follow-ups: at home (of those known), entered care.
    flag = _flag(OutcomeRecord.taken_on, period, before).label("flag")
    known = OutcomeRecord.living != "not_known"
    home = OutcomeRecord.living.in_(AT_HOME)
    in_care = or_(OutcomeRecord.living == "in_care", OutcomeRecord.care_status == "cla")
    for f, point, n_home, n_known, n_care in session.exec(
        select(
            flag,
            OutcomeRecord.point,
            func.count(func.distinct(case((home, OutcomeRecord.case_id)))),
            func.count(func.distinct(case((known, OutcomeRecord.case_id)))),
            func.count(func.distinct(case((in_care, OutcomeRecord.case_id)))),
        )
        .join(Case, Case.id == OutcomeRecord.case_id)
        .where(scope, OutcomeRecord.taken_on.between(before.start, period.end), OutcomeRecord.point != "baseline")
        .group_by(flag, OutcomeRecord.point)
    ).all():
        if f is None:
            continue
        at, of = card.at_home.setdefault(point, (Pair(), Pair()))
        setattr(at, f, int(n_home))
        setattr(of, f, int(n_known))
        if point != "review":
            setattr(card.entered_care, f, getattr(card.entered_care, f) + int(n_care))

    # 6. Reactivations from dormant, re-referrals (closed cases reopened), and days dormant.
    flag = _flag_at(Reactivation.reactivated_at, period, before).label("flag")
    for f, kind, days, n in session.exec(
        select(flag, Reactivation.kind, Reactivation.days_dormant, func.count())
        .join(Case, Case.id == Reactivation.case_id)
        .where(scope, Reactivation.reactivated_at >= a, Reactivation.reactivated_at < d)
        .group_by(flag, Reactivation.kind, Reactivation.days_dormant)
        .order_by(Reactivation.days_dormant)
    ).all():
        target = card.re_referrals if kind == "reopened" else card.reactivations
        setattr(target, f, getattr(target, f) + int(n))
        if f == "now" and kind == "reactivated" and days is not None:
            card.days_dormant.append((int(days), int(n)))

    # 7 and 8. Distance travelled on the Diamond (per aim or goal) and the overall safety scale.
    start, end = period.bounds()
    rater = case(
        (DiamondRating.person_id.is_(None), literal("worker")),
        (Person.is_young_person.is_(True), literal("young_person")),
        else_=literal("parent"),
    )
    card.diamond = _change_rows(
        _distance(
            session,
            case_col=DiamondRating.case_id,
            rater_col=rater,
            items=[DiamondRating.aim, func.coalesce(DiamondRating.goal_id, "")],
            order=[DiamondRating.rated_on, DiamondRating.recorded_at],
            score=DiamondRating.score,
            at=DiamondRating.rated_on,
            joins=[(Person, Person.id == DiamondRating.person_id)],
            start=period.start,
            end=period.end + timedelta(days=1),
            team_id=team_id,
        ),
        RATERS,
    )
    card.scales = _change_rows(
        _distance(
            session,
            case_col=ScaleRating.case_id,
            rater_col=ScaleRating.rater_role,
            items=[],
            order=[ScaleRating.rated_at, ScaleRating.created_at],
            score=ScaleRating.score,
            at=ScaleRating.rated_at,
            joins=[],
            start=start,
            end=end,
            team_id=team_id,
        ),
        SOS_RATERS,
    )

    # 9. Young people worked with, broken down.
    group = _group_column(breakdown, period.end).label("grp")
    flag = _flag(Contact.occurred_on, period, before).label("flag")
    groups: dict[str, Pair] = {}
    for g, f, n in session.exec(
        select(group, flag, func.count(func.distinct(Contact.case_id)))
        .join(Case, Case.id == Contact.case_id)
        .where(scope, Contact.attended.is_(True), Contact.occurred_on.between(before.start, period.end))
        .group_by(group, flag)
    ).all():
        setattr(groups.setdefault(g or "not_known", Pair()), f, int(n))
    order = list(BREAKDOWN_LABELS[breakdown])
    card.by_group = sorted(groups.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
    return card


def team_choices(*, session: Session) -> list[tuple[int, str]]:
    """Teams for the manager's choice (one query)."""
    return [(t.id, t.name) for t in session.exec(select(Team).order_by(Team.name)).all()]
