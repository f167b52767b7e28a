"""The manager's whole service (issue 21): a line per team, from the team dashboard's figures or
counted in grouped SQL with the flags as `homeward tick` last kept them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from app.accounts.models import Role, Team, User
from app.cases.flags import SNAPSHOT_FRESH
from app.cases.models import Case, CaseFlag
from app.config import Settings
from app.features import flag_rules
from app.review import rules
from app.review.models import FlagWeek, Submission, waiting_for_review
from app.review.team_oversight import Dashboard, _trend, dashboard
from app.review.weights import CONTEXT_WORDS, caseload_weights


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
