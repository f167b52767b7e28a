"""Team oversight's dashboard: who in a team holds how much, and which cases raise which flag
(issue 10).

The flags are the installed features' flag rules (app/features.py FlagRule), composed here: each
rule answers its cases in a fixed number of aggregate queries, whatever the number of cases (a test
counts them), deciding with pure functions in its own feature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from app.accounts.models import Role, Team, User
from app.cases.flags import LISTED_CASE_COLUMNS, contact_figures, listed_case
from app.cases.models import Case
from app.config import Settings
from app.db import read_columns
from app.features import FlagScope, flag_rules, installed
from app.review import rules
from app.review.models import FlagWeek, NoteKind, Submission, SupervisionNote, waiting_for_review
from app.review.weights import CONTEXT_WORDS, caseload_weights
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
