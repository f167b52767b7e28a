"""BASE assessment rules that touch the database: versions, stage items, gating, submission.

Every change goes through `_change`, which refuses a submitted version (immutable: a change makes
a new version) and writes an audit entry. New items arrive with the UUID the form made (on the
tablet when offline), so a replayed create changes nothing; edits carry the item's revision and
an edit from an older revision raises `StaleEdit` for the worker to resolve (DESIGN.md "Offline").
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, select

from app import features
from app.audit import service as audit
from app.base import rules
from app.base.models import BaseVersion, Competency, VersionStatus
from app.cases.models import Case, Contact
from app.refused import Refused
from app.review import service as review
from app.security.auth import Actor
from app.timeutil import today as today_local
from app.timeutil import utcnow

DATA = Path(__file__).resolve().parent / "data"

ENGAGEMENT_FIELDS = (
    "expectations",
    "aspirations",
    "motivation",
    "motivation_evidence",
    "capacity",
    "capacity_evidence",
    "involvement",
)
RISK_FIELDS = ("hazard", "likelihood", "imminence", "impact", "mitigations", "tolerable", "tolerable_reason", "actions")
STEP_FIELDS = ("what", "who", "by_when", "how_we_know", "outcome", "risk_ids", "done")
NOTE_KINDS = {"worker": "Worker's notes", "family": "With the family", "team": "With the team"}
REQUIREMENT_KINDS = {
    "cin_plan": "Child in need plan",
    "cp_plan": "Child protection plan",
    "court_order": "Court order",
    "other": "Other statutory requirement",
}
MARKS = {"strength": "Strength", "vulnerability": "Vulnerability"}
DECIDED_BY = {"family_with_worker": "Family with the worker", "family": "Family", "worker": "Worker"}


class StaleEdit(Refused):
    """The item changed on the server since the form was opened; nothing was overwritten."""

    status_code = 409

    def __init__(self, current: dict[str, Any]) -> None:
        super().__init__("This changed since you opened it.")
        self.current = current


class VersionLocked(Refused):
    """The version was submitted and is immutable; start a new version to change it."""

    status_code = 409


class PlanGated(Refused):
    """Finalising the plan was refused because earlier stages are empty."""

    def __init__(self, gaps: list[str]) -> None:
        super().__init__(rules.plan_gap_message(gaps))
        self.gaps = gaps


@lru_cache
def resilience_factors() -> dict[str, Any]:
    """The shipped resilience checklist (app/base/data/resilience_factors.json)."""
    return json.loads((DATA / "resilience_factors.json").read_text(encoding="utf-8"))


@lru_cache
def factor_labels() -> dict[str, str]:
    return {f["key"]: f["label"] for d in resilience_factors()["domains"] for f in d["factors"]}


@lru_cache
def feedback_sets() -> dict[str, Any]:
    """The service-user feedback question sets (app/base/data/feedback_questions.json)."""
    return json.loads((DATA / "feedback_questions.json").read_text(encoding="utf-8"))


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
    return session.exec(
        select(BaseVersion).where(BaseVersion.case_id == case_id).order_by(BaseVersion.number.desc()).limit(1)
    ).first()


def start(*, session: Session, case: Case, by: Actor, version_id: str) -> BaseVersion:
    """Start the case's BASE assessment; a replay, or a second start, returns what exists."""
    existing = session.get(BaseVersion, version_id) or current_version(session=session, case_id=case.id)
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
        return existing
    latest = current_version(session=session, case_id=case.id)
    if latest is None:
        return start(session=session, case=case, by=by, version_id=version_id)
    if latest.status == VersionStatus.draft:
        return latest
    content = copy.deepcopy(latest.content)
    content["plan"]["finalised"] = False
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


def _content(version: BaseVersion) -> dict[str, Any]:
    if version.status != VersionStatus.draft:
        raise VersionLocked()
    return copy.deepcopy(version.content)


def _save(
    *, session: Session, version: BaseVersion, content: dict[str, Any], by: Actor, what: str, item_id: str = ""
) -> None:
    version.content = content
    flag_modified(version, "content")
    version.updated_at = utcnow()
    session.add(version)
    audit.record(
        session=session,
        actor=by,
        action="update",
        object_type="base_version",
        object_id=version.id,
        case_id=version.case_id,
        detail=f"{what} {item_id}".strip(),
    )
    if what.startswith("risk"):  # "Update the BASE risk assessment" prompts close on this save
        features.fulfil(session=session, case_id=version.case_id, event="base_risk", by=by, on=today_local())


def _upsert(
    items: list[dict[str, Any]], *, item_id: str, base_revision: int | None, fields: dict[str, Any], by: Actor
) -> tuple[dict[str, Any], bool]:
    """Add a new item or edit an existing one; (item, changed). A create replay changes nothing."""
    stamp = {"by": by.user.full_name, "at": utcnow().isoformat()}
    for item in items:
        if item["id"] == item_id:
            if base_revision is None:
                return item, False
            if base_revision != item["revision"]:
                raise StaleEdit(copy.deepcopy(item))
            item.update(fields, **stamp, revision=item["revision"] + 1)
            return item, True
    item = {"id": item_id, **fields, **stamp, "revision": 1}
    items.append(item)
    return item, True


def save_engagement(
    *,
    session: Session,
    version: BaseVersion,
    by: Actor,
    item_id: str,
    base_revision: int | None,
    fields: dict[str, Any],
) -> dict[str, Any]:
    """Add or edit one person's engagement: expectations, aspirations, motivation and capacity."""
    content = _content(version)
    item, changed = _upsert(content["engagement"], item_id=item_id, base_revision=base_revision, fields=fields, by=by)
    if changed:
        _save(session=session, version=version, content=content, by=by, what="engagement", item_id=item_id)
    return item


def save_resilience(
    *,
    session: Session,
    version: BaseVersion,
    by: Actor,
    base_revision: int,
    marks: dict[str, dict[str, str]],
    untouched: set[str] = frozenset(),
) -> None:
    """Set the checklist marks; each mark says strength or vulnerability, who decided, and notes.

    Factors in `untouched` were sent as the form showed them, so they keep what is saved: a second
    save from a page kept on the device (which still shows the checklist as it was taken) changes
    only what the worker changed, instead of undoing the first save.
    """
    content = _content(version)
    stage = content["stages"]["resilience"]
    if base_revision != stage["revision"]:
        raise StaleEdit({"marks": content["resilience"]["marks"], "revision": stage["revision"]})
    saved = content["resilience"]["marks"]
    merged = {key: value for key, value in marks.items() if key not in untouched}
    merged.update({key: saved[key] for key in untouched if key in saved})
    content["resilience"]["marks"] = {key: merged[key] for key in factor_labels() if key in merged}
    stage["revision"] += 1
    _save(session=session, version=version, content=content, by=by, what="resilience")


@dataclass(frozen=True)
class RiskAction:
    """One action that lowers a hazard: what, who, and when it is reviewed (ISO date or "")."""

    what: str
    owner: str = ""
    review_on: str = ""


@dataclass(frozen=True)
class RiskInput:
    """A hazard as the worker (or the demo) gives it; the level is worked out, never given."""

    hazard: str
    likelihood: int
    imminence: int
    impact: int
    mitigations: list[str] = field(default_factory=list)
    tolerable: bool = False
    tolerable_reason: str = ""
    actions: list[RiskAction] = field(default_factory=list)


def save_risk(
    *,
    session: Session,
    version: BaseVersion,
    by: Actor,
    item_id: str,
    base_revision: int | None,
    risk: RiskInput,
) -> dict[str, Any]:
    """Add or edit a hazard in the risk register; its level follows from the three scales."""
    content = _content(version)
    level = rules.risk_level(likelihood=risk.likelihood, imminence=risk.imminence, impact=risk.impact)
    fields = {**asdict(risk), "level": level}
    item, changed = _upsert(content["risks"], item_id=item_id, base_revision=base_revision, fields=fields, by=by)
    if changed:
        _save(session=session, version=version, content=content, by=by, what="risk", item_id=item_id)
    return item


def save_risk_judgement(
    *, session: Session, version: BaseVersion, by: Actor, base_revision: int, level: str, rationale: str
) -> None:
    """The overall risk judgement with its rationale."""
    content = _content(version)
    stage = content["stages"]["risk"]
    if base_revision != stage["revision"]:
        raise StaleEdit({**content["risk_judgement"], "revision": stage["revision"]})
    content["risk_judgement"] = {"level": level, "rationale": rationale}
    stage["revision"] += 1
    version.overall_risk = level
    _save(session=session, version=version, content=content, by=by, what="risk judgement")


def add_note(
    *, session: Session, version: BaseVersion, by: Actor, item_id: str, kind: str, text: str, on: date
) -> dict[str, Any]:
    """An analysis note (by the worker, with the family or with the team); append-only."""
    content = _content(version)
    item, changed = _upsert(
        content["notes"],
        item_id=item_id,
        base_revision=None,
        fields={"kind": kind, "text": text, "on": on.isoformat()},
        by=by,
    )
    if changed:
        _save(session=session, version=version, content=content, by=by, what="analysis note", item_id=item_id)
    return item


def add_meeting(
    *, session: Session, version: BaseVersion, by: Actor, item_id: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """A formulation meeting: date, chair, attendees, theories tested, barriers, conclusions."""
    content = _content(version)
    item, changed = _upsert(content["meetings"], item_id=item_id, base_revision=None, fields=fields, by=by)
    if changed:
        _save(session=session, version=version, content=content, by=by, what="formulation meeting", item_id=item_id)
    return item


def save_step(
    *,
    session: Session,
    version: BaseVersion,
    by: Actor,
    item_id: str,
    base_revision: int | None,
    fields: dict[str, Any],
) -> dict[str, Any]:
    """Add or edit a plan step (what, who, by when, how we'll know; linked outcome and risks)."""
    content = _content(version)
    item, changed = _upsert(content["steps"], item_id=item_id, base_revision=base_revision, fields=fields, by=by)
    if changed:
        _save(session=session, version=version, content=content, by=by, what="plan step", item_id=item_id)
    return item


def add_requirement(
    *, session: Session, version: BaseVersion, by: Actor, item_id: str, kind: str, text: str
) -> dict[str, Any]:
    """A statutory requirement (CIN or CP plan, court order): a non-negotiable part of the plan."""
    content = _content(version)
    item, changed = _upsert(
        content["requirements"], item_id=item_id, base_revision=None, fields={"kind": kind, "text": text}, by=by
    )
    if changed:
        _save(session=session, version=version, content=content, by=by, what="statutory requirement", item_id=item_id)
    return item


def finalise_plan(*, session: Session, version: BaseVersion, by: Actor, review_on: date) -> None:
    """Finalise the plan with its review date, unless engagement, resilience or risk is empty."""
    content = _content(version)
    gaps = rules.plan_gaps(stage_counts(content))
    if gaps:
        raise PlanGated(gaps)
    content["plan"] = {"review_on": review_on.isoformat(), "finalised": True}
    content["stages"]["plan"]["done"] = True
    version.plan_finalised_at = utcnow()
    _save(session=session, version=version, content=content, by=by, what="plan finalised")


def set_stage_done(*, session: Session, version: BaseVersion, by: Actor, stage: str, done: bool) -> None:
    """Mark a stage done, or reopen it (any stage may be reopened as more is known)."""
    content = _content(version)
    if content["stages"][stage]["done"] == done:
        return
    content["stages"][stage]["done"] = done
    if stage == "plan" and not done:
        content["plan"]["finalised"] = False
        version.plan_finalised_at = None
    _save(session=session, version=version, content=content, by=by, what=f"{stage} {'done' if done else 'reopened'}")


def set_competency(*, session: Session, version: BaseVersion, by: Actor, rating: str, as_supervisor: bool) -> None:
    """The worker's self-rating (draft only) or the supervisor's rating of the same assessment."""
    Competency(rating)
    if as_supervisor:
        version.competency_supervisor = rating
        version.competency_supervisor_by_id = by.id
    else:
        if version.status != VersionStatus.draft:
            raise VersionLocked()
        version.competency_self = rating
    session.add(version)
    audit.record(
        session=session,
        actor=by,
        action="update",
        object_type="base_version",
        object_id=version.id,
        case_id=version.case_id,
        detail="competency supervisor" if as_supervisor else "competency self",
    )


def stage_counts(content: dict[str, Any]) -> dict[str, int]:
    """How much each stage holds (the gate and the progress indicator read these)."""
    judgement = 1 if content["risk_judgement"].get("level") else 0
    return {
        "engagement": len(content["engagement"]),
        "resilience": len(content["resilience"]["marks"]),
        "risk": len(content["risks"]) + judgement,
        "analysis": len(content["notes"]) + len(content["meetings"]),
        "plan": len(content["steps"]) + len(content["requirements"]),
    }


STEP_PARTS = ("what", "who", "by_when", "how_we_know", "outcome")


def full_stages(content: dict[str, Any]) -> set[str]:
    """Stages whose one item says everything asked of it: a plan step with what, who, by when,
    how we will know and the outcome it serves is not a thin plan."""
    full = set()
    if any(all(s.get(p) for p in STEP_PARTS) for s in content["steps"]):
        full.add("plan")
    return full


def stage_statuses(content: dict[str, Any]) -> dict[str, str]:
    counts = stage_counts(content)
    return {s: rules.stage_status(items=counts[s], marked_done=content["stages"][s]["done"]) for s in rules.STAGES}


def strength_keys(content: dict[str, Any]) -> list[str]:
    """Resilience factors marked as a strength: the only ones that can mitigate a risk."""
    return [k for k, m in content["resilience"]["marks"].items() if m.get("mark") == "strength"]


def scales_for(content: dict[str, Any]) -> rules.Scales:
    marks = content["resilience"]["marks"].values()
    return rules.tipping_scales(
        strengths=sum(1 for m in marks if m.get("mark") == "strength"),
        vulnerabilities=sum(1 for m in marks if m.get("mark") == "vulnerability"),
    )


def submitted_risk_history(*, session: Session, case_id: int) -> list[str | None]:
    """Overall risk judgements of the submitted versions, oldest first (each one a review)."""
    rows = session.exec(
        select(BaseVersion.overall_risk)
        .where(BaseVersion.case_id == case_id, BaseVersion.status == VersionStatus.submitted)
        .order_by(BaseVersion.number)
    ).all()
    return list(rows)


def recent_attendance(*, session: Session, case_id: int, limit: int = 3) -> list[bool]:
    """Attended (True) or missed (False) for the case's latest visits, oldest first."""

    rows = session.exec(
        select(Contact.attended)
        .where(Contact.case_id == case_id, Contact.kind == "visit")
        .order_by(Contact.occurred_on.desc(), Contact.start_time.desc(), Contact.recorded_at.desc())
        .limit(limit)
    ).all()
    return [bool(r) for r in reversed(rows)]


def formulation_reasons(*, session: Session, version: BaseVersion) -> list[str]:
    """Why a formulation meeting is suggested for this case now (empty: not suggested)."""
    content = version.content
    return rules.formulation_reasons(
        overall_risk=content["risk_judgement"].get("level"),
        hazard_levels=[r["level"] for r in content["risks"] if not r.get("tolerable")],
        review_scores=rules.review_scores_from_risk(submitted_risk_history(session=session, case_id=version.case_id)),
        attendance=recent_attendance(session=session, case_id=version.case_id),
        last_meeting_on=max(
            (_as_date(m.get("held_on")) for m in content.get("meetings", []) if m.get("held_on")), default=None
        ),
        today=today_local(),
    )


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def summary(content: dict[str, Any]) -> dict[str, Any]:
    """Statuses, counts, progress, supervisor flags and the gate, for one version's content."""
    counts = stage_counts(content)
    statuses = stage_statuses(content)
    done, total = rules.progress(statuses)
    gaps = rules.plan_gaps(counts)
    return {
        "counts": counts,
        "statuses": statuses,
        "flags": rules.fidelity_flags(statuses=statuses, counts=counts, full=full_stages(content)),
        "done": done,
        "total": total,
        "gaps": gaps,
        "gap_message": rules.plan_gap_message(gaps),
        "finalised": content["plan"].get("finalised", False),
    }
