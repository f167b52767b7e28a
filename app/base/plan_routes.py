"""BASE stage 5, plan (PRACTICE.md "BASE"): the steps, each linked to the risks it addresses; the
statutory requirements; and finalising the plan with its review date."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.base import service
from app.base.models import BaseVersion
from app.base.stage_forms import (
    Record,
    _apply,
    _item,
    _refuse_an_older_edit,
    _revision_of,
    _settle,
    _stage_post,
    _texts,
)
from app.core.plan_rules import earliest_due
from app.db import SessionDep
from app.forms import Form, SentForm
from app.security.auth import CurrentActor
from app.sync import service as sync
from app.sync.ledger import Idempotent
from app.timeutil import today

router = APIRouter()


STEP_LABELS = {
    "what": "What will happen",
    "who": "Who",
    "by_when": "By when",
    "how_we_know": "How we'll know",
    "outcome": "Outcome it serves",
    "done": "This step is done",
}


def _step_labels(version: BaseVersion) -> dict[str, str]:
    return {**STEP_LABELS, **{f"addresses_{r['id']}": f"Addresses: {r['hazard']}" for r in version.content["risks"]}}


def _step_fields(form: Form, version: BaseVersion, stored: str | None) -> dict[str, Any]:
    """The step form's fields, parsed: one box per risk it addresses (`addresses_<risk id>`)."""
    by_when = form.date(
        "by_when",
        not_before=earliest_due(today(), stored=date.fromisoformat(stored) if stored else None),
        label="The date it is due by",
    )
    risks = {r["id"] for r in version.content["risks"]}
    unknown = [k for k in form.values if k.startswith("addresses_") and k[len("addresses_") :] not in risks]
    if any(form.boolean(k) for k in unknown):
        form.error("risk_ids", "A risk it addresses is no longer in the register.")
    return {
        "what": form.text("what", required=True, max_length=500, label="What will happen"),
        "who": form.text("who", required=True, max_length=120, label="Who"),
        "by_when": by_when.isoformat() if by_when else None,
        "how_we_know": form.text("how_we_know", max_length=1000),
        "outcome": form.text("outcome", required=True, max_length=500, label="The outcome it serves"),
        "done": form.boolean("done"),
        **{f"addresses_{r['id']}": form.boolean(f"addresses_{r['id']}") for r in version.content["risks"]},
    }


def _step_item(fields: dict[str, Any]) -> dict[str, Any]:
    """The stored step: the risks it addresses as a list of ids."""
    item = {k: v for k, v in fields.items() if not k.startswith("addresses_")}
    item["risk_ids"] = [k[len("addresses_") :] for k, on in fields.items() if k.startswith("addresses_") and on]
    return item


def _step_as_fields(item: dict[str, Any], version: BaseVersion) -> dict[str, Any]:
    fields = {f: item.get(f) for f in STEP_LABELS}
    chosen = set(item.get("risk_ids", []))
    fields.update({f"addresses_{r['id']}": r["id"] in chosen for r in version.content["risks"]})
    return fields


@router.post("/cases/{case_id}/base/plan/steps")
def add_step(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case, form, version = _stage_post(sent, session, actor, case_id)
    _refuse_an_older_edit(request, form)
    item_id = form.text("id", required=True, max_length=36)
    fields = _step_fields(form, version, stored=None)
    return _apply(
        request,
        session,
        case,
        actor,
        version,
        "plan",
        form,
        lambda: service.save_step(
            session=session, version=version, by=actor, item_id=item_id, fields=_step_item(fields)
        ),
        "Plan step saved.",
    )


@router.post("/cases/{case_id}/base/plan/steps/{item_id}")
def edit_step(
    request: Request,
    case_id: int,
    item_id: str,
    session: SessionDep,
    actor: CurrentActor,
    op: Idempotent,
    sent: SentForm,
) -> Response:
    case, _, version = _stage_post(sent, session, actor, case_id)
    item = _item(version, "plan", item_id)
    labels = _step_labels(version)
    record = Record(
        stage="plan",
        record_type="base_plan_step",
        record_id=item_id,
        label=f"Plan step: {item.get('what', '')}",
        current=_step_as_fields(item, version),
        revision=item["revision"],
        labels=labels,
        yes_no=("done", *(f for f in labels if f.startswith("addresses_"))),
        dates=("by_when",),
    )
    edit = sync.merge_edit(
        sent=sent,
        current=record.current,
        current_version=record.revision,
        fields=record.labels,
        texts=_texts,
        parse=lambda form: _step_fields(form, version, stored=item.get("by_when")),
    )
    return _settle(
        request,
        session,
        case,
        actor,
        op,
        version,
        record,
        edit,
        save=lambda values: service.edit_step(
            session=session, version=version, by=actor, item_id=item_id, fields=_step_item(values)
        ),
        revision_after=_revision_of(version, "plan", item_id),
        message="Plan step saved.",
        editing=item,
    )


@router.post("/cases/{case_id}/base/plan/requirements")
def add_requirement(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    case, form, version = _stage_post(sent, session, actor, case_id)
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
def finalise(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case, form, version = _stage_post(sent, session, actor, case_id)
    review_on = form.date("review_on", required=True, not_before=today(), label="The review date")
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
