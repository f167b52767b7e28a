"""`homeward tick`: the prompts and flags that depend on the calendar, safe to run again and again.

Each prompt has a key naming what it is about (the spell and its review date, the streak of missed
visits), and a key is raised once: running the job twice, or hourly from cron, adds nothing new.
Missed visits never end a case (PRACTICE.md "Don't close cases automatically for missed appointments").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from app.cases.models import Case, CaseEvent, CaseStatus, Contact
from app.endings import rules
from app.endings.models import DormantSpell, Prompt
from app.timeutil import local

MISSED_IN_A_ROW = 3


@dataclass(frozen=True)
class TickResult:
    raised: int
    resolved: int


def _wanted(
    *, session: Session, now: datetime, max_dormancy_months: int, dormant_review_months: int
) -> dict[str, tuple[int, str]]:
    """Every prompt that should be open now: key -> (case id, kind). Three queries."""
    on = local(now).date()
    wanted: dict[str, tuple[int, str]] = {}
    dormant_since = (
        select(CaseEvent.case_id, func.max(CaseEvent.occurred_at).label("since"))
        .where(CaseEvent.kind == "dormant")
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    rows = session.exec(
        select(Case.id, DormantSpell.id, DormantSpell.started_at, DormantSpell.review_due_on, dormant_since.c.since)
        .join(DormantSpell, (DormantSpell.case_id == Case.id) & DormantSpell.ended_at.is_(None), isouter=True)
        .join(dormant_since, dormant_since.c.case_id == Case.id, isouter=True)
        .where(Case.status == CaseStatus.dormant)
    ).all()
    for case_id, spell_id, started_at, review_due_on, since in rows:
        started = started_at or since or now
        started_on = local(started).date()
        due_on = review_due_on or rules.add_months(started_on, dormant_review_months)
        anchor = spell_id or f"c{case_id}"
        for kind in rules.dormant_prompts(
            today=on, started_on=started_on, review_due_on=due_on, max_months=max_dormancy_months
        ):
            key = f"{kind}:{anchor}:{due_on.isoformat()}" if kind == "dormant_review_due" else f"{kind}:{anchor}"
            wanted[key] = (case_id, kind)
    # A streak of missed visits is named by the last attended visit before it, so it stays one flag.
    last_seen = (
        select(Contact.case_id, func.max(Contact.occurred_on).label("seen_on"))
        .where(Contact.kind == "visit", Contact.attended.is_(True))
        .group_by(Contact.case_id)
        .subquery()
    )
    streaks = session.exec(
        select(Contact.case_id, last_seen.c.seen_on, func.count())
        .join(last_seen, last_seen.c.case_id == Contact.case_id, isouter=True)
        .join(Case, Case.id == Contact.case_id)
        .where(
            Contact.kind == "visit",
            Contact.attended.is_(False),
            Case.status.in_([CaseStatus.active, CaseStatus.screening]),
            Contact.occurred_on <= on,
        )
        .where((last_seen.c.seen_on.is_(None)) | (Contact.occurred_on > last_seen.c.seen_on))
        .group_by(Contact.case_id, last_seen.c.seen_on)
        .having(func.count() >= MISSED_IN_A_ROW)
    ).all()
    for case_id, seen_on, _ in streaks:
        wanted[f"engagement:{case_id}:{seen_on.isoformat() if seen_on else 'never'}"] = (case_id, "engagement")
    return wanted


def tick(
    *, session: Session, now: datetime, max_dormancy_months: int = 12, dormant_review_months: int = 3
) -> TickResult:
    """Raise the prompts due at `now` that are not raised yet, and resolve the ones no longer true."""
    wanted = _wanted(
        session=session, now=now, max_dormancy_months=max_dormancy_months, dormant_review_months=dormant_review_months
    )
    existing = {
        p.key: p
        for p in session.exec(
            select(Prompt).where((Prompt.resolved_at.is_(None)) | (Prompt.key.in_(list(wanted) or [""])))
        ).all()
    }
    raised = 0
    for key, (case_id, kind) in wanted.items():
        if key not in existing:
            session.add(Prompt(key=key, case_id=case_id, kind=kind, raised_at=now))
            raised += 1
    resolved = 0
    for key, prompt in existing.items():
        if prompt.resolved_at is None and key not in wanted:
            prompt.resolved_at = now
            session.add(prompt)
            resolved += 1
    session.flush()
    return TickResult(raised=raised, resolved=resolved)
