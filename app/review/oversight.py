"""Team oversight: who holds how much, and which cases raise which flag (issue 10).

The flags are the installed features' flag rules (app/features.py FlagRule), composed here: each
rule answers its cases in a fixed number of aggregate queries, whatever the number of cases (a test
counts them), deciding with pure functions in its own feature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import and_, delete, func, insert, or_, text, update
from sqlmodel import Session, select

from app.accounts.models import Role, Team, User
from app.cases.flags import LISTED_CASE_COLUMNS, SNAPSHOT_FRESH, contact_figures, listed_case
from app.cases.models import PRACTICE_CONTEXT_LABELS, Case, CaseFlag
from app.config import Settings
from app.db import hold_case_write_lock, read_columns
from app.features import FlagScope, flag_rules, installed
from app.review import rules
from app.review.models import (
    CaseloadWeight,
    FlagWeek,
    NoteKind,
    Submission,
    SupervisionNote,
    waiting_for_review,
)
from app.timeutil import local


@dataclass
class Flag:
    key: str
    case_id: int
    reference: str
    name: str
    worker_id: int
    label: str = ""
    # The case's team (whoever holds it): a team's flags are its cases' (issue 21 counts by case).
    team_id: int = 0


@dataclass
class WorkerRow:
    worker: User
    active: int = 0
    dormant: int = 0
    weighted: float = 0.0
    contacts: int = 0
    direct_minutes: int = 0
    waiting: int = 0
    flags: list[Flag] = field(default_factory=list)
    # From the worker's latest BASE assessment version: (self-rating, supervisor's rating).
    base_competency: tuple[str | None, str | None] | None = None
    # The worker's last reflective supervision note, and whether the next is due (issue 19).
    last_reflective: date | None = None
    reflective_due: bool = False

    @property
    def direct_hours(self) -> float:
        return round(self.direct_minutes / 60, 1)


@dataclass
class Dashboard:
    teams: list[Team]
    rows: list[WorkerRow]
    flags: list[Flag]
    # Every flag's label by key, in the order the features declare them.
    labels: dict[str, str] = field(default_factory=dict)
    # The caseload weights in use (an administrator's, else the defaults), and them in words.
    weights: dict[str, float] = field(default_factory=dict)
    weights_hint: str = ""
    # The last 12 weeks' Mondays, oldest first, and per flag key the cases flagged each week (the
    # weeks `homeward tick` kept; this week from the flags just worked out).
    trend_weeks: list[date] = field(default_factory=list)
    trend: dict[str, list[int | None]] = field(default_factory=dict)
    # Work waiting in each team's queue (by Submission.team_id, as the review queue counts it),
    # whoever sent it: a worker since disabled, a co-worker from another team.
    waiting_by_team: dict[int, int] = field(default_factory=dict)
    # The open cases held by someone without a row (a disabled account, someone moved to another
    # team), counted and flagged here so the rows and this add up to the team's cases; they wait
    # for the team's supervisor to reallocate them.
    others: WorkerRow = field(default_factory=lambda: WorkerRow(worker=None))  # type: ignore[arg-type]
    # Active, dormant and weighted by the case's own team (Case.team_id), whoever holds the case:
    # what a team's line counts, as its own oversight and team cases do.
    by_team: dict[int, WorkerRow] = field(default_factory=dict)

    @property
    def others_waiting(self) -> int:
        """Waiting work sent by someone without a row here, so the rows add up to the total."""
        return sum(self.waiting_by_team.values()) - sum(row.waiting for row in self.rows)

    @property
    def totals(self) -> WorkerRow:
        total = WorkerRow(worker=None)  # type: ignore[arg-type]
        for row in [*self.rows, self.others]:
            total.active += row.active
            total.dormant += row.dormant
            total.weighted += row.weighted
            total.contacts += row.contacts
            total.direct_minutes += row.direct_minutes
        total.waiting = sum(self.waiting_by_team.values())
        total.weighted = round(total.weighted, 2)
        return total

    def flag_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.labels, 0)
        for flag in self.flags:
            counts[flag.key] = counts.get(flag.key, 0) + 1
        return counts

    def flags_by_key(self) -> dict[str, list[Flag]]:
        """The flags by key, each key's in the flags' order (by name)."""
        by_key: dict[str, list[Flag]] = {}
        for flag in self.flags:
            by_key.setdefault(flag.key, []).append(flag)
        return by_key


# How many cases each of a team's flag lists shows on team oversight (issue 21: a county team of
# 900 cases listed 600 flags twice); the whole list is team cases', a page at a time.
FLAGS_SHOWN = 10


def _by_name(flag: Flag) -> tuple[str, str]:
    return (flag.name.lower(), flag.reference)


@dataclass
class TeamSummary:
    """One team's line on the manager's whole-service oversight (issue 21: a summary per team,
    the team's own oversight one click away)."""

    team: Team
    workers: int = 0
    active: int = 0
    dormant: int = 0
    weighted: float = 0.0
    waiting: int = 0
    flags: int = 0
    # Flags by key, for the flags this team raises.
    by_flag: dict[str, int] = field(default_factory=dict)


def team_summaries(board: Dashboard) -> list[TeamSummary]:
    """The dashboard's cases and flags added up per case's team, and its workers per their team, in
    the teams' order (no query)."""
    summaries = {t.id: TeamSummary(team=t) for t in board.teams}
    for row in board.rows:
        if row.worker.team_id in summaries:
            summaries[row.worker.team_id].workers += 1
    for team_id, cases in board.by_team.items():
        summary = summaries.get(team_id)
        if summary is not None:
            summary.active += cases.active
            summary.dormant += cases.dormant
            summary.weighted += cases.weighted
    for team_id, count in board.waiting_by_team.items():
        if team_id in summaries:
            summaries[team_id].waiting += count
    for flag in board.flags:
        summary = summaries.get(flag.team_id)
        if summary is not None:
            summary.flags += 1
            summary.by_flag[flag.key] = summary.by_flag.get(flag.key, 0) + 1
    for summary in summaries.values():
        summary.weighted = round(summary.weighted, 2)
    return list(summaries.values())


# The manager's whole-service flags come from the snapshot `homeward tick` keeps while it is
# SNAPSHOT_FRESH (app/cases/flags.py); older, or never kept, they are worked out live.


@dataclass
class ServiceOverview:
    """The manager's whole service (issue 21): a line per team, counted in grouped SQL, and the
    flags per team as `homeward tick` last kept them (`flags_at`; None when worked out now)."""

    teams: list[TeamSummary]
    labels: dict[str, str]
    weights_hint: str
    flags_at: datetime | None
    trend_weeks: list[date] = field(default_factory=list)
    trend: dict[str, list[int | None]] = field(default_factory=dict)

    @property
    def totals(self) -> TeamSummary:
        total = TeamSummary(team=None)  # type: ignore[arg-type]
        for s in self.teams:
            total.workers += s.workers
            total.active += s.active
            total.dormant += s.dormant
            total.weighted += s.weighted
            total.waiting += s.waiting
            total.flags += s.flags
        total.weighted = round(total.weighted, 2)
        return total

    def flag_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.labels, 0)
        for s in self.teams:
            for key, n in s.by_flag.items():
                counts[key] = counts.get(key, 0) + n
        return counts


def service_overview(*, session: Session, settings: Settings, today: date, now: datetime) -> ServiceOverview:
    """Every team's line for a manager, whatever the size of the service: a fixed number of grouped
    statements, no case loaded (the flags from the tick's snapshot, live only without one)."""
    teams = list(session.exec(select(Team).order_by(Team.name)).all())
    labels = {rule.key: rule.label(settings) for rule in flag_rules()}
    weights = caseload_weights(session=session)
    weeks = rules.trend_weeks(today)
    snapshot = session.exec(
        select(FlagWeek.team_id, FlagWeek.flag_key, FlagWeek.count, FlagWeek.recorded_at).where(
            FlagWeek.week_start == weeks[-1]
        )
    ).all()
    flags_at = max((at for *_, at in snapshot), default=None)
    if flags_at is None or _aware(flags_at) < now - SNAPSHOT_FRESH:
        # Never kept this week, or the tick has stopped: the old way, every case's flags now.
        service_wide = User(role=Role.manager, full_name="service overview")  # not saved
        board = dashboard(session=session, viewer=service_wide, settings=settings, today=today, now=now)
        return ServiceOverview(
            teams=team_summaries(board),
            labels=board.labels,
            weights_hint=board.weights_hint,
            flags_at=None,
            trend_weeks=board.trend_weeks,
            trend=board.trend,
        )

    summaries = {t.id: TeamSummary(team=t) for t in teams}
    team_ids = list(summaries)
    # In the case's own team, whoever holds it (a worker since disabled or moved: the case is still
    # the team's to reallocate), as the team's own oversight and team cases count it.
    for team_id, status, context, n in session.exec(
        select(Case.team_id, Case.status, Case.practice_context, func.count())
        .where(Case.team_id.in_(team_ids), Case.status.in_(["active", "dormant"]))
        .group_by(Case.team_id, Case.status, Case.practice_context)
    ).all():
        summary = summaries[team_id]
        if status == "active":
            summary.active += n
        else:
            summary.dormant += n
        summary.weighted += n * rules.intensity_weight(status=status, practice_context=context, weights=weights)
    # Waiting in the team's queue, whoever sent it, as the review queue counts it.
    for team_id, n in session.exec(
        select(Submission.team_id, func.count())
        .where(Submission.team_id.in_(team_ids), waiting_for_review())
        .group_by(Submission.team_id)
    ).all():
        summaries[team_id].waiting += n
    # Workers, and supervisors the team's own table shows (dashboard's `shown`): holding an active
    # or dormant case, work waiting for review, or a case flagged (as the tick kept the flags).
    holds_work = or_(
        select(Case.id).where(Case.key_worker_id == User.id, Case.status.in_(["active", "dormant"])).exists(),
        select(Submission.id).where(Submission.submitted_by_id == User.id, waiting_for_review()).exists(),
        select(CaseFlag.flagged_case_id)
        .join(Case, Case.id == CaseFlag.flagged_case_id)
        .where(Case.key_worker_id == User.id)
        # OFFSET 0 keeps PostgreSQL from turning this into one hash of every flag of every case in
        # the service (20-37 ms on the county set); asked only of supervisors, it is a probe or
        # two of their own cases (under 1 ms for the whole service, EXPLAIN ANALYZE).
        .offset(0)
        .exists(),
    )
    for team_id, n in session.exec(
        select(User.team_id, func.count())
        .where(
            User.team_id.in_(team_ids),
            User.is_active.is_(True),
            or_(User.role == Role.worker, and_(User.role == Role.supervisor, holds_work)),
        )
        .group_by(User.team_id)
    ).all():
        summaries[team_id].workers += n
    for team_id, key, count, _at in snapshot:
        summary = summaries.get(team_id)
        if summary is not None and key in labels and count:
            summary.flags += count
            summary.by_flag[key] = summary.by_flag.get(key, 0) + count
    for summary in summaries.values():
        summary.weighted = round(summary.weighted, 2)
    overview = ServiceOverview(
        teams=list(summaries.values()),
        labels=labels,
        weights_hint=rules.weights_hint(weights, CONTEXT_WORDS),
        flags_at=_aware(flags_at),
        trend_weeks=weeks,
    )
    overview.trend = _trend(session, team_ids, weeks, labels, overview.flag_counts())
    return overview


def _aware(at: datetime) -> datetime:
    """A stored time as UTC-aware (SQLite gives it back naive)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def dashboard(
    *,
    session: Session,
    viewer: User,
    settings: Settings,
    today: date,
    now: datetime,
    team_id: int | None = None,
    every_case: list | None = None,
) -> Dashboard:
    """The oversight figures for the viewer's team (a manager: every team, or the one chosen).

    `every_case`, a list, is given every open case's flags as (case id, flag key), held by someone
    on the dashboard or not (what team cases shows; the tick keeps them, see keep_week)."""
    if viewer.role == Role.manager:
        teams = list(session.exec(select(Team).order_by(Team.name)).all())
        team_ids = [team_id] if team_id else [t.id for t in teams]
    else:
        teams = list(session.exec(select(Team).where(Team.id == viewer.team_id)).all())
        team_ids = [viewer.team_id]

    workers = session.exec(
        select(User)
        .where(User.team_id.in_(team_ids), User.role.in_([Role.worker, Role.supervisor]), User.is_active.is_(True))
        .order_by(User.full_name)
    ).all()
    rows = {w.id: WorkerRow(worker=w) for w in workers}

    # The open cases as plain rows of the columns the flag rules read, not ORM objects (issue 21).
    cases = [
        listed_case(row)
        for row in read_columns(
            session,
            select(*LISTED_CASE_COLUMNS).where(
                Case.team_id.in_(team_ids), Case.status.in_(["referred", "screening", "active", "dormant"])
            ),
            {},
        ).all()
    ]
    # Every open case counts and raises its flags; one held by someone without a row (a disabled
    # account, someone moved to another team) counts on the "Others" line, to be reallocated.
    others = WorkerRow(worker=None)  # type: ignore[arg-type]
    scope = FlagScope(
        session=session,
        settings=settings,
        today=today,
        now=now,
        team_ids=team_ids,
        cases=cases,
        in_scope=Case.team_id.in_(team_ids),
    )
    contacts = contact_figures(scope)
    weights = caseload_weights(session=session)
    by_team: dict[int, WorkerRow] = {}
    for c in cases:
        row = rows.get(c.key_worker_id, others)
        team = by_team.setdefault(c.team_id, WorkerRow(worker=None))  # type: ignore[arg-type]
        if c.status in ("active", "dormant"):
            weight = rules.intensity_weight(status=c.status, practice_context=c.practice_context, weights=weights)
            for counted in (row, team):
                if c.status == "active":
                    counted.active += 1
                else:
                    counted.dormant += 1
                counted.weighted += weight
        contact = contacts.get(c.id)
        if contact is not None:
            row.contacts += int(contact[3] or 0)
            row.direct_minutes += int(contact[4] or 0)

    for feature in installed():
        if feature.competency is not None:
            ratings = feature.competency(session=session, in_scope=scope.in_scope)
            for c in cases:
                if c.status == "active" and c.id in ratings and c.key_worker_id in rows:
                    rows[c.key_worker_id].base_competency = ratings[c.id]

    waiting_by_team: dict[int, int] = {}
    for queue_team_id, worker_id, count in session.exec(
        select(Submission.team_id, Submission.submitted_by_id, func.count())
        .where(Submission.team_id.in_(team_ids), waiting_for_review())
        .group_by(Submission.team_id, Submission.submitted_by_id)
    ).all():
        waiting_by_team[queue_team_id] = waiting_by_team.get(queue_team_id, 0) + count
        if worker_id in rows:
            rows[worker_id].waiting += count

    flags: list[Flag] = []
    labels: dict[str, str] = {}
    for rule in flag_rules():
        labels[rule.key] = rule.label(settings)
        for c in rule.raised(scope):
            if every_case is not None:
                every_case.append((c.id, rule.key))
            flag = Flag(rule.key, c.id, c.reference, c.display_name, c.key_worker_id, labels[rule.key], c.team_id)
            flags.append(flag)
            rows.get(c.key_worker_id, others).flags.append(flag)

    # By name (stable: a case's flags stay in the features' order), so a list cut at FLAGS_SHOWN
    # shows the same cases whatever order the database gave them in.
    flags.sort(key=_by_name)
    for row in [*rows.values(), others]:
        row.flags.sort(key=_by_name)

    last_reflective = dict(
        session.exec(
            select(SupervisionNote.worker_id, func.max(SupervisionNote.at))
            .where(
                SupervisionNote.kind == NoteKind.reflective,
                SupervisionNote.worker_id.in_(list(rows)),
                # A worker's own reflection is no supervision: only someone else's note counts.
                SupervisionNote.by_user_id != SupervisionNote.worker_id,
            )
            .group_by(SupervisionNote.worker_id)
        ).all()
    )
    others.weighted = round(others.weighted, 2)
    for row in rows.values():
        row.weighted = round(row.weighted, 2)
        last = last_reflective.get(row.worker.id)
        row.last_reflective = local(last).date() if last else None
        row.reflective_due = row.worker.role == Role.worker and rules.reflective_supervision_due(
            last_on=row.last_reflective,
            since_on=local(row.worker.created_at).date(),
            today=today,
            weeks=settings.reflective_supervision_weeks,
        )
    # A supervisor is in the table only when they hold casework themselves (issue 19: a row of
    # noughts for the supervisor reads as an idle worker); service_overview counts by this rule.
    shown = [
        row
        for row in rows.values()
        if row.worker.role != Role.supervisor or row.active or row.dormant or row.waiting or row.flags
    ]
    weeks = rules.trend_weeks(today)
    return Dashboard(
        teams=teams,
        rows=shown,
        flags=flags,
        labels=labels,
        weights=weights,
        weights_hint=rules.weights_hint(weights, CONTEXT_WORDS),
        trend_weeks=weeks,
        trend=_trend(session, team_ids, weeks, labels, _counts(labels, flags)),
        waiting_by_team=waiting_by_team,
        others=others,
        by_team=by_team,
    )


def _counts(labels: dict[str, str], flags: list[Flag]) -> dict[str, int]:
    counts = dict.fromkeys(labels, 0)
    for flag in flags:
        counts[flag.key] = counts.get(flag.key, 0) + 1
    return counts


def _trend(session: Session, team_ids: list[int], weeks: list[date], labels: dict[str, str], now: dict[str, int]):
    """Per flag, the cases flagged in each of `weeks`: kept weeks from flag_week (one query), this
    week's as given (worked out now, or the tick's snapshot); None for a week nobody kept."""
    kept: dict[tuple[str, date], int] = {}
    for key, week, count in session.exec(
        select(FlagWeek.flag_key, FlagWeek.week_start, func.sum(FlagWeek.count))
        .where(FlagWeek.team_id.in_(team_ids), FlagWeek.week_start >= weeks[0], FlagWeek.week_start < weeks[-1])
        .group_by(FlagWeek.flag_key, FlagWeek.week_start)
    ).all():
        kept[(key, week)] = int(count or 0)
    recorded = {week for _key, week in kept}
    return {
        key: [kept.get((key, week), 0) if week in recorded else None for week in weeks[:-1]] + [now.get(key, 0)]
        for key in labels
    }


def keep_week(*, session: Session, settings: Settings, today: date, now: datetime) -> int:
    """Keep this week's flag counts for every team (for the trend); run by `homeward tick`, again
    in the same week it replaces the week's counts. Returns the rows written."""
    week = rules.week_start(today)
    service_wide = User(role=Role.manager, full_name="homeward tick")  # not saved: sees every team
    every_case: list[tuple[int, str]] = []
    board = dashboard(
        session=session, viewer=service_wide, settings=settings, today=today, now=now, every_case=every_case
    )
    # Each open case's flags, for the manager's whole-service team cases (issue 21), replaced whole.
    session.exec(delete(CaseFlag))
    rows = [{"flagged_case_id": case_id, "flag_key": key, "recorded_at": now} for case_id, key in set(every_case)]
    for start in range(0, len(rows), 5000):
        session.exec(insert(CaseFlag), params=rows[start : start + 5000])
    _count_kept_flags(session)
    if session.get_bind().dialect.name == "postgresql":
        # Replaced whole: tell the planner its new size now rather than when autovacuum gets to it
        # (unanalysed, the county's 32,000 rows were planned as 200 and joined row by row).
        session.exec(text("ANALYZE case_flag"))
    # By the case's own team, whoever holds it (as the team's own oversight counts its flags).
    counts: dict[tuple[int, str], int] = {(t.id, key): 0 for t in board.teams for key in board.labels}
    for flag in board.flags:
        counts[(flag.team_id, flag.key)] = counts.get((flag.team_id, flag.key), 0) + 1
    existing = {
        (r.team_id, r.flag_key): r for r in session.exec(select(FlagWeek).where(FlagWeek.week_start == week)).all()
    }
    for (team_id, key), count in counts.items():
        row = existing.get((team_id, key)) or FlagWeek(week_start=week, team_id=team_id, flag_key=key)
        row.count, row.recorded_at = count, now
        session.add(row)
    session.flush()
    return len(counts)


def _count_kept_flags(session: Session) -> None:
    """Each case's kept_flag_count from the case_flag rows just written, so the two never disagree:
    the whole-service team cases by flags reads 25 rows of an index on it instead of counting and
    sorting every flagged case (issue 21). Only cases whose count moved are written (all the
    flagged ones the first time, a few an hour after)."""
    case, case_flag = Case.__table__, CaseFlag.__table__
    counted = select(func.count()).select_from(case_flag).where(case_flag.c.flagged_case_id == case.c.id)
    counted = counted.scalar_subquery()
    hold_case_write_lock(session)  # writers of cases take turns, or two could deadlock (app/db.py)
    # On the connection, past the session's bulk-write hook: a kept count is no change to the case
    # and must not move its page version (the case page works its flags out itself).
    session.connection().execute(update(case).where(case.c.kept_flag_count != counted).values(kept_flag_count=counted))


CONTEXT_WORDS = {str(k): v for k, v in PRACTICE_CONTEXT_LABELS.items()}


def caseload_weights(*, session: Session) -> dict[str, float]:
    """The weights in use: the administrator's where set, the defaults otherwise (one query)."""
    chosen = dict(session.exec(select(CaseloadWeight.key, CaseloadWeight.weight)).all())
    return {**rules.DEFAULT_WEIGHTS, **chosen}


__all__ = [
    "dashboard",
    "Dashboard",
    "Flag",
    "ServiceOverview",
    "TeamSummary",
    "service_overview",
    "caseload_weights",
    "keep_week",
    "team_summaries",
]
