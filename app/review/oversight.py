"""Team oversight: who holds how much, and which cases raise which flag (issue 10).

Every figure comes from a fixed number of aggregate queries, whatever the number of cases (a test
counts them); the flag rules themselves are pure functions in rules.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func
from sqlalchemy import case as when
from sqlmodel import Session, select

from app.accounts.models import Role, Team, User
from app.base import rules as base_rules
from app.base import service as base_service
from app.base.models import BaseVersion
from app.cases.models import Case, CaseEvent, Contact, Person
from app.config import Settings
from app.diamond.models import DiamondRating
from app.endings.models import DormantSpell, Ending
from app.review import rules
from app.review.models import Submission, SubmissionStatus
from app.signs_of_safety.models import ScaleRating, ThreeHousesEntry
from app.timeutil import LOCAL, local

FLAG_LABELS = {
    "first_contact": "No first contact within 24 hours of referral",
    "no_contact": "No contact for 14 days",
    "review_overdue": "Review overdue",
    "too_long": "Planned intervention length exceeded",
    "voice": "Young person's voice not recorded for six weeks",
    "base_skipped": "BASE stages skipped",
    "engagement": "Visits missed in a row",
    "dormant_review": "Dormant review due",
    "no_sustainability_plan": "Ending without a sustainability plan",
    "waiting": "Waiting for review over five working days",
}


@dataclass
class Flag:
    key: str
    case_id: int
    reference: str
    name: str
    worker_id: int

    @property
    def label(self) -> str:
        return FLAG_LABELS[self.key]


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

    @property
    def direct_hours(self) -> float:
        return round(self.direct_minutes / 60, 1)


@dataclass
class Dashboard:
    teams: list[Team]
    rows: list[WorkerRow]
    flags: list[Flag]

    @property
    def totals(self) -> WorkerRow:
        total = WorkerRow(worker=None)  # type: ignore[arg-type]
        for row in self.rows:
            total.active += row.active
            total.dormant += row.dormant
            total.weighted += row.weighted
            total.contacts += row.contacts
            total.direct_minutes += row.direct_minutes
            total.waiting += row.waiting
        total.weighted = round(total.weighted, 2)
        return total

    def flag_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(FLAG_LABELS, 0)
        for flag in self.flags:
            counts[flag.key] += 1
        return counts


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL)


def dashboard(
    *, session: Session, viewer: User, settings: Settings, today: date, now: datetime, team_id: int | None = None
) -> Dashboard:
    """The oversight figures for the viewer's team (a manager: every team, or the one chosen)."""
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

    cases = session.exec(
        select(Case).where(Case.team_id.in_(team_ids), Case.status.in_(["referred", "screening", "active", "dormant"]))
    ).all()
    case_ids_in_scope = Case.team_id.in_(team_ids)

    four_weeks_ago = today - timedelta(days=28)
    contact_rows = session.exec(
        select(
            Contact.case_id,
            func.max(when((Contact.attended.is_(True), Contact.occurred_on), else_=None)),
            func.max(when((Contact.seen_alone.is_(True), Contact.occurred_on), else_=None)),
            func.sum(when((Contact.occurred_on >= four_weeks_ago, 1), else_=0)),
            func.sum(when((Contact.occurred_on >= four_weeks_ago, Contact.direct_minutes), else_=0)),
        )
        .join(Case, Case.id == Contact.case_id)
        .where(case_ids_in_scope)
        .group_by(Contact.case_id)
    ).all()
    contacts = {r[0]: r for r in contact_rows}

    # Visits missed since the last attended one: a correlated subquery, still one statement.
    last_attended = (
        select(func.max(Contact.occurred_on))
        .where(Contact.case_id == Case.id, Contact.attended.is_(True))
        .correlate(Case)
        .scalar_subquery()
    )
    missed = dict(
        session.exec(
            select(Contact.case_id, func.count())
            .join(Case, Case.id == Contact.case_id)
            .where(
                case_ids_in_scope, Contact.attended.is_(False), func.coalesce(Contact.occurred_on > last_attended, True)
            )
            .group_by(Contact.case_id)
        ).all()
    )
    houses = dict(
        session.exec(
            select(ThreeHousesEntry.case_id, func.max(ThreeHousesEntry.created_at))
            .join(Case, Case.id == ThreeHousesEntry.case_id)
            .where(case_ids_in_scope)
            .group_by(ThreeHousesEntry.case_id)
        ).all()
    )
    yp_ratings = dict(
        session.exec(
            select(ScaleRating.case_id, func.max(ScaleRating.rated_at))
            .join(Case, Case.id == ScaleRating.case_id)
            .where(case_ids_in_scope, ScaleRating.rater_role == "young_person")
            .group_by(ScaleRating.case_id)
        ).all()
    )
    dormant_since = dict(
        session.exec(
            select(CaseEvent.case_id, func.max(CaseEvent.occurred_at))
            .join(Case, Case.id == CaseEvent.case_id)
            .where(case_ids_in_scope, CaseEvent.to_status == "dormant")
            .group_by(CaseEvent.case_id)
        ).all()
    )
    # The young person's own Diamond ratings count as their voice too.
    yp_diamond = dict(
        session.exec(
            select(DiamondRating.case_id, func.max(DiamondRating.rated_on))
            .join(Person, Person.id == DiamondRating.person_id)
            .join(Case, Case.id == DiamondRating.case_id)
            .where(case_ids_in_scope, Person.is_young_person.is_(True))
            .group_by(DiamondRating.case_id)
        ).all()
    )
    # Dormant reviews as the endings feature set them (the worker chose the date), where it did.
    review_due = dict(
        session.exec(
            select(DormantSpell.case_id, DormantSpell.review_due_on)
            .join(Case, Case.id == DormantSpell.case_id)
            .where(case_ids_in_scope, DormantSpell.ended_at.is_(None))
        ).all()
    )
    latest_ending = (
        select(Ending.case_id, func.max(Ending.recorded_at).label("at"))
        .join(Case, Case.id == Ending.case_id)
        .where(case_ids_in_scope)
        .group_by(Ending.case_id)
        .subquery()
    )
    ending_has_plan = {
        case_id: bool((plan or "").strip())
        for case_id, plan in session.exec(
            select(Ending.case_id, Ending.sustainability_plan).join(
                latest_ending, and_(Ending.case_id == latest_ending.c.case_id, Ending.recorded_at == latest_ending.c.at)
            )
        ).all()
    }
    # The latest BASE version of each case: its stages (skipped?) and the worker's competency ratings.
    latest_number = (
        select(BaseVersion.case_id, func.max(BaseVersion.number).label("number"))
        .join(Case, Case.id == BaseVersion.case_id)
        .where(case_ids_in_scope)
        .group_by(BaseVersion.case_id)
        .subquery()
    )
    base_versions = {
        v.case_id: v
        for v in session.exec(
            select(BaseVersion).join(
                latest_number,
                and_(BaseVersion.case_id == latest_number.c.case_id, BaseVersion.number == latest_number.c.number),
            )
        ).all()
    }
    # With the case itself: a reopen request waits on a closed case, which is not among `cases`.
    waiting = session.exec(
        select(Submission.case_id, Submission.submitted_by_id, Submission.submitted_at, Case)
        .join(Case, Case.id == Submission.case_id)
        .where(Submission.team_id.in_(team_ids), Submission.status == SubmissionStatus.waiting)
    ).all()

    flags: list[Flag] = []
    by_case = {c.id: c for c in cases}
    for c in cases:
        row = rows.get(c.key_worker_id)
        if row is None:
            continue
        if c.status == "active":
            row.active += 1
        elif c.status == "dormant":
            row.dormant += 1
        if c.status in ("active", "dormant"):
            row.weighted += rules.intensity_weight(status=c.status, practice_context=c.practice_context)
        contact = contacts.get(c.id)
        if contact is not None:
            row.contacts += int(contact[3] or 0)
            row.direct_minutes += int(contact[4] or 0)
        last_contact = contact[1] if contact else None
        opened_on = local(c.opened_at).date()

        def raise_flag(key: str, c: Case = c, row: WorkerRow = row) -> None:
            flag = Flag(key, c.id, c.reference, c.display_name, c.key_worker_id)
            flags.append(flag)
            row.flags.append(flag)

        referred_at = _start_of(c.referral_date) if c.referral_date else c.opened_at
        if (
            c.status in ("referred", "screening", "active")
            and rules.no_first_contact(
                referred_at=referred_at,
                first_contact_at=c.first_contact_at,
                now=now,
                target_hours=settings.first_contact_target_hours,
            )
            and c.first_contact_at is None
        ):
            raise_flag("first_contact")
        if rules.no_recent_contact(
            status=c.status,
            last_contact_on=last_contact,
            opened_on=opened_on,
            today=today,
            days=settings.no_contact_flag_days,
        ):
            raise_flag("no_contact")
        if rules.review_overdue(status=c.status, next_review_on=c.next_review_on, today=today):
            raise_flag("review_overdue")
        if rules.intervention_too_long(
            status=c.status, opened_on=opened_on, today=today, weeks=settings.intervention_length_weeks
        ):
            raise_flag("too_long")
        voice_dates = [
            d
            for d in (
                local(houses[c.id]).date() if c.id in houses else None,
                local(yp_ratings[c.id]).date() if c.id in yp_ratings else None,
                contact[2] if contact else None,
                yp_diamond.get(c.id),
            )
            if d is not None
        ]
        if rules.voice_not_recorded(
            status=c.status,
            last_voice_on=max(voice_dates) if voice_dates else None,
            opened_on=opened_on,
            today=today,
            weeks=settings.voice_flag_weeks,
        ):
            raise_flag("voice")
        if c.status == "active" and rules.engagement_flag(
            missed_in_a_row=missed.get(c.id, 0), limit=settings.missed_visits_flag
        ):
            raise_flag("engagement")
        version = base_versions.get(c.id)
        if version is not None and c.status == "active":
            counts = base_service.stage_counts({**base_service.empty_content(), **(version.content or {})})
            if rules.base_stages_skipped(
                stages_done=[stage for stage in base_rules.STAGES if counts.get(stage, 0) > 0],
                stage_order=list(base_rules.STAGES),
            ):
                raise_flag("base_skipped")
            if version.competency_self or version.competency_supervisor:
                row.base_competency = (version.competency_self, version.competency_supervisor)
        since = dormant_since.get(c.id)
        if c.id in review_due:
            if c.status == "dormant" and review_due[c.id] <= today:
                raise_flag("dormant_review")
        elif rules.dormant_review_due(
            status=c.status,
            dormant_since=local(since).date() if since else None,
            last_review_on=None,
            today=today,
            weeks=settings.dormant_review_weeks,
        ):
            raise_flag("dormant_review")
        if (
            c.status == "dormant"
            and c.id in ending_has_plan
            and rules.ending_without_sustainability_plan(
                ending_recorded=True, has_sustainability_plan=ending_has_plan[c.id]
            )
        ):
            raise_flag("no_sustainability_plan")

    for case_id, worker_id, submitted_at, waiting_case in waiting:
        if worker_id in rows:
            rows[worker_id].waiting += 1
        c = by_case.get(case_id, waiting_case)
        if c is not None and rules.waiting_too_long(
            submitted_on=local(submitted_at).date(), today=today, working_days=settings.review_wait_working_days
        ):
            flag = Flag("waiting", c.id, c.reference, c.display_name, c.key_worker_id)
            flags.append(flag)
            if c.key_worker_id in rows:
                rows[c.key_worker_id].flags.append(flag)

    for row in rows.values():
        row.weighted = round(row.weighted, 2)
    return Dashboard(teams=teams, rows=list(rows.values()), flags=flags)


__all__ = ["dashboard", "Dashboard", "FLAG_LABELS"]
