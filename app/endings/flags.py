"""The endings feature's oversight flags: dormant reviews due and endings without a sustainability
plan (issue 10). Pure functions decide; each rule reads its values through named figures (FlagScope)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import select

from app.cases.models import Case, CaseEvent
from app.endings.models import DormantSpell, Ending
from app.features import FlagRule, FlagScope
from app.timeutil import local


def dormant_review_due(
    *, status: str, dormant_since: date | None, last_review_on: date | None, today: date, weeks: int
) -> bool:
    """A dormant case whose periodic check is due."""
    if status != "dormant" or dormant_since is None:
        return False
    since = max(d for d in (dormant_since, last_review_on) if d is not None)
    return (today - since).days >= weeks * 7


def ending_without_sustainability_plan(*, ending_recorded: bool, has_sustainability_plan: bool) -> bool:
    """Active work ended without a sustainability plan (PRACTICE.md good endings, 004:L233)."""
    return ending_recorded and not has_sustainability_plan


def _dormant_since(scope: FlagScope):
    return (
        select(CaseEvent.case_id, func.max(CaseEvent.occurred_at))
        .join(Case, Case.id == CaseEvent.case_id)
        # Dormant cases alone: the flag is raised on no other (the team's whole history of moves to
        # dormant took 9 ms of the team oversight page on the county set, issue 21).
        .where(scope.in_scope, Case.status == "dormant", CaseEvent.to_status == "dormant")
        .group_by(CaseEvent.case_id)
    )


def _review_due(scope: FlagScope):
    # Dormant reviews as the ending set them (the worker chose the date), where it did: the open spell's.
    return (
        select(DormantSpell.case_id, func.max(DormantSpell.review_due_on))
        .join(Case, Case.id == DormantSpell.case_id)
        .where(scope.in_scope, Case.status == "dormant", DormantSpell.ended_at.is_(None))
        .group_by(DormantSpell.case_id)
    )


def _dormant_review(scope: FlagScope) -> list[Case]:
    dormant_since = scope.figures("dormant since", _dormant_since)
    review_due = scope.figures("dormant review due", _review_due)
    flagged = []
    for c in scope.cases:
        since = dormant_since[c.id][1] if c.id in dormant_since else None
        if c.id in review_due:
            if c.status == "dormant" and review_due[c.id][1] <= scope.today:
                flagged.append(c)
        elif dormant_review_due(
            status=c.status,
            dormant_since=local(since).date() if since else None,
            last_review_on=None,
            today=scope.today,
            weeks=scope.settings.dormant_review_weeks,
        ):
            flagged.append(c)
    return flagged


def _ending_plan(scope: FlagScope):
    # The latest approved ending's plan of each dormant case in scope (the flag is raised on no
    # other), read case by case through the ending index: grouping every ending of the team's
    # cases had PostgreSQL read the whole endings table twice (25 ms on the county set, issue 21).
    # A case with no ending has no row: "no plan" is said of an ending, not of its absence.
    plan = (
        select(Ending.sustainability_plan)
        .where(Ending.case_id == Case.id, Ending.pending.is_(False))
        .order_by(Ending.recorded_at.desc(), Ending.id.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )
    latest = select(Case.id.label("case_id"), plan.label("plan")).where(scope.in_scope, Case.status == "dormant")
    latest = latest.subquery()
    return select(latest.c.case_id, latest.c.plan).where(latest.c.plan.is_not(None))


def _no_sustainability_plan(scope: FlagScope) -> list[Case]:
    plans = scope.figures("latest ending's plan", _ending_plan)
    return [
        c
        for c in scope.cases
        if c.status == "dormant"
        and c.id in plans
        and ending_without_sustainability_plan(
            ending_recorded=True, has_sustainability_plan=bool((plans[c.id][1] or "").strip())
        )
    ]


FLAGS = (
    FlagRule(
        "dormant_review",
        lambda s: "Dormant review due",
        _dormant_review,
        lambda: {"dormant since": _dormant_since, "dormant review due": _review_due},
    ),
    FlagRule(
        "no_sustainability_plan",
        lambda s: "Ending without a sustainability plan",
        _no_sustainability_plan,
        lambda: {"latest ending's plan": _ending_plan},
    ),
)
