"""The service scorecard: a period against the one before, every figure from SQL aggregates.

Each figure comes from a GROUP BY over both periods at once (a CASE names the period), so the
page runs the same few statements for ten cases or fifty thousand (DESIGN.md "Budgets"). Counts
are returned as they are; the page and the PDF withhold small ones (rules.shown / rules.share).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import JSON, BigInteger, and_, case, cast, column, func, literal, or_, true, tuple_
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from app.accounts.models import Team
from app.base.models import BaseFeedback
from app.cases.models import (
    ETHNICITIES,
    GENDERS,
    REFERRAL_ROUTES,
    Case,
    CaseEvent,
    CaseStatus,
    Contact,
    EligibilityDecision,
    Person,
)
from app.diamond.models import DiamondRating
from app.endings.models import Reactivation
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
FEEDBACK_FROM = {"young_person": "Young people", "parent": "Parents and carers", "social_worker": "Social workers"}
RATERS = {"young_person": "Young person", "parent": "Parent or family member", "worker": "Worker"}
SOS_RATERS = {"young_person": "Young person", "parent_carer": "Parent or carer", "key_worker": "Worker"}
SOS_RATERS |= {"network_member": "Network member", "supervisor": "Supervisor", "other": "Someone else"}


# Where active work ends: the statuses a case moves to from active when the work is done.
ENDED_TO = (CaseStatus.dormant, CaseStatus.closed)


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


def _change(label: str, pairs: int, total, improved, same, worse) -> Change:
    mean = float(total) / pairs if pairs and total is not None else None
    return Change(label, int(pairs), mean, int(improved or 0), int(same or 0), int(worse or 0))


def _change_rows(rows, labels: dict[str, str], order: list[str]) -> tuple[list[Change], list[tuple[str, Change]]]:
    """Rows of (rater, group, pairs, total change, improved, same, worse): per rater, and per group and rater."""
    per_rater: dict[str, list[int]] = {}
    by_group = []
    for rater, grp, pairs, total, improved, same, worse in rows:
        label = labels.get(rater, rater)
        sums = per_rater.setdefault(label, [0, 0, 0, 0, 0])
        for i, value in enumerate((pairs, total, improved, same, worse)):
            sums[i] += int(value or 0)
        by_group.append((grp or "not_known", _change(label, int(pairs), total, improved, same, worse)))
    totals = sorted((_change(label, *sums) for label, sums in per_rater.items()), key=lambda c: c.rater)
    by_group.sort(key=lambda gc: (order.index(gc[0]) if gc[0] in order else len(order), gc[1].rater))
    return totals, by_group


def _dialect(session: Session | str) -> str:
    return session if isinstance(session, str) else session.get_bind().dialect.name


def epoch_days(session: Session | str, column) -> ColumnElement:
    """Days since 1 January 1970 of a date column, as an integer, on SQLite and PostgreSQL alike
    (`session` or the name of its database kind)."""
    if _dialect(session) == "postgresql":
        return cast(column - date(1970, 1, 1), BigInteger)
    return cast(func.julianday(column) - 2440587.5, BigInteger)


def epoch_seconds(session: Session | str, column) -> ColumnElement:
    """Whole seconds since 1970 of a date-time column, as an integer."""
    if _dialect(session) == "postgresql":
        # date_part, not EXTRACT: EXTRACT answers in numeric, whose arithmetic took about a third
        # of the scorecard's distance statement over a million ratings; a double holds every
        # second (and microsecond) of these dates exactly, so the floor is the same.
        return cast(func.floor(func.date_part("epoch", column)), BigInteger)
    return cast(func.strftime("%s", column), BigInteger)


def _distance(
    session: Session,
    *,
    case_col,
    who,
    items,
    key,
    at,
    start,
    end,
    team_id,
    rater,
    group_of,
    rater_joins=(),
    only=(),
    first_key=None,
):
    """Per rater and group of the breakdown: pairs of first and latest score (per case, rater and item) whose latest is in [start, end).

    One statement and no window: each rating gets an integer `key` that orders ratings as the practice
    does (when rated, then when recorded) with the score in its last two digits, so the first and
    latest scores are min(key) % 100 and max(key) % 100 of a plain GROUP BY over the ratings table
    alone (a window over a million ratings took 5-12 s). `who` is the rater as stored; `rater(pairs)`
    names their kind from the grouped rows, joined after grouping so the join sees pairs, not ratings;
    `group_of(Case)` is the breakdown's group, from the case joined after grouping too. `items`
    also holds what tells two raters of one kind apart (a mother from a father, one worker from
    the next), so that each is compared with themselves; `only` limits the ratings read.

    `first_key`, where given, orders the first rating's candidates differently from `key` (for the
    Diamond: the earliest day, and the latest recorded on it, since a later rating the same day
    supersedes an earlier one); then a pair needs its ratings on two different `at`s, not just two
    ratings (a rating put right the same day is one rating, not distance travelled).
    """
    two = func.min(at) < func.max(at) if first_key is not None else func.count() >= 2
    inner = select(
        case_col.label("case_id"),
        who.label("who"),
        func.min(key if first_key is None else first_key).label("first_key"),
        func.max(key).label("last_key"),
    )
    if team_id is not None:
        inner = inner.join(Case, Case.id == case_col).where(Case.team_id == team_id)
    pairs = (
        inner.where(at < end, *only).group_by(case_col, who, *items).having(and_(two, func.max(at) >= start)).subquery()
    )
    kind = rater(pairs).label("rater")
    grp = group_of.label("grp")
    change = (pairs.c.last_key % 100) - (pairs.c.first_key % 100)
    query = select(
        kind,
        grp,
        func.count(),
        func.sum(change),
        func.sum(case((change > 0, 1), else_=0)),
        func.sum(case((change == 0, 1), else_=0)),
        func.sum(case((change < 0, 1), else_=0)),
    ).select_from(pairs)
    query = query.join(Case, Case.id == pairs.c.case_id)
    for target, on in rater_joins:
        query = query.join(target, on(pairs), isouter=True)
    return session.exec(query.group_by(kind, grp)).all()


def not_corrected(
    session: Session, since: date | None, until: date | None, years: tuple[int, int], *, baseline: bool = False
) -> ColumnElement:
    """An outcome record not put right by a later one for the same case, point and spell (records
    are never edited: a correction is a new record): the latest recorded for its case, point and
    spell among those taken from `since` to `until` (the two periods, for what was known of them;
    None: ever). The care status import's records are each a fact of their day, not corrections
    of one another. Baselines are left out (no figure reads one) unless `baseline` (the export).

    A spell is told by the case's latest move into or out of active work on or before the day the
    record was taken (`years`: those the moves' local days are worked out for), so a reopened
    case's second follow-up at three months is not taken as a correction of the first spell's.
    A record at ending is told by the latest move into active work only: it is taken when the
    ending is written, before the approval moves the case out, and its correction may come after;
    both belong to the spell that move ends.
    Uncorrelated, so the database works it out once (a NOT EXISTS per record ran for over 20
    minutes on the county set)."""
    record, move = aliased(OutcomeRecord), aliased(CaseEvent)
    taken = [record.point.not_in(["imported"] if baseline else ["imported", "baseline"])]
    taken += [record.taken_on.between(since, until)] if since and until else []
    latest = (
        select(record.case_id, record.point, func.max(record.recorded_at).label("at"), func.count().label("n"))
        .where(*taken)
        .group_by(record.case_id, record.point)
        .subquery()
    )
    # The latest for its case and point is the latest in its spell too; only the case and points
    # with more than one record (few: corrections, and cases worked twice) need their spells told.
    marked = (
        select(
            record.id,
            record.case_id,
            record.point,
            record.recorded_at,
            func.coalesce(func.max(epoch_seconds(session, move.occurred_at)), 0).label("spell"),
        )
        .join(latest, and_(latest.c.case_id == record.case_id, latest.c.point == record.point, latest.c.n > 1))
        .join(
            move,
            and_(
                move.case_id == record.case_id,
                or_(
                    move.to_status == CaseStatus.active,
                    and_(move.from_status == CaseStatus.active, record.point != "ending"),
                ),
                local_days(session, move.occurred_at, *years) <= epoch_days(session, record.taken_on),
            ),
            isouter=True,
        )
        .where(*taken)
        .group_by(record.id, record.case_id, record.point, record.recorded_at)
        .cte("marked")
    )
    in_spell = (
        select(marked.c.case_id, marked.c.point, marked.c.spell, func.max(marked.c.recorded_at).label("at"))
        .group_by(marked.c.case_id, marked.c.point, marked.c.spell)
        .subquery()
    )
    current_in_spell = select(marked.c.id).join(
        in_spell,
        and_(
            in_spell.c.case_id == marked.c.case_id,
            in_spell.c.point == marked.c.point,
            in_spell.c.spell == marked.c.spell,
            in_spell.c.at == marked.c.recorded_at,
        ),
    )
    return or_(
        OutcomeRecord.point == "imported",
        tuple_(OutcomeRecord.case_id, OutcomeRecord.point, OutcomeRecord.recorded_at).in_(
            select(latest.c.case_id, latest.c.point, latest.c.at)
        ),
        OutcomeRecord.id.in_(current_in_spell),
    )


def diamond_first_key(session: Session | str) -> ColumnElement:
    """A Diamond rating's key whose minimum is the first day's rating as it stood at the end of that
    day (the day rated, then the second recorded counted down, then the score in the last two digits):
    a later rating the same day supersedes an earlier one (app/diamond/models.py)."""
    return (
        epoch_days(session, DiamondRating.rated_on) * 10**12
        + (10**10 - epoch_seconds(session, DiamondRating.recorded_at)) * 100
        + DiamondRating.score
    )


def worker_of(person_col, user_col) -> ColumnElement:
    """The worker who gave a rating (None for a family member's, who is told apart by person)."""
    return case((person_col.is_(None), user_col), else_=None)


def _local_offsets(first_year: int, last_year: int) -> tuple[int, list[tuple[datetime, datetime, int]]]:
    """The local zone's offset from UTC in seconds: the one in force on 1 January of `first_year`, and
    the spells (UTC start, UTC end, offset) in which it differs, to the end of `last_year`.

    Found from the zone database hour by hour around each day the offset changes, so the SQL below
    turns a stored UTC time into the local day as the worker saw it (summer time in the UK).
    """

    def offset(at: datetime) -> int:
        return int(at.astimezone(LOCAL).utcoffset().total_seconds())

    at = datetime(first_year, 1, 1, tzinfo=UTC)
    stop = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    usual, current, since, spells = offset(at), offset(at), at, []
    while at < stop:
        following = at + timedelta(days=1)
        if offset(following) != current:
            hour = at
            while offset(hour) == current:
                hour += timedelta(hours=1)
            if current != usual:
                spells.append((since, hour, current))
            current, since = offset(hour), hour
        at = following
    if current != usual:
        spells.append((since, stop, current))
    return usual, spells


def local_days(session: Session, column, first_year: int, last_year: int) -> ColumnElement:
    """Days since 1 January 1970 of the local date of a date-time column, for times in the years given."""
    usual, spells = _local_offsets(first_year, last_year)
    shift = case(*[(and_(column >= a, column < b), literal(o)) for a, b, o in spells], else_=literal(usual))
    return (epoch_seconds(session, column) + shift) // 86400


def _days_between(session: Session, start, end) -> ColumnElement:
    """Whole days from the date `start` to the date `end`."""
    return epoch_days(session, end) - epoch_days(session, start)


def _time_seconds(session: Session, column) -> ColumnElement:
    """Seconds since midnight of a time-of-day column, as an integer."""
    if _dialect(session) == "postgresql":
        return cast(func.floor(func.date_part("epoch", column)), BigInteger)
    return cast(func.round((func.julianday(literal("1970-01-01 ").op("||")(column)) - 2440587.5) * 86400), BigInteger)


def _local_to_epoch(clock: ColumnElement, first_year: int, last_year: int) -> ColumnElement:
    """Seconds since 1970 (UTC) of `clock`, a local wall-clock time given as seconds since 1970."""
    usual, spells = _local_offsets(first_year, last_year)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    shift = case(
        *[
            (
                and_(clock >= int((a - epoch).total_seconds()) + o, clock < int((b - epoch).total_seconds()) + o),
                literal(o),
            )
            for a, b, o in spells
        ],
        else_=literal(usual),
    )
    return clock - shift


def _referral_started(session: Session, first_year: int, last_year: int) -> ColumnElement:
    """When the referral clock started, as seconds since 1970: `app.cases.rules.referral_started_at`
    in SQL, so the scorecard times first contact as the case page does (from the referral's own
    date and time, else the start of an earlier referral day, else when the case was entered)."""
    opened = epoch_seconds(session, Case.opened_at)
    day = epoch_days(session, Case.referral_date)
    with_time = _local_to_epoch(day * 86400 + _time_seconds(session, Case.referral_time), first_year, last_year)
    return case(
        (
            and_(Case.referral_date.is_not(None), Case.referral_time.is_not(None)),
            case((with_time < opened, with_time), else_=opened),
        ),
        (
            and_(Case.referral_date.is_not(None), day < local_days(session, Case.opened_at, first_year, last_year)),
            _local_to_epoch(day * 86400, first_year, last_year),
        ),
        else_=opened,
    )


def scorecard(
    *,
    session: Session,
    period: Period,
    team_id: int | None,
    breakdown: str = "age_band",
    first_contact_target_hours: int = 24,
) -> Scorecard:
    """Every figure for `period` and the one before, for one team or (None) the whole service; thirteen statements."""
    before = period.previous
    card = Scorecard(period=period, team_id=team_id, breakdown=breakdown)
    scope = _scope(team_id)

    # 1. Young people worked with (an attended contact in the period), contacts and direct time, by
    # the breakdown's group. A young person is in one group, so distinct counts add up across groups:
    # one pass over the contacts gives both the totals and the breakdown.
    group = _group_column(breakdown, period.end).label("grp")
    flag = _flag(Contact.occurred_on, period, before).label("flag")
    groups: dict[str, Pair] = {}
    for g, f, worked, contacts, direct, recorded in session.exec(
        select(
            group,
            flag,
            func.count(func.distinct(case((Contact.attended.is_(True), Contact.case_id)))),
            func.count(),
            func.sum(Contact.direct_minutes),
            func.sum(Contact.direct_minutes + Contact.admin_minutes),
        )
        .join(Case, Case.id == Contact.case_id)
        .where(scope, Contact.occurred_on.between(before.start, period.end))
        .group_by(group, flag)
    ).all():
        for target, value in (
            (card.worked_with, worked),
            (card.contacts, contacts),
            (card.direct_minutes, direct),
            (card.recorded_minutes, recorded),
        ):
            setattr(target, f, getattr(target, f) + int(value or 0))
        if worked:
            setattr(groups.setdefault(g or "not_known", Pair()), f, int(worked))
        pair = card.contacts_by_group.setdefault(g or "not_known", Pair())
        setattr(pair, f, getattr(pair, f) + int(contacts or 0))
    order = list(BREAKDOWN_LABELS[breakdown])
    card.by_group = sorted(groups.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))

    # 2. Referrals received, and first contact within the target of the referral (as the case page
    # times it; until December 2026 from when the case was entered, which could be days later).
    flag = _flag(Case.referral_date, period, before).label("flag")
    started = _referral_started(session, before.start.year - 1, period.end.year + 1)
    hours = (epoch_seconds(session, Case.first_contact_at) - started) / 3600.0
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

    # 4. Endings: to dormant or closed, and by reason, by the breakdown's group. Every ending of
    # active work is the case's move out of active (app/cases/service.py `transition`, on the day
    # it happened), whichever way it was made: "End active work" (when approved, if it waited), a
    # step up or down that closes, or closing from the status screen, which makes no `Ending` row
    # (until December 2026 only `Ending` rows were counted, and those closures went uncounted).
    (a, _), (_, d) = before.bounds(), period.bounds()
    ended_at = CaseEvent.occurred_at
    ends_work = and_(CaseEvent.from_status == CaseStatus.active, CaseEvent.to_status.in_(ENDED_TO))
    flag = _flag_at(ended_at, period, before).label("flag")
    for g, f, outcome, reason, n in session.exec(
        select(group, flag, CaseEvent.to_status, CaseEvent.reason, func.count())
        .join(Case, Case.id == CaseEvent.case_id)
        .where(scope, ends_work, ended_at >= a, ended_at < d)
        .group_by(group, flag, CaseEvent.to_status, CaseEvent.reason)
    ).all():
        per_group = card.endings_by_group.setdefault(g or "not_known", {})
        # Work ended to dormant is asked for no closure reason (the case stays open): its own row,
        # not "reason not given", which would read as a worker's omission.
        why = reason or ("to_dormant" if outcome == "dormant" else "not_given")
        for pair in (
            card.endings.setdefault(outcome, Pair()),
            card.endings.setdefault(why, Pair()),
            per_group.setdefault("all", Pair()),
            per_group.setdefault(outcome, Pair()),
            per_group.setdefault(why, Pair()),
        ):
            setattr(pair, f, getattr(pair, f) + int(n))

    # 5. Outcome records at ending and follow-ups: at home (of those known), by the breakdown's group.
    flag = _flag(OutcomeRecord.taken_on, period, before).label("flag")
    years = (before.start.year - 1, period.end.year + 2)
    current = not_corrected(session, before.start, period.end, years)
    known = OutcomeRecord.living != "not_known"
    home = OutcomeRecord.living.in_(AT_HOME)
    looked_after = OutcomeRecord.care_status == "cla"
    until = OutcomeRecord.care_status_until
    # Looked after counts while the spell reaches into the record's period: a record in 2026 saying
    # looked after from 2019 to 2020 is the young person's history, not their entering care now.
    spell_reaches = or_(
        until.is_(None), until >= case((OutcomeRecord.taken_on >= period.start, period.start), else_=before.start)
    )
    in_care = or_(OutcomeRecord.living == "in_care", and_(looked_after, spell_reaches))
    recorded = and_(scope, OutcomeRecord.taken_on.between(before.start, period.end), current)
    for g, f, point, n_home, n_known in session.exec(
        select(
            group,
            flag,
            OutcomeRecord.point,
            func.count(func.distinct(case((home, OutcomeRecord.case_id)))),
            func.count(func.distinct(case((known, OutcomeRecord.case_id)))),
        )
        .join(Case, Case.id == OutcomeRecord.case_id)
        .where(recorded, OutcomeRecord.point != "baseline")
        .group_by(group, flag, OutcomeRecord.point)
    ).all():
        at, of = card.at_home.setdefault(point, (Pair(), Pair()))
        setattr(at, f, getattr(at, f) + int(n_home))
        setattr(of, f, getattr(of, f) + int(n_known))
        if point == "ending":
            at, of = card.home_by_group.setdefault(g or "not_known", (Pair(), Pair()))
            setattr(at, f, int(n_home))
            setattr(of, f, int(n_known))

    # 5b. Entered care: young people recorded in care at an ending, a follow-up or by the care-status
    # import in the period, each counted once however many records say so.
    for g, f, n in session.exec(
        select(group, flag, func.count(func.distinct(OutcomeRecord.case_id)))
        .join(Case, Case.id == OutcomeRecord.case_id)
        .where(recorded, OutcomeRecord.point.not_in(["baseline", "review"]), in_care)
        .group_by(group, flag)
    ).all():
        setattr(card.entered_care, f, getattr(card.entered_care, f) + int(n))
        setattr(card.care_by_group.setdefault(g or "not_known", Pair()), f, int(n))

    # 5c. Entered care within 12 months of the work ending, for young people whose work ended in the
    # period (their latest ending in it). "Yes": a record at ending, follow-up or import says they
    # were in care on a day from the ending to 365 days after it, or that they became looked after
    # on such a day. "No": not yes, and a record taken 365 days or more after the ending says they
    # were not in care, or that looked after began later than that. Otherwise "not known": no
    # record covers the twelve months yet, which is not the same as "no".
    ends = (
        select(
            CaseEvent.case_id.label("case_id"),
            _flag_at(ended_at, period, before).label("flag"),
            func.max(local_days(session, ended_at, before.start.year, period.end.year)).label("day"),
        )
        .join(Case, Case.id == CaseEvent.case_id)
        .where(scope, ends_work, ended_at >= a, ended_at < d)
        .group_by(CaseEvent.case_id, "flag")
        .subquery()
    )
    taken = epoch_days(session, OutcomeRecord.taken_on)
    since = epoch_days(session, OutcomeRecord.care_status_since)
    # In care during the twelve months: living in care, or looked after with the spell not ended
    # before the ending.
    in_care_after = or_(
        OutcomeRecord.living == "in_care",
        and_(looked_after, or_(until.is_(None), epoch_days(session, until) >= ends.c.day)),
    )
    not_in_care = and_(
        OutcomeRecord.living != "in_care",
        or_(
            OutcomeRecord.care_status.in_(["none", "cin", "cp"]),
            and_(OutcomeRecord.care_status == "not_known", OutcomeRecord.living != "not_known"),
        ),
    )
    per_case = (
        select(
            ends.c.case_id,
            ends.c.flag,
            func.max(
                case(
                    (and_(in_care_after, taken.between(ends.c.day, ends.c.day + 365)), 1),
                    (and_(looked_after, since.between(ends.c.day, ends.c.day + 365)), 1),
                    else_=0,
                )
            ).label("yes"),
            func.max(
                case(
                    (and_(not_in_care, taken >= ends.c.day + 365), 1),
                    (and_(looked_after, since > ends.c.day + 365), 1),
                    else_=0,
                )
            ).label("no"),
        )
        .select_from(ends)
        .join(
            OutcomeRecord,
            and_(
                OutcomeRecord.case_id == ends.c.case_id,
                OutcomeRecord.point.not_in(["baseline", "review"]),
                or_(taken >= ends.c.day, since >= ends.c.day),
                not_corrected(session, None, None, years),  # the twelve months after an ending run past the period
            ),
            isouter=True,
        )
        .group_by(ends.c.case_id, ends.c.flag)
        .subquery()
    )
    answer = case(
        (per_case.c.yes == 1, literal("yes")), (per_case.c.no == 1, literal("no")), else_=literal("not_known")
    ).label("answer")
    for g, f, said, n in session.exec(
        select(group, per_case.c.flag, answer, func.count())
        .select_from(per_case)
        .join(Case, Case.id == per_case.c.case_id)
        .group_by(group, per_case.c.flag, answer)
    ).all():
        for pair in (
            card.care_within_12.setdefault(said, Pair()),
            card.care_within_12_by_group.setdefault(g or "not_known", {}).setdefault(said, Pair()),
        ):
            setattr(pair, f, getattr(pair, f) + int(n))

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
    card.diamond, card.diamond_by_group = _change_rows(
        _distance(
            session,
            case_col=DiamondRating.case_id,
            who=DiamondRating.person_id,  # empty for a worker's rating
            # A worker's ratings are compared with that worker's own (a case reallocated: the
            # first worker's first rating is not the second's starting point).
            # (user_id is set for a worker's rating alone; the table's check holds it.)
            items=[DiamondRating.aim, DiamondRating.goal_id, DiamondRating.user_id],
            # Day rated (under 10^5) then second recorded (under 10^10), then the score: fits 63 bits.
            key=epoch_days(session, DiamondRating.rated_on) * 10**12
            + epoch_seconds(session, DiamondRating.recorded_at) * 100
            + DiamondRating.score,
            # The first day's rating is the one recorded last that day: the recording second
            # counted down from 10^10 (the Diamond's rule, app/diamond/models.py).
            first_key=diamond_first_key(session),
            at=DiamondRating.rated_on,
            start=period.start,
            end=period.end + timedelta(days=1),
            team_id=team_id,
            rater=lambda pairs: case(
                (pairs.c.who.is_(None), literal("worker")),
                (Person.is_young_person.is_(True), literal("young_person")),
                else_=literal("parent"),
            ),
            group_of=_group_column(breakdown, period.end),
            rater_joins=[(Person, lambda pairs: Person.id == pairs.c.who)],
        ),
        RATERS,
        order,
    )
    card.scales, card.scales_by_group = _change_rows(
        _distance(
            session,
            case_col=ScaleRating.case_id,
            who=ScaleRating.rater_role,
            # Each person compared with themselves (a mother with herself, not with the father),
            # a worker with that worker; the overall scale only, never a statement pair's.
            items=[ScaleRating.rater_person_id, worker_of(ScaleRating.rater_person_id, ScaleRating.recorded_by_id)],
            only=[ScaleRating.pair_key.is_(None)],
            # Second rated, then (for two ratings given in the same second) the second recorded
            # within a 10^6-second window, then the score.
            key=epoch_seconds(session, ScaleRating.rated_at) * 10**8
            + (epoch_seconds(session, ScaleRating.created_at) % 10**6) * 100
            + ScaleRating.score,
            at=ScaleRating.rated_at,
            rater=lambda pairs: pairs.c.who,
            start=start,
            end=end,
            team_id=team_id,
            group_of=_group_column(breakdown, period.end),
        ),
        SOS_RATERS,
        order,
    )

    # 9. Eligibility: cases screened in the period, and eligible at their latest screening in it.
    latest = (
        select(
            EligibilityDecision.case_id,
            _flag_at(EligibilityDecision.decided_at, period, before).label("flag"),
            func.max(EligibilityDecision.decided_at).label("at"),
        )
        .join(Case, Case.id == EligibilityDecision.case_id)
        .where(scope, EligibilityDecision.decided_at >= a, EligibilityDecision.decided_at < d)
        .group_by(EligibilityDecision.case_id, "flag")
        .subquery()
    )
    rows = session.exec(
        select(
            latest.c.flag,
            func.count(),
            func.sum(case((EligibilityDecision.eligible.is_(True), 1), else_=0)),
            func.sum(case((EligibilityDecision.overridden.is_(True), 1), else_=0)),
        )
        .select_from(latest)
        .join(
            EligibilityDecision,
            and_(EligibilityDecision.case_id == latest.c.case_id, EligibilityDecision.decided_at == latest.c.at),
        )
        .group_by(latest.c.flag)
    ).all()
    card.screened, card.eligible, card.overridden = _pair(rows, 0, 1), _pair(rows, 0, 2), _pair(rows, 0, 3)

    # 10. Days in care, where known: from the date looked after began to its end (or the record's
    # date), the longest per case, for records at ending, follow-up or imported in the period.
    in_care_days = _days_between(
        session, OutcomeRecord.care_status_since, func.coalesce(OutcomeRecord.care_status_until, OutcomeRecord.taken_on)
    )
    per_case = (
        select(
            OutcomeRecord.case_id,
            _flag(OutcomeRecord.taken_on, period, before).label("flag"),
            func.max(in_care_days).label("days"),
        )
        .join(Case, Case.id == OutcomeRecord.case_id)
        .where(
            scope,
            OutcomeRecord.taken_on.between(before.start, period.end),
            OutcomeRecord.point.not_in(["baseline", "review"]),
            OutcomeRecord.care_status == "cla",
            OutcomeRecord.care_status_since.is_not(None),
        )
        .group_by(OutcomeRecord.case_id, "flag")
        .subquery()
    )
    for f, days, n in session.exec(
        select(per_case.c.flag, per_case.c.days, func.count())
        .group_by(per_case.c.flag, per_case.c.days)
        .order_by(per_case.c.days)
    ).all():
        setattr(card.care_days_known, f, getattr(card.care_days_known, f) + int(n))
        if f == "now":
            card.days_in_care.append((max(0, int(days)), int(n)))

    # 11. Feedback from young people, parents and social workers: responses and how answers scored.
    each = func.json_each if session.get_bind().dialect.name == "sqlite" else func.json_array_elements
    # A function in FROM may read the tables before it (implicitly lateral on both databases).
    answer = each(BaseFeedback.answers).table_valued(column("value", JSON))
    score = answer.c.value["score"].as_integer()
    flag = _flag_at(BaseFeedback.recorded_at, period, before).label("flag")
    found: dict[str, Feedback] = {}
    for f, perspective, responses, scored, good in session.exec(
        select(
            flag,
            BaseFeedback.perspective,
            func.count(func.distinct(BaseFeedback.id)),
            func.count(score),
            func.sum(case((score >= 4, 1), else_=0)),
        )
        .join(Case, Case.id == BaseFeedback.case_id)
        .join(answer, true())
        .where(scope, BaseFeedback.recorded_at >= a, BaseFeedback.recorded_at < d)
        .group_by(flag, BaseFeedback.perspective)
    ).all():
        item = found.setdefault(
            perspective, Feedback(FEEDBACK_FROM.get(perspective, perspective), Pair(), Pair(), Pair())
        )
        for target, value in ((item.responses, responses), (item.answers, scored), (item.good, good)):
            setattr(target, f, int(value or 0))
    order = list(FEEDBACK_FROM.values())
    card.feedback = sorted(found.values(), key=lambda x: order.index(x.perspective) if x.perspective in order else 9)

    return card


def team_choices(*, session: Session) -> list[tuple[int, str]]:
    """Teams for the manager's choice (one query)."""
    return [(t.id, t.name) for t in session.exec(select(Team).order_by(Team.name)).all()]
