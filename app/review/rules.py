"""Oversight flags: pure functions, each tested at its boundaries (issue 10).

Each takes plain values (dates, counts) and the threshold from app/config.py, and answers whether
the case raises the flag. The dashboard gathers the values in a fixed number of queries and asks
these functions; nothing here touches the database.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

# A simple intensity weight per case (issue 10 "weighted caseload"): statutory involvement and the
# early intensive phase take more of a worker's week than a settled early-help case.
CONTEXT_WEIGHTS = {"early_help": 1.0, "cin": 1.5, "cp": 2.0, "cla": 2.0}
DORMANT_WEIGHT = 0.25


def intensity_weight(*, status: str, practice_context: str) -> float:
    """How much of a caseload one case counts for: dormant cases a little, active ones by context."""
    if status == "dormant":
        return DORMANT_WEIGHT
    return CONTEXT_WEIGHTS.get(practice_context, 1.0)


def no_first_contact(
    *, referred_at: datetime, first_contact_at: datetime | None, now: datetime, target_hours: int
) -> bool:
    """No first contact within the target (24 hours by default) of referral."""
    deadline = referred_at + timedelta(hours=target_hours)
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


def working_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days after `start` up to and including `end` (bank holidays not counted)."""
    if end <= start:
        return 0
    days = (end - start).days
    whole_weeks, rest = divmod(days, 7)
    count = whole_weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            count += 1
    return count


def waiting_too_long(*, submitted_on: date, today: date, working_days: int) -> bool:
    """An item waiting for review more than `working_days` working days (five by default)."""
    return working_days_between(submitted_on, today) > working_days


def base_stages_skipped(*, stages_done: list[str], stage_order: list[str]) -> bool:
    """A later BASE stage recorded while an earlier one is missing (PRACTICE.md fidelity, 001:L126)."""
    done = set(stages_done)
    reached = [i for i, stage in enumerate(stage_order) if stage in done]
    if not reached:
        return False
    return any(stage not in done for stage in stage_order[: max(reached)])


def engagement_flag(*, missed_in_a_row: int, limit: int) -> bool:
    """Engagement is slipping: `limit` or more visits missed in a row (never a reason to close, 003:L984)."""
    return missed_in_a_row >= limit


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
