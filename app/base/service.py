"""BASE assessment rules that touch the database: versions, stage items, gating, submission.

Here: the versions (start, a new version, submitting one for review). Each stage's items have their
module (engagement, resilience, risk, analysis, planning), as do marking a stage done and the
summary (stages), the competency ratings (competency), the shipped checklists (checklists) and how
a draft changes (changes). This module re-exports their names, so `service.save_engagement` and
the rest read as before.

Every change goes through `changes._content` and `changes._save`, which refuse a submitted version
(immutable: a change makes a new version) and write an audit entry. New items arrive with the UUID
the form made (on the tablet when offline), so a replayed create changes nothing. An item (and the
resilience checklist and the risk judgement) has a revision, its version for the one offline edit
mechanism: the routes merge an edit field by field with `sync.merge_edit` and hand the merged fields
here (docs/offline.md).
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, select

from app.audit import service as audit
from app.base import rules
from app.base.analysis import (
    NOTE_KINDS,
    add_meeting,
    add_note,
    formulation_reasons,
    recent_attendance,
    submitted_risk_history,
)
from app.base.changes import ItemMissing, VersionLocked, find_item
from app.base.checklists import DATA, factor_labels, feedback_sets, resilience_factors
from app.base.competency import key_worker_supervises_team, rates_as_supervisor, set_competency
from app.base.engagement import ENGAGEMENT_FIELDS, edit_engagement, engagement, remove_engagement, save_engagement
from app.base.models import BaseVersion, VersionStatus
from app.base.planning import (
    REQUIREMENT_KINDS,
    STEP_FIELDS,
    PlanGated,
    add_requirement,
    edit_step,
    finalise_plan,
    save_step,
)
from app.base.resilience import DECIDED_BY, MARKS, resilience_fields, save_resilience, scales_for, strength_keys
from app.base.risk import RISK_FIELDS, RiskAction, RiskInput, edit_risk, save_risk, save_risk_judgement
from app.base.stages import STEP_PARTS, full_stages, set_stage_done, stage_counts, stage_statuses, summary
from app.cases import reads
from app.cases.models import Case
from app.refused import WrongCase
from app.review import service as review
from app.security.auth import Actor
from app.timeutil import utcnow

__all__ = [
    "DATA",
    "DECIDED_BY",
    "ENGAGEMENT_FIELDS",
    "MARKS",
    "NOTE_KINDS",
    "REQUIREMENT_KINDS",
    "RISK_FIELDS",
    "STEP_FIELDS",
    "STEP_PARTS",
    "ItemMissing",
    "PlanGated",
    "RiskAction",
    "RiskInput",
    "VersionLocked",
    "add_meeting",
    "add_note",
    "add_requirement",
    "current_version",
    "edit_engagement",
    "edit_risk",
    "edit_step",
    "empty_content",
    "engagement",
    "factor_labels",
    "feedback_sets",
    "finalise_plan",
    "find_item",
    "formulation_reasons",
    "full_stages",
    "key_worker_supervises_team",
    "new_version",
    "rates_as_supervisor",
    "recent_attendance",
    "remove_engagement",
    "resilience_factors",
    "resilience_fields",
    "save_engagement",
    "save_resilience",
    "save_risk",
    "save_risk_judgement",
    "save_step",
    "scales_for",
    "set_competency",
    "set_stage_done",
    "stage_counts",
    "stage_statuses",
    "start",
    "strength_keys",
    "submit",
    "submitted_risk_history",
    "summary",
    "versions",
]


def empty_content() -> dict[str, Any]:
    return {
        "stages": {stage: {"done": False, "revision": 0} for stage in rules.STAGES},
        "engagement": [],
        "resilience": {"marks": {}, "factor_set": resilience_factors()["version"]},
        "risks": [],
        "risk_judgement": {"level": None, "rationale": ""},
        "notes": [],
        "meetings": [],
        "steps": [],
        "requirements": [],
        "plan": {"review_on": None, "finalised": False},
    }


def versions(*, session: Session, case_id: int) -> list[BaseVersion]:
    """All versions of the case's BASE assessment, newest first."""
    return list(
        session.exec(
            select(BaseVersion).where(BaseVersion.case_id == case_id).order_by(BaseVersion.number.desc())
        ).all()
    )


def current_version(*, session: Session, case_id: int) -> BaseVersion | None:
    """The newest version (the draft being worked on, or the last submitted one)."""
    if reads.none(session=session, model=BaseVersion, case_id=case_id):  # on a case page (app/cases/reads.py)
        return None
    return session.exec(_NEWEST, params={"case_id": case_id}).first()


_NEWEST = (  # built once, the case a bound parameter (issue 21)
    select(BaseVersion).where(BaseVersion.case_id == bindparam("case_id")).order_by(BaseVersion.number.desc()).limit(1)
)


def start(*, session: Session, case: Case, by: Actor, version_id: str) -> BaseVersion:
    """Start the case's BASE assessment; a replay, or a second start, returns what exists."""
    existing = session.get(BaseVersion, version_id)
    if existing is not None and existing.case_id != case.id:
        raise WrongCase()
    existing = existing or current_version(session=session, case_id=case.id)
    if existing is not None:
        return existing
    version = BaseVersion(id=version_id, case_id=case.id, number=1, content=empty_content(), created_by_id=by.id)
    session.add(version)
    session.flush()
    audit.record(
        session=session, actor=by, action="create", object_type="base_version", object_id=version.id, case_id=case.id
    )
    return version


def new_version(*, session: Session, case: Case, by: Actor, version_id: str) -> BaseVersion:
    """A new draft copied from the newest version; the plan must be finalised again."""
    existing = session.get(BaseVersion, version_id)
    if existing is not None:
        if existing.case_id != case.id:
            raise WrongCase()
        return existing
    latest = current_version(session=session, case_id=case.id)
    if latest is None:
        return start(session=session, case=case, by=by, version_id=version_id)
    if latest.status == VersionStatus.draft:
        return latest
    content = copy.deepcopy(latest.content)
    content["plan"]["finalised"] = False
    content["stages"]["plan"]["done"] = False  # done only by finalising it again (`finalise_plan`)
    version = BaseVersion(
        id=version_id,
        case_id=case.id,
        number=latest.number + 1,
        content=content,
        overall_risk=latest.overall_risk,
        competency_self=None,
        created_by_id=by.id,
    )
    session.add(version)
    session.flush()
    audit.record(
        session=session,
        actor=by,
        action="create",
        object_type="base_version",
        object_id=version.id,
        case_id=case.id,
        detail=f"version {version.number}",
    )
    return version


def submit(*, session: Session, version: BaseVersion, by: Actor) -> BaseVersion:
    """Submit a draft for review: from now on it is immutable. Submitting again changes nothing."""
    if version.status == VersionStatus.submitted:
        return version
    version.status = VersionStatus.submitted
    version.submitted_at = utcnow()
    version.submitted_by_id = by.id
    session.add(version)
    audit.record(
        session=session,
        actor=by,
        action="submit",
        object_type="base_version",
        object_id=version.id,
        case_id=version.case_id,
        detail=f"version {version.number}",
    )
    session.flush()

    review.submit_item(
        session=session,
        kind="base_assessment",
        case=session.get(Case, version.case_id),
        item_id=str(version.case_id),
        version_id=version.id,
        version_number=version.number,
        by=by.user,
    )
    return version
