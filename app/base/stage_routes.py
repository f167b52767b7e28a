"""The five BASE stage pages and their forms (PRACTICE.md "BASE"): add, edit, mark done, reopen.

New items carry the UUID made when the form was rendered (a replay changes nothing); edits carry
`base_version`, and an edit from an older revision answers 409 with both versions shown.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, select

from app.base import rules, service
from app.base.models import BaseVersion, VersionStatus
from app.base.web import TEMPLATES, case_people, locked_page, url, version_for_change
from app.cases.models import Case, new_id
from app.core.plan_rules import earliest_due
from app.db import SessionDep
from app.forms import Form
from app.security.auth import Actor, CurrentActor
from app.security.permissions import can_change_case, get_case
from app.templating import flash, redirect, render
from app.timeutil import today

router = APIRouter()
RISK_LEVEL_CHOICES = list(rules.RISK_LEVEL_LABELS.items())


def _stage_context(
    session: Session, case: Case, actor: Actor, version: BaseVersion, stage: str, **extra: Any
) -> dict[str, Any]:
    content = version.content
    labels = service.factor_labels()
    ctx: dict[str, Any] = {
        "case": case,
        "version": version,
        "content": content,
        "stage": stage,
        "new_id": new_id(),
        "stages": rules.STAGES,
        "stage_labels": rules.STAGE_LABELS,
        "status_labels": rules.STATUS_LABELS,
        "summary": service.summary(content),
        "editable": version.status == VersionStatus.draft and can_change_case(actor.user, case),
        "factor_labels": labels,
        "form": None,
        "editing": None,
        "conflict": None,
    }
    if stage == "engagement":
        ctx["people"] = case_people(session, case)
        recorded = {e.get("person_id") for e in content["engagement"]}
        ctx["not_yet"] = [p for p in ctx["people"] if p.id not in recorded]
    elif stage == "resilience":
        ctx["domains"] = service.resilience_factors()["domains"]
        ctx["marks"] = service.MARKS
        ctx["decided_by"] = service.DECIDED_BY
        ctx["scales"] = service.scales_for(content)
    elif stage == "risk":
        ctx["scales"] = rules.SCALES
        ctx["level_label"] = rules.level_label
        ctx["risk_levels"] = RISK_LEVEL_CHOICES
        # Only strengths mitigate a risk; a vulnerability is not offered (issue 18, defect 8).
        ctx["marked_factors"] = [(k, labels.get(k, k), None) for k in service.strength_keys(content)]
    elif stage == "analysis":
        ctx["note_kinds"] = service.NOTE_KINDS
        ctx["reasons"] = service.formulation_reasons(session=session, version=version)
    elif stage == "plan":
        ctx["requirement_kinds"] = service.REQUIREMENT_KINDS
        ctx["default_requirement"] = {"cin": "cin_plan", "cp": "cp_plan", "cla": "court_order"}.get(
            case.practice_context, "other"
        )
        ctx["risk_names"] = {r["id"]: r["hazard"] for r in content["risks"]}
    ctx.update(extra)
    return ctx


def _stage_page(
    request: Request,
    session: Session,
    case: Case,
    actor: Actor,
    version: BaseVersion,
    stage: str,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    return render(
        request,
        f"{TEMPLATES}/stage.html",
        _stage_context(session, case, actor, version, stage, **extra),
        status_code=status_code,
    )


@router.get("/cases/{case_id}/base/{stage}")
def stage_page(
    request: Request,
    case_id: int,
    stage: str,
    session: SessionDep,
    actor: CurrentActor,
    edit: str = "",
    version: int | None = None,
) -> Response:
    if stage not in rules.STAGES:
        raise HTTPException(status_code=404)
    case = get_case(session=session, actor=actor, case_id=case_id)
    if version is not None:
        chosen = session.exec(
            select(BaseVersion).where(BaseVersion.case_id == case.id, BaseVersion.number == version)
        ).first()
    else:
        chosen = service.current_version(session=session, case_id=case.id)
    if chosen is None:
        return redirect(request, url(case))
    editing = _find(chosen.content, stage, edit) if edit else None
    return _stage_page(request, session, case, actor, chosen, stage, editing=editing)


def _find(content: dict[str, Any], stage: str, item_id: str) -> dict[str, Any] | None:
    lists = {"engagement": "engagement", "risk": "risks", "plan": "steps"}
    for item in content.get(lists.get(stage, ""), []):
        if item["id"] == item_id:
            return item
    return None


def _mitigations(form: Form, version: BaseVersion) -> list[str]:
    """The strengths chosen as mitigating; a vulnerability is refused beside the field."""
    strengths = service.strength_keys(version.content)
    chosen = form.data.getlist("mitigations") if hasattr(form.data, "getlist") else []
    if any(k not in strengths for k in chosen):
        form.error("mitigations", "Only a factor marked as a strength can mitigate a risk.")
    return [k for k in chosen if k in strengths]


def _base_revision(form: Form) -> int | None:
    return form.integer("base_version", minimum=0) if form.values.get("base_version") not in (None, "") else None


async def _stage_post(request: Request, session: Session, actor: Actor, case_id: int) -> tuple[Case, Form, BaseVersion]:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(await request.form(), repeated=("mitigations", "risk_ids"))
    version = version_for_change(session, case, form.text("version_id", max_length=36))
    return case, form, version


def _apply(
    request: Request,
    session: Session,
    case: Case,
    actor: Actor,
    version: BaseVersion,
    stage: str,
    form: Form,
    change,
    message: str,
    editing=None,
) -> Response:
    """Run a service change, mapping its refusals to the right page and status."""
    if not form.ok:
        return _stage_page(request, session, case, actor, version, stage, status_code=422, form=form, editing=editing)
    try:
        change()
    except service.VersionLocked:
        return locked_page(request, case, version)
    except service.StaleEdit as stale:
        return _stage_page(
            request,
            session,
            case,
            actor,
            version,
            stage,
            status_code=409,
            form=form,
            editing=stale.current,
            conflict=stale.current,
        )
    except service.PlanGated as gated:
        form.error("review_on", gated.message)
        return _stage_page(request, session, case, actor, version, stage, status_code=422, form=form)
    flash(request, message)
    return redirect(request, url(case, stage))


@router.post("/cases/{case_id}/base/engagement")
async def save_engagement(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case, form, version = await _stage_post(request, session, actor, case_id)
    item_id = form.text("id", required=True, max_length=36)
    people = {p.id: p for p in case_people(session, case)}
    person_id = form.choice("person_id", people.keys())
    fields = {
        "expectations": form.text("expectations", max_length=2000),
        "aspirations": form.text("aspirations", max_length=2000),
        "motivation": form.integer("motivation", required=True, minimum=1, maximum=5),
        "motivation_evidence": form.text("motivation_evidence", max_length=2000),
        "capacity": form.integer("capacity", required=True, minimum=1, maximum=5),
        "capacity_evidence": form.text("capacity_evidence", max_length=2000),
        "involvement": form.text("involvement", max_length=2000),
    }
    if person_id:
        person = people[person_id]
        fields.update(
            person_id=person.id,
            person_name=person.name,
            relationship=person.relationship,
            is_young_person=person.is_young_person,
        )
    base = _base_revision(form)
    editing = _find(version.content, "engagement", item_id)
    return _apply(
        request,
        session,
        case,
        actor,
        version,
        "engagement",
        form,
        lambda: service.save_engagement(
            session=session, version=version, by=actor, item_id=item_id, base_revision=base, fields=fields
        ),
        "Engagement saved.",
        editing=editing,
    )


@router.post("/cases/{case_id}/base/resilience")
async def save_resilience(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case, form, version = await _stage_post(request, session, actor, case_id)
    base = form.integer("base_version", required=True, minimum=0)
    marks, untouched = {}, set()
    for key in service.factor_labels():
        mark = form.choice(f"mark_{key}", [*service.MARKS, "none"], required=False, default="none")
        decided = form.choice(f"decided_{key}", service.DECIDED_BY.keys(), required=False, default="family_with_worker")
        notes = form.text(f"notes_{key}", max_length=500)
        if mark in service.MARKS:
            marks[key] = {"mark": mark, "decided_by": decided, "notes": notes}
        if _shown(form.values.get(f"was_{key}")) == [mark, decided, notes]:
            untouched.add(key)
    return _apply(
        request,
        session,
        case,
        actor,
        version,
        "resilience",
        form,
        lambda: service.save_resilience(
            session=session, version=version, by=actor, base_revision=base, marks=marks, untouched=untouched
        ),
        "Resilience checklist saved.",
    )


def _shown(raw: str | None) -> list[str] | None:
    """A factor as the form showed it (its `was_` field): mark, who decided, notes."""
    try:
        value = json.loads(raw) if raw else None
    except ValueError:
        return None
    return value if isinstance(value, list) and len(value) == 3 and all(isinstance(v, str) for v in value) else None


@router.post("/cases/{case_id}/base/risk")
async def save_risk(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case, form, version = await _stage_post(request, session, actor, case_id)
    item_id = form.text("id", required=True, max_length=36)
    tolerable = form.boolean("tolerable")
    actions = []
    for n in range(3):
        what = form.text(f"action_what_{n}", max_length=500)
        if what:
            review_on = form.date(f"action_review_{n}")
            actions.append(
                service.RiskAction(
                    what=what,
                    owner=form.text(f"action_owner_{n}", max_length=120),
                    review_on=review_on.isoformat() if review_on else "",
                )
            )
    risk = service.RiskInput(
        hazard=form.text("hazard", required=True, max_length=300, label="The hazard"),
        likelihood=form.integer("likelihood", required=True, minimum=1, maximum=4),
        imminence=form.integer("imminence", required=True, minimum=1, maximum=4),
        impact=form.integer("impact", required=True, minimum=1, maximum=4),
        mitigations=_mitigations(form, version),
        tolerable=tolerable,
        tolerable_reason=form.text(
            "tolerable_reason", required=tolerable, max_length=1000, label="The reason this risk is tolerable"
        ),
        actions=actions,
    )
    base = _base_revision(form)
    editing = _find(version.content, "risk", item_id)
    return _apply(
        request,
        session,
        case,
        actor,
        version,
        "risk",
        form,
        lambda: service.save_risk(
            session=session, version=version, by=actor, item_id=item_id, base_revision=base, risk=risk
        ),
        "Risk saved.",
        editing=editing,
    )


@router.post("/cases/{case_id}/base/risk/judgement")
async def save_judgement(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case, form, version = await _stage_post(request, session, actor, case_id)
    base = form.integer("base_version", required=True, minimum=0)
    level = form.choice("level", rules.RISK_LEVELS)
    rationale = form.text("rationale", required=True, max_length=4000, label="The rationale")
    return _apply(
        request,
        session,
        case,
        actor,
        version,
        "risk",
        form,
        lambda: service.save_risk_judgement(
            session=session, version=version, by=actor, base_revision=base, level=level, rationale=rationale
        ),
        "Overall risk judgement saved.",
    )


@router.post("/cases/{case_id}/base/analysis/notes")
async def add_note(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case, form, version = await _stage_post(request, session, actor, case_id)
    item_id = form.text("id", required=True, max_length=36)
    kind = form.choice("note_kind", service.NOTE_KINDS.keys())
    text = form.text("note_text", required=True, max_length=4000, label="The note")
    on = form.date("note_on", required=True, not_future=True)
    return _apply(
        request,
        session,
        case,
        actor,
        version,
        "analysis",
        form,
        lambda: service.add_note(
            session=session, version=version, by=actor, item_id=item_id, kind=kind, text=text, on=on
        ),
        "Analysis note added.",
    )


@router.post("/cases/{case_id}/base/analysis/meetings")
async def add_meeting(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case, form, version = await _stage_post(request, session, actor, case_id)
    item_id = form.text("id", required=True, max_length=36)
    held_on = form.date("held_on", required=True, not_future=True)
    fields = {
        "held_on": held_on.isoformat() if held_on else None,
        "chair": form.text("chair", required=True, max_length=120, label="The chair"),
        "attendees": form.text("attendees", max_length=1000),
        "theories": form.text("theories", max_length=4000),
        "barriers": form.text("barriers", max_length=4000),
        "conclusions": form.text("conclusions", required=True, max_length=4000, label="The conclusions"),
    }
    return _apply(
        request,
        session,
        case,
        actor,
        version,
        "analysis",
        form,
        lambda: service.add_meeting(session=session, version=version, by=actor, item_id=item_id, fields=fields),
        "Formulation meeting recorded.",
    )


@router.post("/cases/{case_id}/base/plan/steps")
async def save_step(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case, form, version = await _stage_post(request, session, actor, case_id)
    item_id = form.text("id", required=True, max_length=36)
    stored = (_find(version.content, "plan", item_id) or {}).get("by_when")
    by_when = form.date(
        "by_when",
        not_before=earliest_due(today(), stored=date.fromisoformat(stored) if stored else None),
        label="The date it is due by",
    )
    fields = {
        "what": form.text("what", required=True, max_length=500, label="What will happen"),
        "who": form.text("who", required=True, max_length=120, label="Who"),
        "by_when": by_when.isoformat() if by_when else None,
        "how_we_know": form.text("how_we_know", max_length=1000),
        "outcome": form.text("outcome", required=True, max_length=500, label="The outcome it serves"),
        "risk_ids": form.multi("risk_ids", [r["id"] for r in version.content["risks"]]),
        "done": form.boolean("done"),
    }
    base = _base_revision(form)
    editing = _find(version.content, "plan", item_id)
    return _apply(
        request,
        session,
        case,
        actor,
        version,
        "plan",
        form,
        lambda: service.save_step(
            session=session, version=version, by=actor, item_id=item_id, base_revision=base, fields=fields
        ),
        "Plan step saved.",
        editing=editing,
    )


@router.post("/cases/{case_id}/base/plan/requirements")
async def add_requirement(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case, form, version = await _stage_post(request, session, actor, case_id)
    item_id = form.text("id", required=True, max_length=36)
    kind = form.choice("req_kind", service.REQUIREMENT_KINDS.keys())
    text = form.text("req_text", required=True, max_length=1000, label="The requirement")
    return _apply(
        request,
        session,
        case,
        actor,
        version,
        "plan",
        form,
        lambda: service.add_requirement(
            session=session, version=version, by=actor, item_id=item_id, kind=kind, text=text
        ),
        "Statutory requirement added.",
    )


@router.post("/cases/{case_id}/base/plan/finalise")
async def finalise(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case, form, version = await _stage_post(request, session, actor, case_id)
    review_on = form.date("review_on", required=True)
    return _apply(
        request,
        session,
        case,
        actor,
        version,
        "plan",
        form,
        lambda: service.finalise_plan(session=session, version=version, by=actor, review_on=review_on),
        "Plan finalised.",
    )


@router.post("/cases/{case_id}/base/{stage}/status")
async def stage_status(
    request: Request, case_id: int, stage: str, session: SessionDep, actor: CurrentActor
) -> Response:
    if stage not in rules.STAGES:
        raise HTTPException(status_code=404)
    case, form, version = await _stage_post(request, session, actor, case_id)
    done = form.choice("done", ["1", "0"]) == "1"
    # The form sets a state (it may come from a page kept on the device that showed an older one),
    # so the message says what changed, or that nothing needed to.
    label = rules.STAGE_LABELS[stage]
    if version.content["stages"][stage]["done"] == done:
        message = f"{label} was already done." if done else f"{label} stays open."
    else:
        message = f"{label} marked done." if done else f"{label} reopened."
    return _apply(
        request,
        session,
        case,
        actor,
        version,
        stage,
        form,
        lambda: service.set_stage_done(session=session, version=version, by=actor, stage=stage, done=done),
        message,
    )
