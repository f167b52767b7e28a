"""Eligibility screening against the service's criteria set (PRACTICE.md "Eligibility criteria sets").

The sets are versioned data files in app/cases/criteria/; the service chooses one with the
ELIGIBILITY_CRITERIA_SET setting. The rule engine is pure (app.cases.rules); this module loads
sets and stores decisions with the set's key, version, rule and the ticked codes.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session

from app.audit import service as audit
from app.cases import reads, rules
from app.cases.models import Case, CaseStatus, EligibilityDecision
from app.cases.service import Refused, _event, just_after, transition
from app.security.auth import Actor
from app.timeutil import age_on, local, today

reads.per_case(EligibilityDecision)  # read whole per case page (app/cases/reads.py)

CRITERIA_DIR = Path(__file__).resolve().parent / "criteria"


@lru_cache
def criteria_set(key: str) -> rules.CriteriaSet:
    """The criteria set named `key` (a file in app/cases/criteria/)."""
    path = CRITERIA_DIR / f"{key}.json"
    if not path.is_file() or "/" in key or "\\" in key:
        raise LookupError(f"no eligibility criteria set called {key!r}")
    data = json.loads(path.read_text(encoding="utf-8"))
    return rules.CriteriaSet(
        key=data["key"],
        name=data["name"],
        version=str(data["version"]),
        rule=data["rule"],
        groups={group: [(code, words) for code, words in items] for group, items in data["groups"].items()},
        edge_of_care=data.get("edge_of_care", ""),
        min_age=data.get("min_age"),
        max_age=data.get("max_age"),
    )


def available_sets() -> list[str]:
    return sorted(p.stem for p in CRITERIA_DIR.glob("*.json"))


def record_decision(
    *,
    session: Session,
    case: Case,
    by: Actor,
    criteria: rules.CriteriaSet,
    ticked: list[str],
    override: bool,
    override_reason: str,
    decided_at: datetime | None = None,
    timed: bool = False,
) -> EligibilityDecision:
    """Store the screening decision: the rule's answer and any override, with its reason.
    `timed`: `decided_at`'s time was given, not only its day (`service.just_after`)."""
    # The case goes by its latest decision (latest_decision, case_facts): one dated before it would
    # be stored and then ignored, so an earlier day is refused beside its date and the same day is
    # placed just after it.
    if decided_at is not None:
        latest = latest_decision(session=session, case=case)
        decided_at = just_after(
            occurred_at=decided_at,
            latest_at=latest.decided_at if latest else None,
            timed=timed,
            what="Eligibility was last decided",
            this="a new decision",
        )
    # Their age when it was decided: a decision entered later is judged as it stood that day.
    decided_on = local(decided_at).date() if decided_at is not None else today()
    age = age_on(case.date_of_birth, decided_on) if case.date_of_birth else None
    outcome = rules.decide_eligibility(criteria, ticked, age=age, override=override, override_reason=override_reason)
    if outcome.refusal:
        raise Refused(outcome.refusal)
    decision = EligibilityDecision(
        case_id=case.id,
        criteria_set=criteria.key,
        set_version=criteria.version,
        rule=criteria.rule,
        ticked=sorted(set(ticked)),
        age_in_range=outcome.age_in_range,
        rule_met=outcome.rule_met,
        eligible=outcome.eligible,
        overridden=override,
        override_reason=override_reason.strip() if override else "",
        by_user_id=by.id,
    )
    if decided_at is not None:  # decided earlier, entered now: the audit entry keeps the entry time
        decision.decided_at = decided_at
    session.add(decision)
    words = "eligible" if outcome.eligible else "not eligible"
    _event(
        session=session,
        case=case,
        by=by,
        kind="eligibility",
        occurred_at=decided_at,
        rationale=decision.override_reason,
        reason="eligible" if outcome.eligible else "not_eligible",
    )
    audit.record(
        session=session,
        actor=by,
        action="create",
        object_type="eligibility_decision",
        object_id=decision.id,
        case_id=case.id,
        detail=f"{criteria.key} v{criteria.version} {words}{' (override)' if override else ''}",
    )
    session.flush()
    if case.status == CaseStatus.referred:  # deciding eligibility is screening: the case says so
        transition(
            session=session,
            case=case,
            to_status=CaseStatus.screening,
            by=by,
            rationale=f"Eligibility decided: {words}.",
            occurred_at=decided_at,
            timed=timed,
        )
    return decision


def latest_decision(*, session: Session, case: Case) -> EligibilityDecision | None:
    decisions = reads.rows(session=session, model=EligibilityDecision, case_id=case.id)
    return max(decisions, key=lambda d: d.decided_at, default=None)
