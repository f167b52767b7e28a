"""BASE rules that need no database: stages, gating, risk scales, the stuck-case rule, the scales picture.

Gloucestershire's evaluation found workers skipped stages and recorded unevenly (PRACTICE.md "BASE",
001:L126, L428). These rules make the model easy to follow and hard to skip without forbidding a
return to an earlier stage: stages can always be reopened, only finalising the plan is gated.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

STAGES: tuple[str, ...] = ("engagement", "resilience", "risk", "analysis", "plan")
STAGE_LABELS = {
    "engagement": "Engagement",
    "resilience": "Resilience",
    "risk": "Risk",
    "analysis": "Analysis",
    "plan": "Plan",
}
# The plan rests on these; an empty one means the plan is built on nothing (PRACTICE.md "BASE").
GATED_BEFORE_PLAN: tuple[str, ...] = ("engagement", "resilience", "risk")

NOT_STARTED, IN_PROGRESS, DONE = "not_started", "in_progress", "done"
STATUS_LABELS = {NOT_STARTED: "Not started", IN_PROGRESS: "In progress", DONE: "Done"}

# Below these a stage marked done is "thin": visible to the supervisor, never blocking.
THIN_BELOW = {"engagement": 2, "resilience": 5, "risk": 1, "analysis": 1, "plan": 2}


@dataclass(frozen=True)
class Level:
    value: int
    label: str
    meaning: str


# Defined ordinal scales for the risk register, shown on screen beside the form so every worker
# means the same thing by "likely" or "serious" (Learning Circles moderate these judgements).
LIKELIHOOD = (
    Level(1, "Unlikely", "Could happen, but there is nothing to suggest it will."),
    Level(2, "Possible", "Has happened before or there are some signs it could."),
    Level(3, "Likely", "Clear signs; it will probably happen if nothing changes."),
    Level(4, "Almost certain", "Is happening now or keeps happening."),
)
IMMINENCE = (
    Level(1, "Not foreseeable", "No sign it would happen in the coming months."),
    Level(2, "Within months", "Could happen in the next few months."),
    Level(3, "Within weeks", "Could happen in the next few weeks."),
    Level(4, "Within days", "Could happen any day, or is happening now."),
)
IMPACT = (
    Level(1, "Minor", "Upsetting, but passes without lasting harm."),
    Level(2, "Moderate", "Harm that needs help to put right."),
    Level(3, "Serious", "Lasting harm to health, safety, education or relationships."),
    Level(4, "Severe", "Life-threatening, or harm that changes the young person's life."),
)
SCALES = {"likelihood": LIKELIHOOD, "imminence": IMMINENCE, "impact": IMPACT}
RISK_LEVELS = ("low", "medium", "high")
RISK_LEVEL_LABELS = {"low": "Low", "medium": "Medium", "high": "High"}


def level_label(scale: str, value: int | None) -> str:
    """The word for a point on one of the risk scales ('' when not set)."""
    for level in SCALES[scale]:
        if level.value == value:
            return level.label
    return ""


def risk_level(*, likelihood: int, imminence: int, impact: int) -> str:
    """Low, medium or high for one hazard.

    likelihood x impact gives 1-16; 9 or more is high; 6-8 is high when it could happen within weeks
    or days (imminence 3+), otherwise medium; 3-5 is medium; below 3 is low.
    """
    for name, value in (("likelihood", likelihood), ("imminence", imminence), ("impact", impact)):
        if not 1 <= value <= 4:
            raise ValueError(f"{name} must be 1-4, not {value}")
    score = likelihood * impact
    if score >= 9 or (score >= 6 and imminence >= 3):
        return "high"
    if score >= 3:
        return "medium"
    return "low"


def stage_status(*, items: int, marked_done: bool) -> str:
    """Not started (nothing recorded), in progress, or done (the worker said so)."""
    if marked_done:
        return DONE
    return IN_PROGRESS if items > 0 else NOT_STARTED


def plan_gaps(counts: Mapping[str, int]) -> list[str]:
    """The stages that must have something in them before the plan is finalised, in stage order."""
    return [stage for stage in GATED_BEFORE_PLAN if counts.get(stage, 0) <= 0]


def plan_gap_message(gaps: Sequence[str]) -> str:
    """The soft gate's message, naming every empty stage."""
    if not gaps:
        return ""
    names = [STAGE_LABELS[g].lower() for g in gaps]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    plural = "stage is" if len(names) == 1 else "stages are"
    return f"The plan cannot be finalised yet: the {listed} {plural} empty. Record something there first."


def fidelity_flags(
    *, statuses: Mapping[str, str], counts: Mapping[str, int], full: Collection[str] = ()
) -> dict[str, str]:
    """Stages a supervisor should look at: 'skipped' (empty while a later stage has content) or
    'thin' (marked done with less than the minimum recorded, unless what is there is `full`)."""
    flags: dict[str, str] = {}
    for index, stage in enumerate(STAGES):
        later_used = any(counts.get(s, 0) > 0 for s in STAGES[index + 1 :])
        if counts.get(stage, 0) == 0 and later_used:
            flags[stage] = "skipped"
        elif statuses.get(stage) == DONE and counts.get(stage, 0) < THIN_BELOW[stage] and stage not in full:
            flags[stage] = "thin"
    return flags


def progress(statuses: Mapping[str, str]) -> tuple[int, int]:
    """(stages done, stages in all)."""
    return sum(1 for s in STAGES if statuses.get(s) == DONE), len(STAGES)


def no_progress_across_two_reviews(scores: Sequence[float]) -> bool:
    """Stuck: neither of the last two reviews scored higher than the review before them.

    `scores` are oldest first and higher is better. Fewer than three scores cannot show it.
    """
    if len(scores) < 3:
        return False
    before, *last_two = scores[-3:]
    return max(last_two) <= before


def missed_in_a_row(attended: Sequence[bool], *, times: int = 3) -> bool:
    """The last `times` planned visits (oldest first) were all missed."""
    if len(attended) < times:
        return False
    return not any(attended[-times:])


FORMULATION_FRESH_DAYS = 182


def formulation_reasons(
    *,
    overall_risk: str | None,
    hazard_levels: Sequence[str] = (),
    review_scores: Sequence[float] = (),
    attendance: Sequence[bool] = (),
    last_meeting_on: date | None = None,
    today: date | None = None,
) -> list[str]:
    """Why a formulation meeting is suggested (empty: not suggested): high risk, or stuck.

    A formulation meeting held in the last `FORMULATION_FRESH_DAYS` answers the suggestion.
    """
    if last_meeting_on is not None and today is not None and (today - last_meeting_on).days <= FORMULATION_FRESH_DAYS:
        return []
    reasons = []
    if overall_risk == "high":
        reasons.append("the overall risk is judged high")
    elif "high" in hazard_levels:
        reasons.append("a hazard in the risk register is high")
    if no_progress_across_two_reviews(review_scores):
        reasons.append("there has been no progress across two reviews")
    if missed_in_a_row(attendance):
        reasons.append("the last three visits were missed")
    return reasons


RISK_SCORE = {"high": 1, "medium": 2, "low": 3}


def review_scores_from_risk(judgements: Sequence[str | None]) -> list[float]:
    """Turn overall risk judgements of successive submitted versions into scores (higher is better)."""
    return [RISK_SCORE[j] for j in judgements if j in RISK_SCORE]


@dataclass(frozen=True)
class Scales:
    strengths: int
    vulnerabilities: int
    angle: float  # degrees; negative tips down on the strengths (left) side
    summary: str


def tipping_scales(*, strengths: int, vulnerabilities: int) -> Scales:
    """The 'tipping scales' picture: the heavier side sinks, at most 18 degrees."""
    difference = vulnerabilities - strengths
    angle = max(-18.0, min(18.0, difference * 4.0))
    if difference < 0:
        verdict = "the scales tip towards strengths"
    elif difference > 0:
        verdict = "the scales tip towards vulnerabilities"
    else:
        verdict = "the scales are level"
    summary = f"{strengths} strength{'s' if strengths != 1 else ''} and {vulnerabilities} vulnerabilit{'ies' if vulnerabilities != 1 else 'y'}: {verdict}."
    return Scales(strengths=strengths, vulnerabilities=vulnerabilities, angle=angle, summary=summary)
