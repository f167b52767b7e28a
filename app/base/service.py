"""BASE assessment rules that touch the database: versions, stage items, gating, submission.

Every change goes through `_change`, which refuses a submitted version (immutable: a change makes
a new version) and writes an audit entry. New items arrive with the UUID the form made (on the
tablet when offline), so a replayed create changes nothing. An item (and the resilience checklist and
the risk judgement) has a revision, its version for the one offline edit mechanism: the routes merge
an edit field by field with `sync.merge_edit` and hand the merged fields here (docs/offline.md).
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, select

from app import features
from app.accounts.models import Role, User
from app.audit import service as audit
from app.base import rules
from app.base.models import COMPETENCY_LABELS, BaseVersion, Competency, VersionStatus
from app.cases import reads
from app.cases.models import Case, Contact
from app.refused import Refused, WrongCase
from app.review import service as review
from app.security.auth import Actor
from app.security.permissions import is_case_supervisor
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


class ItemMissing(Refused):
    """An edit of an item this version does not hold."""

    status_code = 404


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


def _add(
    items: list[dict[str, Any]], *, item_id: str, fields: dict[str, Any], by: Actor
) -> tuple[dict[str, Any], bool]:
    """Add a new item; (item, added). A replayed create (its id is there already) changes nothing."""
    for item in items:
        if item["id"] == item_id:
            return item, False
    item = {"id": item_id, **fields, "by": by.user.full_name, "at": utcnow().isoformat(), "revision": 1}
    items.append(item)
    return item, True


def find_item(items: list[dict[str, Any]], item_id: str) -> dict[str, Any]:
    """The item with this id; Refused (404) when the version holds none."""
    for item in items:
        if item["id"] == item_id:
            return item
    raise ItemMissing("This item is not in this version of the assessment.")


def _edit(
    items: list[dict[str, Any]], *, item_id: str, fields: dict[str, Any], by: Actor
) -> tuple[dict[str, Any], bool]:
    """Set an existing item's fields (already merged by the route); a new revision when any differs."""
    item = find_item(items, item_id)
    if all(item.get(k) == v for k, v in fields.items()):
        return item, False
    item.update(fields, by=by.user.full_name, at=utcnow().isoformat(), revision=item["revision"] + 1)
    return item, True


def save_engagement(
    *, session: Session, version: BaseVersion, by: Actor, item_id: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """Add one person's engagement: expectations, aspirations, motivation and capacity."""
    content = _content(version)
    if not any(e["id"] == item_id for e in content["engagement"]):  # a replayed add returns what it made
        _one_entry_per_person(content["engagement"], item_id=item_id, fields=fields)
    item, added = _add(content["engagement"], item_id=item_id, fields=fields, by=by)
    if added:
        _save(session=session, version=version, content=content, by=by, what="engagement", item_id=item_id)
    return item


def edit_engagement(
    *, session: Session, version: BaseVersion, by: Actor, item_id: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """Change one person's engagement (the fields as merged by the route). Only a change of whom
    it is for is checked against the others: a version may hold two entries for one person, saved
    before that was refused and copied into new versions, and each must stay editable."""
    content = _content(version)
    if find_item(content["engagement"], item_id).get("removed"):
        raise Refused("This engagement entry was removed from the assessment, so the change was not saved.")
    if find_item(content["engagement"], item_id).get("person_id") != fields.get("person_id"):
        _one_entry_per_person(content["engagement"], item_id=item_id, fields=fields)
    item, changed = _edit(content["engagement"], item_id=item_id, fields=fields, by=by)
    if changed:
        _save(session=session, version=version, content=content, by=by, what="engagement", item_id=item_id)
    return item


def remove_engagement(*, session: Session, version: BaseVersion, by: Actor, item_id: str, reason: str, revision: int):
    """Remove an entry made by mistake (entered twice, or for the wrong person), with the reason.

    The entry is kept, marked removed (who, when, why), and left out of every count, so the record
    still shows what was entered and that it was taken out (the audit entry says so too).
    Removing again changes nothing. A removal from a page drawn before the entry was changed since
    is refused, so the worker reads it as it is now before taking it out."""
    content = _content(version)
    item = find_item(content["engagement"], item_id)
    if item.get("removed"):
        return item
    if revision and revision != item["revision"]:
        raise Refused(
            f"{item.get('person_name') or 'This entry'}'s engagement was changed after this page was opened, so it was "
            "not removed. Read it as it is now, and remove it again if it should go.",
            field=f"reason-{item_id}",
        )
    item.update(
        removed={"reason": reason, "by": by.user.full_name, "at": utcnow().isoformat()}, revision=item["revision"] + 1
    )
    _save(session=session, version=version, content=content, by=by, what="engagement removed", item_id=item_id)
    return item


def engagement(content: dict[str, Any]) -> list[dict[str, Any]]:
    """The version's engagement entries that stand: those removed as a mistake are left out."""
    return [e for e in content.get("engagement", []) if not e.get("removed")]


def _one_entry_per_person(entries: list[dict[str, Any]], *, item_id: str, fields: dict[str, Any]) -> None:
    """Each person has one engagement entry in a version: a second would be read as two people."""
    for entry in entries:
        if entry.get("removed"):
            continue
        if entry["id"] != item_id and entry.get("person_id") == fields.get("person_id"):
            raise Refused(
                f"{entry.get('person_name') or 'This person'} already has an engagement entry: edit that one.",
                field="person_id",
            )


def resilience_fields(content: dict[str, Any]) -> dict[str, str]:
    """The checklist as its form's fields: per factor, its mark ("none" when unmarked), who decided
    and notes. The merge of an offline save compares these field by field."""
    saved = content["resilience"]["marks"]
    fields = {}
    for key in factor_labels():
        mark = saved.get(key, {})
        fields[f"mark_{key}"] = mark.get("mark") or "none"
        fields[f"decided_{key}"] = mark.get("decided_by") or "family_with_worker"
        fields[f"notes_{key}"] = mark.get("notes") or ""
    return fields


def save_resilience(*, session: Session, version: BaseVersion, by: Actor, marks: dict[str, dict[str, str]]) -> None:
    """Set the checklist marks; each mark says strength or vulnerability, who decided, and notes.

    `marks` is the whole checklist after the route's field-by-field merge, so a save from a page
    kept on the device changes only what the worker changed there. A new revision when any differs.
    """
    content = _content(version)
    marks = {key: marks[key] for key in factor_labels() if key in marks}
    if marks == content["resilience"]["marks"]:
        return
    was_strengths = set(strength_keys(content))
    content["resilience"]["marks"] = marks
    content["stages"]["resilience"]["revision"] += 1
    # Only a strength mitigates a risk: a factor no longer one stops mitigating in the same save,
    # so no hazard (nor its review) still reads "what helps" with a vulnerability.
    no_longer = was_strengths - set(strength_keys(content))
    for risk in content["risks"]:
        if no_longer & set(risk.get("mitigations", [])):
            risk["mitigations"] = [k for k in risk["mitigations"] if k not in no_longer]
            risk["revision"] += 1
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


def _risk_fields(risk: RiskInput) -> dict[str, Any]:
    level = rules.risk_level(likelihood=risk.likelihood, imminence=risk.imminence, impact=risk.impact)
    return {**asdict(risk), "level": level}


def save_risk(*, session: Session, version: BaseVersion, by: Actor, item_id: str, risk: RiskInput) -> dict[str, Any]:
    """Add a hazard to the risk register; its level follows from the three scales."""
    content = _content(version)
    item, added = _add(content["risks"], item_id=item_id, fields=_risk_fields(risk), by=by)
    if added:
        _save(session=session, version=version, content=content, by=by, what="risk", item_id=item_id)
    return item


def edit_risk(*, session: Session, version: BaseVersion, by: Actor, item_id: str, risk: RiskInput) -> dict[str, Any]:
    """Change a hazard (as merged by the route); its level follows from the three scales."""
    content = _content(version)
    item, changed = _edit(content["risks"], item_id=item_id, fields=_risk_fields(risk), by=by)
    if changed:
        _save(session=session, version=version, content=content, by=by, what="risk", item_id=item_id)
    return item


def save_risk_judgement(*, session: Session, version: BaseVersion, by: Actor, level: str, rationale: str) -> None:
    """The overall risk judgement with its rationale (as merged by the route); a new revision."""
    content = _content(version)
    if content["risk_judgement"] == {"level": level, "rationale": rationale}:
        return
    content["risk_judgement"] = {"level": level, "rationale": rationale}
    content["stages"]["risk"]["revision"] += 1
    version.overall_risk = level
    _save(session=session, version=version, content=content, by=by, what="risk judgement")


def add_note(
    *, session: Session, version: BaseVersion, by: Actor, item_id: str, kind: str, text: str, on: date
) -> dict[str, Any]:
    """An analysis note (by the worker, with the family or with the team); append-only."""
    content = _content(version)
    item, added = _add(
        content["notes"], item_id=item_id, fields={"kind": kind, "text": text, "on": on.isoformat()}, by=by
    )
    if added:
        _save(session=session, version=version, content=content, by=by, what="analysis note", item_id=item_id)
    return item


def add_meeting(
    *, session: Session, version: BaseVersion, by: Actor, item_id: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """A formulation meeting: date, chair, attendees, theories tested, barriers, conclusions."""
    content = _content(version)
    item, added = _add(content["meetings"], item_id=item_id, fields=fields, by=by)
    if added:
        _save(session=session, version=version, content=content, by=by, what="formulation meeting", item_id=item_id)
    return item


def save_step(
    *, session: Session, version: BaseVersion, by: Actor, item_id: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """Add a plan step (what, who, by when, how we'll know; linked outcome and risks)."""
    content = _content(version)
    item, added = _add(content["steps"], item_id=item_id, fields=fields, by=by)
    if added:
        _plan_changed(content, version)
        _save(session=session, version=version, content=content, by=by, what="plan step", item_id=item_id)
    return item


def edit_step(
    *, session: Session, version: BaseVersion, by: Actor, item_id: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """Change a plan step (the fields as merged by the route). Ticking it done (or not) is progress
    on the plan, not a change to it: a finalised plan stays finalised."""
    content = _content(version)
    before = dict(find_item(content["steps"], item_id))
    item, changed = _edit(content["steps"], item_id=item_id, fields=fields, by=by)
    if changed and any(before.get(k) != v for k, v in fields.items() if k != "done"):
        _plan_changed(content, version)
    if changed:
        _save(session=session, version=version, content=content, by=by, what="plan step", item_id=item_id)
    return item


def add_requirement(
    *, session: Session, version: BaseVersion, by: Actor, item_id: str, kind: str, text: str
) -> dict[str, Any]:
    """A statutory requirement (CIN or CP plan, court order): a non-negotiable part of the plan."""
    content = _content(version)
    item, added = _add(content["requirements"], item_id=item_id, fields={"kind": kind, "text": text}, by=by)
    if added:
        _plan_changed(content, version)
        _save(session=session, version=version, content=content, by=by, what="statutory requirement", item_id=item_id)
    return item


def _plan_changed(content: dict, version: BaseVersion) -> None:
    """A finalised plan changed: it is a draft plan again, to be finalised again (with its review
    date), so nobody reads as finalised a plan that was not finalised in that form."""
    if content.get("plan", {}).get("finalised"):
        content["plan"]["finalised"] = False
        content["stages"]["plan"]["done"] = False
        version.plan_finalised_at = None


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
    """Mark a stage done, or reopen it (any stage may be reopened as more is known). The plan is
    done only by being finalised, past its gate and with its review date (`finalise_plan`); marking
    a finalised plan done (from a page kept on the device) changes nothing and is no refusal."""
    content = _content(version)
    if content["stages"][stage]["done"] == done:
        return
    if stage == "plan" and done:
        raise Refused("The plan is done when it is finalised: give its review date and finalise it.", field="review_on")
    content["stages"][stage]["done"] = done
    if stage == "plan" and not done:
        content["plan"]["finalised"] = False
        version.plan_finalised_at = None
    _save(session=session, version=version, content=content, by=by, what=f"{stage} {'done' if done else 'reopened'}")


def rates_as_supervisor(user: User, case: Case, key_worker: User | None) -> bool:
    """Whether `user` gives the supervisor's competency rating on the case's BASE assessment: the
    supervisor of its own team, unless they key-work it, since nobody supervises their own practice.
    When the key worker is a supervisor of the case's team, a service manager (who supervises the
    team's supervisors) rates too, so a team whose only supervisor key-works the case has someone."""
    if is_case_supervisor(user, case) and user.id != case.key_worker_id:
        return True
    return user.role == Role.manager and key_worker is not None and key_worker_supervises_team(key_worker, case)


def key_worker_supervises_team(key_worker: User | None, case: Case) -> bool:
    return key_worker is not None and key_worker.id == case.key_worker_id and is_case_supervisor(key_worker, case)


def set_competency(
    *, session: Session, version: BaseVersion, by: Actor, rating: str, as_supervisor: bool, was: str | None = None
) -> None:
    """The key worker's self-rating (draft only) or the case supervisor's rating of the same assessment;
    `was` is the rating the form's page showed ("" for none; None when the form did not say).

    A rating from anyone else is refused, never saved as the other one: a supervisor of another
    team co-working the case is one of its workers (app.security.permissions.is_case_supervisor),
    and a supervisor who key-works a case rates their own practice on it, not as its supervisor."""
    Competency(rating)
    case = session.get(Case, version.case_id)
    if as_supervisor and by.id == case.key_worker_id:
        raise Refused(
            "You are this case's key worker, so you rate your own practice on it: the supervisor's rating "
            "is not yours to give, and your rating was not saved.",
            field="competency",
        )
    if as_supervisor and not rates_as_supervisor(by.user, case, session.get(User, case.key_worker_id)):
        raise Refused(
            "Only the supervisor of this case's team rates it as supervisor, so your rating was not saved.",
            field="competency",
        )
    if not as_supervisor and by.id != case.key_worker_id:
        raise Refused(
            "Only the key worker rates their own practice on this assessment, so your rating was not saved.",
            field="competency",
        )
    now = version.competency_supervisor if as_supervisor else version.competency_self
    if was is not None and (was or None) != now and rating != now:
        # A rating sent from a page kept on the device must not undo one made since (docs/offline.md).
        raise Refused(
            f"The rating was changed to {COMPETENCY_LABELS.get(now, now) if now else 'not rated'} since this page was "
            "opened, so yours was not saved. Choose again if you still want to change it.",
            field="competency",
        )
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
        "engagement": len(engagement(content)),
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
