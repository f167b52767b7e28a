"""Team cases: a supervisor's team's cases (a manager's: the service's), filtered, sorted and paged,
each row saying which oversight flags it raises and why (issue 19).

The flags are the installed features' flag rules (app/features.py), run once over the open cases in
scope, so a row says the same as team oversight. The statement count is fixed whatever the number
of cases (tests/cases/test_team_cases.py counts them): one query for the cases and their workers,
one for the teams, one for the worker filter, and each flag rule's own fixed queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, func, literal_column, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.accounts.models import Role, Team, User
from app.cases.caseload import last_contact_on
from app.cases.flags import LISTED_CASE_COLUMNS, SNAPSHOT_FRESH, ListedCase, listed_case
from app.cases.models import SORT_NAME_SQL, Case, CaseFlag, CaseStatus
from app.config import Settings
from app.db import read_columns
from app.features import FlagScope, flag_rules
from app.security.permissions import visible_cases

PAGE_SIZE = 25
OPEN = (CaseStatus.referred, CaseStatus.screening, CaseStatus.active, CaseStatus.dormant)
STATUS_FILTERS = [
    ("open", "Open (new, active, dormant)"),
    ("active", "Active"),
    ("dormant", "Dormant"),
    ("new", "New (referred or screening)"),
    ("closed", "Closed"),
    ("all", "All"),
]
SORTS = [
    ("attention", "Most flags first"),
    ("name", "Name"),
    ("last_contact", "Longest without contact"),
    ("next_review", "Next review"),
    ("worker", "Key worker"),
]
# How soon a review counts as due, for the "Review due" filter.
REVIEW_DUE_DAYS = 7


@dataclass
class TeamCaseFilters:
    status: str = "open"
    worker_id: int | None = None
    practice_context: str = ""
    flag: str = ""  # "" = any case, "any" = any flag, else one flag's key
    quiet_days: int | None = None  # last attended contact at least this many days ago (or none)
    review_due: bool = False
    sort: str = "attention"
    page: int = 1
    team_id: int | None = None  # a manager's choice of one team (issue 21: the detail of a team)


@dataclass
class TeamCaseRow:
    case: Case | ListedCase  # a page in SQL reads `Case`s; a team's whole list plain rows
    key_worker_name: str
    co_worker_name: str | None
    last_contact_on: date | None
    # (flag key, label): why the case is flagged, in the features' order.
    reasons: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class TeamCases:
    rows: list[TeamCaseRow]  # this page's rows
    matching: int  # rows matching the filters, every page
    page: int
    pages: int
    counts: dict[str, int | None]  # the scope's open cases: active, dormant, new, flagged (None: not counted)
    workers: list[User]
    flag_labels: dict[str, str]
    teams: list[Team] = field(default_factory=list)  # a manager's to choose from
    # When the rows' flags are `homeward tick`'s (the whole service by flags), when it took them.
    flags_at: datetime | None = None


def _statuses(status: str) -> tuple[str, ...]:
    return {
        "active": (CaseStatus.active,),
        "dormant": (CaseStatus.dormant,),
        "new": (CaseStatus.referred, CaseStatus.screening),
        "closed": (CaseStatus.closed,),
        "all": (*OPEN, CaseStatus.closed),
    }.get(status, OPEN)


def _matches(row: TeamCaseRow, f: TeamCaseFilters, today: date) -> bool:
    c = row.case
    if c.status not in _statuses(f.status):
        return False
    if f.worker_id is not None and f.worker_id not in (c.key_worker_id, c.co_worker_id):
        return False
    if f.practice_context and c.practice_context != f.practice_context:
        return False
    if f.flag == "any" and not row.reasons:
        return False
    if f.flag not in ("", "any") and f.flag not in {key for key, _ in row.reasons}:
        return False
    quiet_enough = (
        f.quiet_days is None or row.last_contact_on is None or (today - row.last_contact_on).days >= f.quiet_days
    )
    review_due = c.next_review_on is not None and c.next_review_on <= today + timedelta(days=REVIEW_DUE_DAYS)
    return quiet_enough and (review_due or not f.review_due)


def _sort_key(sort: str, today: date):
    far = date.max
    keys = {
        "name": lambda r: (r.case.display_name.lower(),),
        "last_contact": lambda r: (r.last_contact_on or date.min, r.case.display_name.lower()),
        "next_review": lambda r: (r.case.next_review_on or far, r.case.display_name.lower()),
        "worker": lambda r: (r.key_worker_name.lower(), r.case.display_name.lower()),
    }
    key = keys.get(sort, lambda r: (-len(r.reasons), r.case.display_name.lower()))
    # Ended by the reference and id, unique, as the SQL path's ORDER BY is: rows read in no set
    # order (PostgreSQL's) would otherwise swap places between pages, a case shown twice, one never.
    return lambda r: (*key(r), r.case.reference, r.case.id)


def team_cases(
    *,
    session: Session,
    viewer: User,
    settings: Settings,
    filters: TeamCaseFilters,
    today: date,
    now: datetime,
    in_sql: bool | None = None,
) -> TeamCases:
    """The viewer's team's cases (a manager's: every team's) matching `filters`, one page of them.

    A manager's whole service not sorted or filtered by flags is paged in SQL (`in_sql`: None
    decides so; False works every case's flags out, as a team's page does)."""
    scope_clause = visible_cases(viewer)
    teams: list[Team] = []
    if viewer.role == Role.manager:
        teams = list(session.exec(select(Team).order_by(Team.name)).all())
        team_ids = [t.id for t in teams]
        if filters.team_id in team_ids:
            team_ids = [filters.team_id]
            scope_clause = and_(scope_clause, Case.team_id == filters.team_id)
    else:
        team_ids = [viewer.team_id] if viewer.team_id is not None else []
        # The team's own cases, as team oversight counts them: a case the supervisor co-works in
        # another team is on their caseload, not their team's.
        scope_clause = and_(scope_clause, Case.team_id == viewer.team_id)

    whole_service = viewer.role == Role.manager and len(team_ids) != 1
    by_flags = bool(filters.flag) or filters.sort == "attention"
    # Sorted or filtered by flags, the whole service reads each case's flags as the hourly tick
    # kept them, while they are fresh; a team's page always works them out now.
    flags_at = kept_flags_at(session, now) if whole_service and by_flags and in_sql is not False else None
    if in_sql is None:
        in_sql = whole_service and (not by_flags or flags_at is not None)
    if in_sql and (not by_flags or flags_at is not None):
        return _service_page(session, settings, filters, scope_clause, teams, today=today, now=now, flags_at=flags_at)

    key, co = aliased(User), aliased(User)
    wanted = set(OPEN) | set(_statuses(filters.status))
    # Every case in scope as a plain row of the columns the list and the flag rules read, not an ORM
    # object (issue 21: a team of 900 cases loaded as `Case` objects was most of the page's CPU).
    n = len(LISTED_CASE_COLUMNS)
    found = [
        (listed_case(row), *row[n:])
        for row in read_columns(
            session,
            select(*LISTED_CASE_COLUMNS, key.full_name, co.full_name, last_contact_on())
            .join(key, key.id == Case.key_worker_id)
            .join(co, co.id == Case.co_worker_id, isouter=True)
            .where(scope_clause, Case.status.in_(sorted(wanted))),
            {},
        ).all()
    ]

    scope = FlagScope(
        session=session,
        settings=settings,
        today=today,
        now=now,
        team_ids=team_ids,
        cases=[c for c, *_ in found if c.status in OPEN],
        in_scope=scope_clause,
    )
    rows = {
        c.id: TeamCaseRow(case=c, key_worker_name=key_name or "", co_worker_name=co_name, last_contact_on=last_on)
        for c, key_name, co_name, last_on in found
    }
    labels = _reasons(scope, rows, settings)

    open_rows = [r for r in rows.values() if r.case.status in OPEN]
    counts = {
        "active": sum(1 for r in open_rows if r.case.status == CaseStatus.active),
        "dormant": sum(1 for r in open_rows if r.case.status == CaseStatus.dormant),
        "new": sum(1 for r in open_rows if r.case.status in (CaseStatus.referred, CaseStatus.screening)),
        "flagged": sum(1 for r in open_rows if r.reasons),
    }
    matching = sorted((r for r in rows.values() if _matches(r, filters, today)), key=_sort_key(filters.sort, today))
    pages = max(1, -(-len(matching) // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    worker_scope = User.team_id.in_(team_ids) if team_ids else User.id == viewer.id
    return TeamCases(
        rows=matching[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        matching=len(matching),
        page=page,
        pages=pages,
        counts=counts,
        workers=_workers(session, worker_scope),
        flag_labels=labels,
        teams=teams,
    )


def _reasons(scope: FlagScope, rows: dict[int, TeamCaseRow], settings: Settings) -> dict[str, str]:
    """Each row's reasons from the installed flag rules over `scope`; returns the labels by key."""
    labels: dict[str, str] = {}
    for rule in flag_rules():
        labels[rule.key] = rule.label(settings)
        for c in rule.raised(scope):
            row = rows.get(c.id)
            if row is not None and (rule.key, labels[rule.key]) not in row.reasons:
                row.reasons.append((rule.key, labels[rule.key]))
    return labels


def _workers(session: Session, worker_scope) -> list[User]:
    return list(
        session.exec(
            select(User)
            .where(worker_scope, User.role.in_([Role.worker, Role.supervisor]), User.is_active.is_(True))
            .order_by(User.full_name)
        ).all()
    )


def kept_flags_at(session: Session, now: datetime) -> datetime | None:
    """When `homeward tick` last kept every open case's flags (case_flag, replaced whole, so any
    row tells), if less than a day ago (as oversight's snapshot); else None."""
    at = session.exec(select(CaseFlag.recorded_at).limit(1)).first()
    if at is None:
        return None
    at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # SQLite gives it back naive
    return at if at >= now - SNAPSHOT_FRESH else None


def _service_page(
    session: Session,
    settings: Settings,
    filters: TeamCaseFilters,
    scope_clause,
    teams: list[Team],
    *,
    today: date,
    now: datetime,
    flags_at: datetime | None = None,
) -> TeamCases:
    """A manager's whole service (issue 21): filtered, counted, sorted and paged in SQL, the flag
    rules run over this page's cases only, so the page costs 25 cases, not the county's 50,000.
    Same rows, order and reasons as the team's own path (tests/cases/test_team_cases_service.py
    compares them). Sorted or filtered by flags, it reads the flags the tick kept at `flags_at`."""
    key, co = aliased(User), aliased(User)
    last = last_contact_on()
    where = [scope_clause, Case.status.in_(sorted(_statuses(filters.status)))]
    if filters.worker_id is not None:
        where.append(or_(Case.key_worker_id == filters.worker_id, Case.co_worker_id == filters.worker_id))
    if filters.practice_context:
        where.append(Case.practice_context == filters.practice_context)
    if filters.quiet_days is not None:
        where.append(or_(last.is_(None), last <= today - timedelta(days=filters.quiet_days)))
    if filters.review_due:
        where.append(Case.next_review_on <= today + timedelta(days=REVIEW_DUE_DAYS))
    if flags_at is not None and filters.flag == "any":
        # The count the tick kept with case_flag, as ix_case_flagged_status has it (a literal 0, so
        # a prepared statement's plan still uses it): the count of flagged cases is index only.
        where.append(Case.kept_flag_count > literal_column("0"))
    elif flags_at is not None and filters.flag:
        kept = select(CaseFlag.flagged_case_id).where(CaseFlag.flagged_case_id == Case.id)
        where.append(kept.where(CaseFlag.flag_key == filters.flag).exists())
    # The scope's cases by status, one grouped count (an index-only scan of ix_case_status): the
    # page's counts, and the matching rows too unless a filter other than the status narrows them.
    by_status = dict(session.exec(select(Case.status, func.count()).where(scope_clause).group_by(Case.status)).all())
    if len(where) == 2:
        matching = sum(by_status.get(status, 0) for status in _statuses(filters.status))
    else:
        matching = session.exec(select(func.count()).select_from(Case).where(*where)).one()
    pages = max(1, -(-matching // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    name = literal_column(SORT_NAME_SQL)  # as ix_case_sort_name has it, literally, so the index serves
    order = {
        "last_contact": [last.is_not(None), last, name, Case.reference],
        "next_review": [Case.next_review_on.is_(None), Case.next_review_on, name, Case.reference],
        "worker": [func.lower(key.full_name), name, Case.reference],
        # The tick's count of each case's flags (0 for a case it kept none for): walks
        # ix_case_kept_flags 25 rows at a time, as by name, instead of sorting every flagged case.
        "attention": [Case.kept_flag_count.desc(), name, Case.reference],
    }.get(filters.sort, [name, Case.reference])
    query = (
        select(Case, key.full_name, co.full_name, last)
        .join(key, key.id == Case.key_worker_id)
        .join(co, co.id == Case.co_worker_id, isouter=True)
    )
    found = session.exec(
        query.where(*where).order_by(*order, Case.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    rows = {
        c.id: TeamCaseRow(case=c, key_worker_name=key_name or "", co_worker_name=co_name, last_contact_on=last_on)
        for c, key_name, co_name, last_on in found
    }
    shown = [c for c, *_ in found if c.status in OPEN]
    if flags_at is not None:
        labels = {rule.key: rule.label(settings) for rule in flag_rules()}
        order_of = {key: n for n, key in enumerate(labels)}
        kept_flags = session.exec(
            select(CaseFlag.flagged_case_id, CaseFlag.flag_key).where(
                CaseFlag.flagged_case_id.in_([c.id for c in shown])
            )
        ).all()
        for case_id, key in sorted(kept_flags, key=lambda r: order_of.get(r[1], len(order_of))):
            if key in labels:
                rows[case_id].reasons.append((key, labels[key]))
    else:
        scope = FlagScope(
            session=session,
            settings=settings,
            today=today,
            now=now,
            team_ids=sorted({c.team_id for c in shown}),
            cases=shown,
            in_scope=Case.id.in_([c.id for c in shown]),
        )
        labels = _reasons(scope, rows, settings)
    counts = {
        "active": by_status.get(CaseStatus.active, 0),
        "dormant": by_status.get(CaseStatus.dormant, 0),
        "new": by_status.get(CaseStatus.referred, 0) + by_status.get(CaseStatus.screening, 0),
        "flagged": None,  # across the service: team oversight's line per team
    }
    return TeamCases(
        rows=list(rows.values()),
        matching=matching,
        page=page,
        pages=pages,
        counts=counts,
        workers=_workers(session, User.team_id.in_([t.id for t in teams])),
        flag_labels=labels,
        teams=teams,
        flags_at=flags_at,
    )
