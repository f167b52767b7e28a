"""Pure rules for endings and dormancy: dates, what an ending still lacks, the prompts due.

The lifecycle moves themselves (who may reactivate, who may reopen) are app.cases.rules; these only
add what a good ending needs (PRACTICE.md "Case lifecycle, closure and dormancy", 004:L233-L290).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months, on the last day of a shorter month if needed."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_working_days(day: date, days: int) -> date:
    """`days` working days (Monday to Friday) after `day`; bank holidays are not known here."""
    current = day
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


@dataclass(frozen=True)
class EndingFacts:
    """What the worker gave in the ending form, reduced to yes/no for the completeness check."""

    goals: int  # goals listed
    goals_rated: int  # of those, rated with a line of evidence
    agreed: bool
    sustainability_plan: bool
    named_contact: bool
    family_summary: bool
    young_person_views: bool
    outcome_summary: bool


def missing_items(facts: EndingFacts) -> list[str]:
    """The parts of a good ending not yet given, in words a worker and supervisor recognise."""
    missing = []
    if facts.goals == 0:
        missing.append("the plan's goals")
    elif facts.goals_rated < facts.goals:
        missing.append("a rating and a line of evidence for every goal")
    if not facts.agreed:
        missing.append("the family's agreement to the timing")
    if not facts.sustainability_plan:
        missing.append("a sustainability plan")
    if not facts.named_contact:
        missing.append("a named contact for the family")
    if not facts.family_summary:
        missing.append("a closing summary for the family")
    if not facts.young_person_views:
        missing.append("the young person's views")
    if not facts.outcome_summary:
        missing.append("the outcome summary")
    return missing


def ending_refusal(*, missing: list[str], role: str, approve: bool, approval_reason: str) -> str | None:
    """Why an ending with items missing cannot be saved; None if complete or approved."""
    if not missing:
        return None
    if role != "supervisor":
        return (
            "Still missing: "
            + "; ".join(missing)
            + ". Add them, or ask your supervisor to approve the ending without them."
        )
    if not approve:
        return "Still missing: " + "; ".join(missing) + ". Add them, or tick to approve the ending without them."
    if not approval_reason.strip():
        return "Give a reason for approving an ending with items missing."
    return None


def dormant_prompts(*, today: date, started_on: date, review_due_on: date, max_months: int) -> list[str]:
    """Which prompts a dormant case should have today."""
    due = []
    if review_due_on <= today:
        due.append("dormant_review_due")
    if add_months(started_on, max_months) <= today:
        due.append("max_dormancy")
    return due


def median(values: list[int]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
