"""The cases feature's oversight flags: contact, reviews, length of work, engagement, the young
person's voice (issue 10). Pure functions decide; each rule reads its values through named figures
(one aggregate query each for a whole dashboard, one statement for all of one case's: FlagScope);
labels are built from the settings they depend on.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import and_, func, literal, or_
from sqlalchemy import case as when
from sqlalchemy.orm import aliased
from sqlmodel import select

from app.accounts.models import User
from app.cases import rules as case_rules
from app.cases.models import Case, Contact
from app.features import FlagRule, FlagScope, installed
from app.timeutil import local


def no_first_contact(
    *, referred_at: datetime, first_contact_at: datetime | None, now: datetime, target_hours: int
) -> bool:
    """No first contact within the target (24 hours by default) of referral."""
    # In UTC: 24 hours are 24 hours across a clock change (local times add as wall clocks).
    deadline = referred_at.astimezone(UTC) + timedelta(hours=target_hours)
    if first_contact_at is not None:
        return first_contact_at > deadline
    return now > deadline


def no_recent_contact(*, status: str, last_contact_on: date | None, opened_on: date, today: date, days: int) -> bool:
    """An active case with no contact for `days` days (14 by default): day 13 is fine, day 14 flags."""
    if status != "active":
        return False
    since = last_contact_on or opened_on
    return (today - since).days >= days


def review_overdue(*, status: str, next_review_on: date | None, today: date) -> bool:
    """An active case past its review date."""
    return status == "active" and next_review_on is not None and today > next_review_on


def intervention_too_long(*, status: str, opened_on: date, today: date, weeks: int) -> bool:
    """Active work has gone on longer than the planned intervention length."""
    return status == "active" and (today - opened_on).days > weeks * 7


def voice_not_recorded(*, status: str, last_voice_on: date | None, opened_on: date, today: date, weeks: int) -> bool:
    """No three houses, no young-person rating and no seen-alone contact for `weeks` weeks."""
    if status != "active":
        return False
    since = last_voice_on or opened_on
    return (today - since).days >= weeks * 7


def engagement_flag(*, missed_in_a_row: int, limit: int) -> bool:
    """Engagement is slipping: `limit` or more visits missed in a row (never a reason to close, 003:L984)."""
    return missed_in_a_row >= limit


def worker_gone(
    *, key_worker_active: bool, key_worker_team_id: int | None, case_team_id: int, co_worker_active: bool | None
) -> bool:
    """A worker on the case has left: the key worker's account is disabled or they are no longer on
    the case's team (nobody works it), or the co-worker's account is disabled (`None`: no
    co-worker). Either way the team's supervisor reallocates it. A co-worker of another team is
    no sign of leaving: a reallocation may name one (docs/permissions.md)."""
    return not key_worker_active or key_worker_team_id != case_team_id or co_worker_active is False


# What `homeward tick` keeps of the flags (per team and week: flag_week; per case: case_flag) is
# read instead of working them out while it is this fresh (hourly, see README); older, or never
# kept, the flags are worked out live (issue 21).
SNAPSHOT_FRESH = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ListedCase:
    """A case as the flag rules, team oversight and team cases read it: the columns they use, read
    as plain rows rather than ORM objects (issue 21: loading a team's 900 cases as `Case` objects
    was most of those pages' CPU). It answers the attributes the rules read as `Case` does."""

    id: int
    reference: str
    young_person_name: str
    preferred_name: str
    status: str
    practice_context: str
    team_id: int
    key_worker_id: int
    co_worker_id: int | None
    opened_at: datetime
    referral_date: date | None
    first_contact_at: datetime | None
    next_review_on: date | None
    referral_time: time | None = None

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.young_person_name


# The columns ListedCase is made from, in its order: select(*LISTED_CASE_COLUMNS, ...), then
# ListedCase(*row[:len(LISTED_CASE_COLUMNS)]).
LISTED_CASE_COLUMNS = tuple(getattr(Case, f.name) for f in fields(ListedCase))


def listed_case(row) -> ListedCase:
    """A ListedCase from the first columns of a row selected with LISTED_CASE_COLUMNS."""
    return ListedCase(*row[: len(LISTED_CASE_COLUMNS)])


def _opened_on(c: Case) -> date:
    return _local_day(c.opened_at)


@lru_cache(maxsize=16_384)
def _local_day(at: datetime) -> date:
    """The local day of an instant, kept: the rules ask it of every open case of a team, several
    times a view (about 2,900 conversions a team oversight view for a 12-worker team), and an
    instant's local day never changes."""
    return local(at).date()


def _contacts(scope: FlagScope):
    four_weeks_ago = scope.today - timedelta(days=28)
    return (
        select(
            Contact.case_id,
            func.max(when((Contact.attended.is_(True), Contact.occurred_on), else_=None)),
            func.max(when((Contact.seen_alone.is_(True), Contact.occurred_on), else_=None)),
            func.sum(when((Contact.occurred_on >= four_weeks_ago, 1), else_=0)),
            func.sum(when((Contact.occurred_on >= four_weeks_ago, Contact.direct_minutes), else_=0)),
        )
        .join(Case, Case.id == Contact.case_id)
        .where(scope.in_scope)
        .group_by(Contact.case_id)
    )


def contact_figures(scope: FlagScope) -> dict[int, tuple]:
    """Per case: (case id, last attended, last seen alone, contacts in 4 weeks, direct minutes in 4
    weeks), one query shared by the dashboard's counts and the contact and voice flags."""
    return scope.figures("contacts", _contacts)


def first_contact_overdue(case: Case | ListedCase, *, now: datetime, target_hours: int) -> bool:
    """Whether the "no first contact" flag is raised for `case` at `now` (also what the cached
    case page is keyed by while the first-contact clock runs: app/cases/page_cache.py)."""
    return (
        case.status in ("referred", "screening", "active")
        and case.first_contact_at is None
        and no_first_contact(
            # The case header's own clock: the referral's time when known (app/cases/rules.py).
            referred_at=case_rules.referral_started_at(case.referral_date, case.opened_at, case.referral_time),
            first_contact_at=case.first_contact_at,
            now=now,
            target_hours=target_hours,
        )
    )


def _first_contact(scope: FlagScope) -> list[Case]:
    return [
        c
        for c in scope.cases
        if first_contact_overdue(c, now=scope.now, target_hours=scope.settings.first_contact_target_hours)
    ]


def _no_contact(scope: FlagScope) -> list[Case]:
    contacts = contact_figures(scope)
    return [
        c
        for c in scope.cases
        if no_recent_contact(
            status=c.status,
            last_contact_on=contacts[c.id][1] if c.id in contacts else None,
            opened_on=_opened_on(c),
            today=scope.today,
            days=scope.settings.no_contact_flag_days,
        )
    ]


def _review_overdue(scope: FlagScope) -> list[Case]:
    return [
        c for c in scope.cases if review_overdue(status=c.status, next_review_on=c.next_review_on, today=scope.today)
    ]


def _too_long(scope: FlagScope) -> list[Case]:
    return [
        c
        for c in scope.cases
        if intervention_too_long(
            status=c.status, opened_on=_opened_on(c), today=scope.today, weeks=scope.settings.intervention_length_weeks
        )
    ]


def _voices() -> dict:
    # A seen-alone contact is the young person's voice; each feature adds its own (a young person's
    # rating, three houses) through its `voice` figures, as a date or a time.
    return {name: query for f in installed() if f.voice is not None for name, query in f.voice.items()}


def _voice(scope: FlagScope) -> list[Case]:
    contacts = contact_figures(scope)
    sources = [{case_id: row[2] for case_id, row in contacts.items()}] + [
        {case_id: row[1] for case_id, row in scope.figures(name, query).items()} for name, query in _voices().items()
    ]
    flagged = []
    for c in scope.cases:
        dates = [_day(d) for source in sources if (d := source.get(c.id)) is not None]
        if voice_not_recorded(
            status=c.status,
            last_voice_on=max(dates) if dates else None,
            opened_on=_opened_on(c),
            today=scope.today,
            weeks=scope.settings.voice_flag_weeks,
        ):
            flagged.append(c)
    return flagged


def _day(value: date | datetime) -> date:
    return _local_day(value) if isinstance(value, datetime) else value


def _missed(scope: FlagScope):
    # Visits missed since the last attended visit, counted case by case for the active cases in
    # scope (the only ones the engagement flag is raised on) through the contact index: one
    # statement still, and PostgreSQL no longer reads every unattended contact of the service
    # to join them to the team's cases (26 ms on the county set, issue 21). Only home visits
    # count, as for the engagement prompt (app/endings/scheduled.py) and BASE's run of missed
    # visits: an unanswered call is not a missed visit, and an answered one does not end the run.
    last_attended = (
        select(func.max(Contact.occurred_on))
        .where(Contact.case_id == Case.id, Contact.kind == "visit", Contact.attended.is_(True))
        .correlate(Case)
        .scalar_subquery()
    )
    missed = (
        select(func.count())
        .where(
            Contact.case_id == Case.id,
            Contact.kind == "visit",
            Contact.attended.is_(False),
            func.coalesce(Contact.occurred_on > last_attended, True),
        )
        .correlate(Case)
        .scalar_subquery()
    )
    counted = select(Case.id.label("case_id"), missed.label("missed"))
    counted = counted.where(scope.in_scope, Case.status == literal("active")).subquery()
    return select(counted.c.case_id, counted.c.missed).where(counted.c.missed > 0)


def _engagement(scope: FlagScope) -> list[Case]:
    missed = scope.figures("missed visits", _missed)
    return [
        c
        for c in scope.cases
        if c.status == "active"
        and engagement_flag(
            missed_in_a_row=missed[c.id][1] if c.id in missed else 0, limit=scope.settings.missed_visits_flag
        )
    ]


def _statuses(*names: str) -> list:
    """Statuses as plain parameters: a list of strings is an "expanding" parameter, which SQLAlchemy
    writes into the statement's text afresh on every run (the case page's flag statement, issue 21)."""
    return [literal(name) for name in names]


def _gone_holders(scope: FlagScope):
    # Only the candidates, so a county's dashboard reads a handful of rows, not one per open case.
    co_worker = aliased(User)
    return (
        select(
            Case.id,
            User.is_active.label("key_worker_active"),
            User.team_id.label("key_worker_team_id"),
            co_worker.is_active.label("co_worker_active"),
        )
        .join(User, User.id == Case.key_worker_id)
        .outerjoin(co_worker, co_worker.id == Case.co_worker_id)
        .where(
            scope.in_scope,
            Case.status.in_(_statuses("referred", "screening", "active", "dormant")),
            or_(
                User.is_active.is_(False),
                User.team_id.is_(None),
                User.team_id != Case.team_id,
                # A co-worker can be reallocated only in active work or dormancy (reallocation.py).
                and_(co_worker.is_active.is_(False), Case.status.in_(_statuses("active", "dormant"))),
            ),
        )
    )


def _worker_gone(scope: FlagScope) -> list[Case]:
    gone = scope.figures("worker gone", _gone_holders)
    return [
        c
        for c in scope.cases
        if c.id in gone
        and worker_gone(
            key_worker_active=gone[c.id][1],
            key_worker_team_id=gone[c.id][2],
            case_team_id=c.team_id,
            co_worker_active=gone[c.id][3],
        )
    ]


FLAGS = (
    FlagRule(
        "first_contact",
        lambda s: f"No first contact within {s.first_contact_target_hours} hours of referral",
        _first_contact,
    ),
    FlagRule(
        "no_contact",
        lambda s: f"No contact for {s.no_contact_flag_days} days",
        _no_contact,
        lambda: {"contacts": _contacts},
    ),
    FlagRule("review_overdue", lambda s: "Review overdue", _review_overdue),
    FlagRule(
        "too_long",
        lambda s: f"Planned intervention length ({s.intervention_length_weeks} weeks) exceeded",
        _too_long,
    ),
    FlagRule(
        "voice",
        lambda s: f"Young person's voice not recorded for {s.voice_flag_weeks} weeks",
        _voice,
        lambda: {"contacts": _contacts, **_voices()},
    ),
    FlagRule(
        "engagement",
        lambda s: f"{s.missed_visits_flag} or more visits missed in a row",
        _engagement,
        lambda: {"missed visits": _missed},
    ),
    # Named when only the key worker counted; the key stays, as links and kept flags use it.
    FlagRule(
        "key_worker_gone",
        lambda s: "A worker on this case has left, their account disabled or moved to another team: reallocate",
        _worker_gone,
        lambda: {"worker gone": _gone_holders},
    ),
)
