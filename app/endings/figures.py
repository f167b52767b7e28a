"""The dormant register and the figures for supervisors and managers, aggregated in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Date, cast, func
from sqlmodel import Session, select

from app.accounts.models import User
from app.cases.caseload import last_contact_on
from app.cases.models import Case, CaseEvent, CaseStatus
from app.endings import rules
from app.endings.models import DormantSpell, Prompt, Reactivation
from app.security.permissions import visible_cases
from app.timeutil import LOCAL, local


@dataclass(frozen=True)
class DormantRow:
    case: Case
    worker: str
    since: date | None
    review_due_on: date | None
    last_contact_on: date | None
    prompts: list[str]


DORMANT_PAGE = 50  # rows a page of the dormant register shows (issue 21: a manager's held 7,565)


def dormant_count(*, session: Session, user: User) -> int:
    """How many dormant cases `user` may see (one aggregate)."""
    return session.exec(
        select(func.count()).select_from(Case).where(Case.status == CaseStatus.dormant, visible_cases(user))
    ).one()


def _months_after(session: Session, began, months: int):
    """SQL for the local day of `began` plus `months` calendar months, as rules.add_months does (on
    PostgreSQL exactly; SQLite has no time zones and rolls a 31st over into the next month, so its
    order may differ by a day or two: it only orders the rows, the dates shown are worked out here)."""
    if session.get_bind().dialect.name == "postgresql":
        local_day = cast(func.timezone(LOCAL.key, began), Date)
        return cast(local_day + func.make_interval(0, months), Date)
    return func.date(began, f"+{months} months")


def dormant_register(
    *, session: Session, user: User, dormant_review_months: int = 3, offset: int = 0, limit: int = 500
) -> list[DormantRow]:
    """Dormant cases `user` may see, the soonest review first: worker, since when, review due, last
    contact; `limit` rows from `offset` (two queries; dormant_count counts them all).

    The last contact and the day the case went dormant are correlated subqueries read through the
    listed cases' own rows (app.cases.caseload.last_contact_on), not grouped over the service's
    contacts and events: the register costs its rows, not the county. Ordered in SQL, so pages
    follow on: by the open spell's review date, else the date worked out from when the case went
    dormant (as shown), then by name."""
    since = (
        select(func.max(CaseEvent.occurred_at))
        .where(CaseEvent.case_id == Case.id, CaseEvent.kind == "dormant")
        .correlate(Case)
        .scalar_subquery()
    )
    due = func.coalesce(DormantSpell.review_due_on, _months_after(session, since, dormant_review_months))
    rows = session.exec(
        select(
            Case,
            User.full_name,
            DormantSpell.started_at,
            DormantSpell.review_due_on,
            since,
            last_contact_on(),
        )
        .join(User, User.id == Case.key_worker_id)
        .join(DormantSpell, (DormantSpell.case_id == Case.id) & DormantSpell.ended_at.is_(None), isouter=True)
        .where(Case.status == CaseStatus.dormant, visible_cases(user))
        .order_by(due.asc().nulls_last(), Case.young_person_name, Case.id)
        .offset(offset)
        .limit(limit)
    ).all()
    ids = [case.id for case, *_ in rows]
    prompts: dict[int, list[str]] = {}
    if ids:
        for case_id, kind in session.exec(
            select(Prompt.case_id, Prompt.kind).where(Prompt.case_id.in_(ids), Prompt.resolved_at.is_(None))
        ).all():
            prompts.setdefault(case_id, []).append(kind)
    result = []
    for case, worker, started_at, review_due_on, event_since, last_on in rows:
        began = started_at or event_since
        began_on = local(began).date() if began else None
        due_on = review_due_on or (rules.add_months(began_on, dormant_review_months) if began_on else None)
        result.append(DormantRow(case, worker, began_on, due_on, last_on, sorted(prompts.get(case.id, []))))
    return result


def open_flags(*, session: Session, user: User) -> list[tuple[Case, str, datetime]]:
    """Open prompts and flags on cases `user` may see, oldest first (one query)."""
    rows = session.exec(
        select(Case, Prompt.kind, Prompt.raised_at)
        .join(Case, Case.id == Prompt.case_id)
        .where(Prompt.resolved_at.is_(None), visible_cases(user))
        .order_by(Prompt.raised_at)
        .limit(200)
    ).all()
    return [(case, kind, at) for case, kind, at in rows]


@dataclass(frozen=True)
class Figures:
    start: date
    end: date
    dormant_now: int
    reactivations: int
    median_days_dormant: float | None
    avoided_re_referral: int
    re_referrals: int
    ended_dormant: int
    closed_by_reason: list[tuple[str, int]]


def figures(*, session: Session, user: User, start: date, end: date) -> Figures:
    """The period's figures for the cases `user` may see; each one a single aggregate query."""
    since = datetime.combine(start, time.min, tzinfo=LOCAL)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=LOCAL)
    seen = visible_cases(user)
    dormant_now = session.exec(
        select(func.count()).select_from(Case).where(Case.status == CaseStatus.dormant, seen)
    ).one()
    returns = dict(
        session.exec(
            select(Reactivation.kind, func.count())
            .join(Case, Case.id == Reactivation.case_id)
            .where(Reactivation.reactivated_at >= since, Reactivation.reactivated_at < until, seen)
            .group_by(Reactivation.kind)
        ).all()
    )
    in_period = (
        Reactivation.kind == "reactivated",
        Reactivation.reactivated_at >= since,
        Reactivation.reactivated_at < until,
        Reactivation.days_dormant.is_not(None),
        seen,
    )
    count = session.exec(
        select(func.count()).select_from(Reactivation).join(Case, Case.id == Reactivation.case_id).where(*in_period)
    ).one()
    median = None
    if count:
        # The median in SQL on both databases: the middle one or two values, by ORDER BY and OFFSET.
        middle = session.exec(
            select(Reactivation.days_dormant)
            .join(Case, Case.id == Reactivation.case_id)
            .where(*in_period)
            .order_by(Reactivation.days_dormant)
            .offset((count - 1) // 2)
            .limit(2 - count % 2)
        ).all()
        median = sum(middle) / len(middle)
    ended = session.exec(
        select(CaseEvent.kind, CaseEvent.reason, func.count())
        .join(Case, Case.id == CaseEvent.case_id)
        .where(
            CaseEvent.kind.in_(["dormant", "closed"]),
            CaseEvent.occurred_at >= since,
            CaseEvent.occurred_at < until,
            seen,
        )
        .group_by(CaseEvent.kind, CaseEvent.reason)
    ).all()
    closed = sorted(((reason or "other", n) for kind, reason, n in ended if kind == "closed"), key=lambda r: -r[1])
    return Figures(
        start=start,
        end=end,
        dormant_now=dormant_now,
        reactivations=returns.get("reactivated", 0),
        median_days_dormant=median,
        avoided_re_referral=returns.get("reactivated", 0),
        re_referrals=returns.get("reopened", 0),
        ended_dormant=sum(n for kind, _, n in ended if kind == "dormant"),
        closed_by_reason=closed,
    )
