"""Pure rules for cases: the lifecycle state machine, eligibility rules, ages and first contact.

No database here: each function takes plain facts and answers, so the rules are tested on their
own and the services (and the later dormancy and endings flows) share one source of truth.

Lifecycle (DESIGN.md "Case lifecycle", PRACTICE.md "Case lifecycle, closure and dormancy"):

    referred -> screening -> active <-> dormant -> closed

Eligibility, consent and first contact happen in screening; step-up and step-down are events that
may close the case or continue it with a co-worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from app.cases.models import CaseStatus
from app.timeutil import LOCAL, local

S = CaseStatus

# Every allowed move, and the event kind it records on the timeline.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.referred, S.screening): "screening_started",
    (S.referred, S.closed): "closed",
    (S.screening, S.active): "activated",
    (S.screening, S.closed): "closed",
    (S.active, S.dormant): "dormant",
    (S.dormant, S.active): "reactivated",
    (S.active, S.closed): "closed",
    (S.dormant, S.closed): "closed",
    (S.closed, S.screening): "reopened",
}

EVENT_TITLES = {
    "referral": "Referral received",
    "screening_started": "Screening started",
    "activated": "Active work started",
    "dormant": "Moved to dormant",
    "reactivated": "Reactivated",
    "closed": "Case closed",
    "reopened": "Case reopened",
    "step_up": "Stepped up",
    "step_down": "Stepped down",
    "eligibility": "Eligibility decided",
    "consent_given": "Consent recorded",
    "consent_withdrawn": "Consent withdrawn",
    "first_contact": "First contact with the family",
    "person_added": "Person added",
    "reallocated": "Reallocated",
}

STATUS_WORDS = {
    S.referred: "Referred",
    S.screening: "Screening",
    S.active: "Active",
    S.dormant: "Dormant",
    S.closed: "Closed",
}


@dataclass(frozen=True)
class CaseFacts:
    """What the lifecycle rules need to know about a case and who is asking."""

    status: str
    role: str  # worker, supervisor, manager, admin
    is_key_worker: bool = False
    eligible: bool = False  # the latest eligibility decision says yes (met or overridden)
    work_consent: bool = False  # someone in the family consents to the work itself


def transition_refusal(facts: CaseFacts, to_status: str, *, rationale: str, closure_reason: str = "") -> str | None:
    """Why the move from `facts.status` to `to_status` is refused, in plain words; None if allowed."""
    current = facts.status
    if to_status not in STATUS_WORDS:
        return "That is not a case status Homeward knows."
    if current == to_status:
        return f"The case is already {STATUS_WORDS[current].lower()}."
    if facts.role not in ("worker", "supervisor"):
        return "Only the case's workers and their supervisor can change its status."
    if (current, to_status) not in TRANSITIONS:
        return _why_not(current, to_status)
    if current == S.closed and facts.role != "supervisor":
        return "A closed case can only be reopened by a supervisor; a new referral is usually the right way back."
    if current == S.dormant and to_status == S.active and not (facts.is_key_worker or facts.role == "supervisor"):
        # PRACTICE.md: the *same worker* re-engages a dormant case directly, without re-referral.
        return "Only the key worker (or their supervisor) can reactivate a dormant case."
    if to_status == S.active and current == S.screening:
        if not facts.eligible:
            return "Record an eligibility decision that the young person is eligible before starting active work."
        if not facts.work_consent:
            return "Record consent to the work itself from the young person or a parent before starting active work."
    if to_status == S.closed and not closure_reason:
        return "Choose a reason for closing the case."
    if not rationale.strip():
        return "Say why: every change of status needs a short rationale."
    return None


def _why_not(current: str, to_status: str) -> str:
    if current == S.referred and to_status in (S.active, S.dormant):
        return "Screening comes first: check eligibility and consent before active work starts."
    if current == S.screening and to_status == S.dormant:
        return "Only a case in active work can become dormant."
    if current == S.closed:
        return "A closed case cannot move straight back into work; a supervisor can reopen it for screening."
    if to_status == S.referred:
        return "A case cannot go back to referred."
    return f"A case cannot move from {STATUS_WORDS[current].lower()} to {STATUS_WORDS[to_status].lower()}."


def allowed_transitions(facts: CaseFacts) -> list[str]:
    """The statuses this person could move the case to now (rationale and reasons aside)."""
    return [
        to
        for (frm, to) in TRANSITIONS
        if frm == facts.status and transition_refusal(facts, to, rationale="x", closure_reason="x") is None
    ]


def step_refusal(
    *, status: str, role: str, direction: str, destination: str, rationale: str, closes: bool, co_worker_given: bool
) -> str | None:
    """Why a step-up or step-down is refused, in plain words; None if allowed."""
    if role not in ("worker", "supervisor"):
        return "Only the case's workers and their supervisor can record a step-up or step-down."
    if direction not in ("up", "down"):
        return "Choose step-up or step-down."
    if status not in (S.active, S.dormant, S.screening):
        return f"A {STATUS_WORDS.get(status, status).lower()} case cannot be stepped {direction}."
    if not destination:
        return f"Say where the case is stepping {direction} to."
    if not rationale.strip():
        return "Say why: a step-up or step-down needs a short rationale."
    if not closes and direction == "up" and not co_worker_given:
        # Work continuing alongside statutory services needs the statutory worker named.
        return "If the work continues after a step-up, choose the co-worker (e.g. the social worker)."
    return None


# ---------------------------------------------------------------- eligibility


RULE_WORDS = {
    "a_and_b": "at least one criterion from group A and one from group B",
    "a_or_b_plus_edge": "at least one criterion from group A or B, plus edge of care",
    "any_a": "at least one criterion from group A",
}


@dataclass(frozen=True)
class CriteriaSet:
    key: str
    name: str
    version: str
    rule: str
    groups: dict[str, list[tuple[str, str]]]  # group letter -> [(code, words)]
    edge_of_care: str = ""  # the code that means "edge of care"
    min_age: int | None = None
    max_age: int | None = None

    @property
    def codes(self) -> dict[str, str]:
        return {code: group for group, items in self.groups.items() for code, _ in items}

    @property
    def labels(self) -> dict[str, str]:
        return {code: words for items in self.groups.values() for code, words in items}


def unknown_codes(criteria: CriteriaSet, ticked: list[str]) -> list[str]:
    return [code for code in ticked if code not in criteria.codes]


def rule_met(criteria: CriteriaSet, ticked: list[str], *, rule: str | None = None) -> bool:
    """Whether the ticked criteria meet the set's rule (or `rule`, e.g. Sefton's original)."""
    rule = rule or criteria.rule
    groups = {criteria.codes[c] for c in ticked if c in criteria.codes}
    if rule == "a_and_b":
        return {"A", "B"} <= groups
    if rule == "a_or_b_plus_edge":
        others = [c for c in ticked if c in criteria.codes and c != criteria.edge_of_care]
        return criteria.edge_of_care in ticked and len(others) >= 1
    if rule == "any_a":
        return "A" in groups
    raise ValueError(f"unknown eligibility rule {rule!r}")


def age_in_range(criteria: CriteriaSet, age: int | None) -> bool | None:
    """True/False against the set's age range; None when the set has none or the age is unknown."""
    if age is None or (criteria.min_age is None and criteria.max_age is None):
        return None
    return (criteria.min_age is None or age >= criteria.min_age) and (
        criteria.max_age is None or age <= criteria.max_age
    )


@dataclass(frozen=True)
class EligibilityOutcome:
    rule_met: bool
    age_in_range: bool | None
    eligible: bool
    overridden: bool
    refusal: str | None  # why nothing can be stored, or None


def decide_eligibility(
    criteria: CriteriaSet, ticked: list[str], *, age: int | None, override: bool, override_reason: str
) -> EligibilityOutcome:
    """The rule's answer, the age check and the worker's override, combined into one decision.

    Professional judgement may override the rule either way, always with a reason (PRACTICE.md:
    Lincolnshire "professional judgement may override with a reason"; decisions need a rationale).
    """
    unknown = unknown_codes(criteria, ticked)
    met = rule_met(criteria, [c for c in ticked if c not in unknown])
    in_range = age_in_range(criteria, age)
    by_rule = met and in_range is not False
    refusal = None
    if unknown:
        refusal = f"These criteria are not in the {criteria.name} set: {', '.join(unknown[:5])}."
    elif override and not override_reason.strip():
        refusal = "Give a reason for overriding the rule."
    return EligibilityOutcome(met, in_range, (not by_rule) if override else by_rule, override, refusal)


# ---------------------------------------------------------------- ages and timescales

USUAL_AGE_RANGE = (8, 25)


def age_warning(age: int | None) -> str | None:
    """A warning for an age outside what these services work with; the worker may accept it."""
    if age is None:
        return None
    low, high = USUAL_AGE_RANGE
    if age < low:
        return f"This date of birth makes the young person {age}, younger than {low}. Check it, or give a reason to accept it."
    if age > high:
        return f"This date of birth makes the young person {age}, older than {high}. Check it, or give a reason to accept it."
    return None


def referral_started_at(referral_date: date | None, opened_at: datetime, referral_time: time | None = None) -> datetime:
    """When the referral clock starts: the referral's own date and time when the time is known
    (issue 18: not midnight); otherwise when it was recorded, or the start of an earlier day."""
    if referral_date is not None and referral_time is not None:
        at = datetime.combine(referral_date, referral_time, tzinfo=LOCAL)
        recorded = opened_at if opened_at.tzinfo else opened_at.replace(tzinfo=UTC)
        return min(at, recorded)
    if referral_date is not None and referral_date < local(opened_at).date():
        return datetime.combine(referral_date, datetime.min.time(), tzinfo=LOCAL)
    return opened_at


def first_contact_hours(started_at: datetime, first_contact_at: datetime | None) -> float | None:
    """Hours from referral to first contact, or None if there is no first contact yet."""
    if first_contact_at is None:
        return None
    if started_at.tzinfo is None:
        started_at = started_at.replace(tzinfo=first_contact_at.tzinfo)
    if first_contact_at.tzinfo is None:
        first_contact_at = first_contact_at.replace(tzinfo=started_at.tzinfo)
    # In UTC: two times in the same zone subtract as wall clocks, an hour out across a clock change.
    return max(0.0, (first_contact_at.astimezone(UTC) - started_at.astimezone(UTC)) / timedelta(hours=1))


def first_contact_within_target(hours: float | None, target_hours: int) -> bool | None:
    return None if hours is None else hours <= target_hours


def days_open(*, started: date, end: date, changes: list[tuple[date, str]]) -> int:
    """Days from referral to `end` (today, or the closing day), not counting days spent dormant:
    "Days open" stops while a case is dormant and goes on from its reactivation. `changes` are
    (day, status moved to), oldest first."""
    dormant_days, since = 0, None
    for day, status in changes:
        if status == "dormant" and since is None:
            since = day
        elif status != "dormant" and since is not None:
            dormant_days += max(0, (day - since).days)
            since = None
    if since is not None:
        dormant_days += max(0, (end - since).days)
    return max(0, (end - started).days - dormant_days)


def first_contact_after(since: datetime, contacts: list[tuple[date, time | None, datetime]]) -> datetime | None:
    """The first attended contact after `since` (a reactivation), from (day, start time, recorded
    at). A contact with a start time counts from that time; one without counts only if it was
    entered after `since`, so a visit earlier the same day is never "the first contact since"."""
    since = _aware(since)
    found = []
    for day, start, recorded_at in contacts:
        if start is not None:
            at = datetime.combine(day, start, tzinfo=LOCAL)
            if at >= since:
                found.append(at)
        elif _aware(recorded_at) >= since:
            found.append(max(datetime.combine(day, time(12, 0), tzinfo=LOCAL), since))
    return min(found) if found else None


def _aware(at: datetime) -> datetime:
    """SQLite gives back naive UTC datetimes."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
