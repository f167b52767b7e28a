"""Team oversight: who holds how much, and which cases raise which flag (issue 10).

The flags are the installed features' flag rules (app/features.py FlagRule), composed here: each
rule answers its cases in a fixed number of aggregate queries, whatever the number of cases (a test
counts them), deciding with pure functions in its own feature.

Here: keeping each week's flags (keep_week, run by `homeward tick`). The team dashboard is in
team_oversight.py, the manager's whole-service overview in overview.py and the caseload weights in
weights.py; this module re-exports their names, so `oversight.dashboard`,
`oversight.service_overview` and the rest read as before.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, func, insert, text, update
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.cases.flags import SNAPSHOT_FRESH
from app.cases.models import Case, CaseFlag
from app.config import Settings
from app.locks import hold_case_write_lock
from app.review import rules
from app.review.models import FlagWeek
from app.review.overview import ServiceOverview, TeamSummary, service_overview, team_summaries
from app.review.team_oversight import FLAGS_SHOWN, Dashboard, Flag, WorkerRow, dashboard
from app.review.weights import CONTEXT_WORDS, caseload_weights


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
    hold_case_write_lock(session)  # writers of cases take turns, or two could deadlock (app/locks.py)
    # On the connection, past the session's bulk-write hook: a kept count is no change to the case
    # and must not move its page version (the case page works its flags out itself).
    session.connection().execute(update(case).where(case.c.kept_flag_count != counted).values(kept_flag_count=counted))


__all__ = [
    "CONTEXT_WORDS",
    "FLAGS_SHOWN",
    "SNAPSHOT_FRESH",
    "dashboard",
    "Dashboard",
    "Flag",
    "ServiceOverview",
    "TeamSummary",
    "WorkerRow",
    "service_overview",
    "caseload_weights",
    "keep_week",
    "team_summaries",
]
