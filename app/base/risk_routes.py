"""BASE stage 3, risk (PRACTICE.md "BASE"): the hazards in the register, each with its likelihood,
imminence and impact, the strengths that mitigate it, tolerable adversity and up to three actions;
and the overall risk judgement with its rationale."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.base import rules, service
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


RISK_LABELS = {
    "hazard": "Hazard",
    "likelihood": "Likelihood",
    "imminence": "Imminence",
    "impact": "Impact",
    "tolerable": "Tolerable adversity",
    "tolerable_reason": "Why it is tolerable",
    **{
        f"action_{part}_{n}": f"Action {n + 1}{suffix}"
        for n in range(3)
        for part, suffix in (("what", ""), ("owner", " owner"), ("review", " review date"))
    },
}


def _risk_labels(version: BaseVersion) -> dict[str, str]:
    labels = service.factor_labels()
    mitigations = {
        f"mitigates_{k}": f"Mitigated by: {labels.get(k, k)}" for k in service.strength_keys(version.content)
    }
    return {**RISK_LABELS, **mitigations}


def _mitigations(form: Form, version: BaseVersion) -> dict[str, bool]:
    """Which strengths mitigate the risk (one box each, `mitigates_<factor>`); a vulnerability is
    refused beside the field.

    A box an edit's page showed ticked and left so (its `shown`), for a factor that has stopped
    being a strength since, is not the worker's choice: it reads as unticked, as Homeward holds it."""
    strengths = service.strength_keys(version.content)
    kept = {k for k, on in (sync.shown_fields(form.values) or {}).items() if k.startswith("mitigates_") and on}
    ticked = [
        k[len("mitigates_") :] for k in form.values if k.startswith("mitigates_") and form.boolean(k) and k not in kept
    ]
    if any(k not in strengths for k in ticked):
        form.error("mitigations", "Only a factor marked as a strength can mitigate a risk.")
    return {f"mitigates_{k}": form.boolean(f"mitigates_{k}") for k in strengths}


def _risk_fields(form: Form, version: BaseVersion, stored: dict[str, Any] | None = None) -> dict[str, Any]:
    """The risk form's fields, parsed: the scales, one box per mitigating strength, and three actions.

    An action needs its words: an owner or a review date without them is refused beside the field
    (it was dropped, and the page said "Risk saved"). A review date is not in the past, unless the
    risk's actions already had one that early (`stored`: the risk as its form's fields)."""
    tolerable = form.boolean("tolerable")
    fields: dict[str, Any] = {
        "hazard": form.text("hazard", required=True, max_length=300, label="The hazard"),
        "likelihood": form.integer("likelihood", required=True, minimum=1, maximum=4),
        "imminence": form.integer("imminence", required=True, minimum=1, maximum=4),
        "impact": form.integer("impact", required=True, minimum=1, maximum=4),
        "tolerable": tolerable,
        "tolerable_reason": form.text(
            "tolerable_reason", required=tolerable, max_length=1000, label="The reason this risk is tolerable"
        ),
        **_mitigations(form, version),
    }
    had = [
        date.fromisoformat(day)
        for n in range(3)
        if (day := str((stored or {}).get(f"action_review_{n}") or "")) and len(day) == 10
    ]
    not_before = earliest_due(today(), stored=min(had) if had else None)
    for n in range(3):
        review_on = form.date(f"action_review_{n}", not_before=not_before, label="The review date")
        fields[f"action_what_{n}"] = form.text(f"action_what_{n}", max_length=500)
        fields[f"action_owner_{n}"] = form.text(f"action_owner_{n}", max_length=120)
        fields[f"action_review_{n}"] = review_on.isoformat() if review_on else ""
        if not fields[f"action_what_{n}"] and (fields[f"action_owner_{n}"] or review_on):
            form.error(f"action_what_{n}", "Say what the action is, or clear its owner and review date.")
    return fields


def _risk_as_fields(item: dict[str, Any], version: BaseVersion) -> dict[str, Any]:
    """A stored risk as its form's fields, as `_risk_fields` reads them."""
    fields = {f: item.get(f) for f in ("hazard", "likelihood", "imminence", "impact", "tolerable", "tolerable_reason")}
    fields.update({f"mitigates_{k}": k in item.get("mitigations", []) for k in service.strength_keys(version.content)})
    actions = item.get("actions", [])
    for n in range(3):
        action = actions[n] if n < len(actions) else {}
        fields[f"action_what_{n}"] = action.get("what", "")
        fields[f"action_owner_{n}"] = action.get("owner", "")
        fields[f"action_review_{n}"] = action.get("review_on", "")
    return fields


def _actions_moved(sent, current: dict[str, Any]) -> bool:
    """Whether a risk's actions changed on Homeward since the page was drawn, as far as the page's
    rows can tell: they have no ids and close up when one is removed, so the device's change to its
    first action could otherwise land on the action that moved up. Then every change the device
    made to the actions is a conflict for the worker to settle, not a merge by position."""
    shown = sync.shown_fields(sent)
    if shown is None:
        return False  # no page to compare with: every difference is a conflict already
    return any(
        (shown.get(f"action_what_{n}") or "").strip()
        and (shown.get(f"action_what_{n}") or "").strip() != str(current.get(f"action_what_{n}") or "").strip()
        for n in range(3)
    )


def _risk_input(fields: dict[str, Any]) -> service.RiskInput:
    return service.RiskInput(
        hazard=fields["hazard"],
        likelihood=fields["likelihood"],
        imminence=fields["imminence"],
        impact=fields["impact"],
        mitigations=[k[len("mitigates_") :] for k, on in fields.items() if k.startswith("mitigates_") and on],
        tolerable=fields["tolerable"],
        tolerable_reason=fields["tolerable_reason"],
        actions=[
            service.RiskAction(
                what=fields[f"action_what_{n}"],
                owner=fields[f"action_owner_{n}"],
                review_on=fields[f"action_review_{n}"],
            )
            for n in range(3)
            if fields[f"action_what_{n}"]
        ],
    )


@router.post("/cases/{case_id}/base/risk")
def add_risk(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case, form, version = _stage_post(sent, session, actor, case_id)
    _refuse_an_older_edit(request, form)
    item_id = form.text("id", required=True, max_length=36)
    fields = _risk_fields(form, version)
    return _apply(
        request,
        session,
        case,
        actor,
        version,
        "risk",
        form,
        lambda: service.save_risk(
            session=session, version=version, by=actor, item_id=item_id, risk=_risk_input(fields)
        ),
        "Risk saved.",
    )


@router.post("/cases/{case_id}/base/risk/items/{item_id}")
def edit_risk(
    request: Request,
    case_id: int,
    item_id: str,
    session: SessionDep,
    actor: CurrentActor,
    op: Idempotent,
    sent: SentForm,
) -> Response:
    case, _, version = _stage_post(sent, session, actor, case_id)
    item = _item(version, "risk", item_id)
    labels = _risk_labels(version)
    record = Record(
        stage="risk",
        record_type="base_risk",
        record_id=item_id,
        label=f"Risk: {item.get('hazard', '')}",
        current=_risk_as_fields(item, version),
        revision=item["revision"],
        labels=labels,
        yes_no=("tolerable", *(f for f in labels if f.startswith("mitigates_"))),
        options={
            name: {str(lv.value): f"{lv.value} · {lv.label}" for lv in levels} for name, levels in rules.SCALES.items()
        },
        dates=tuple(f"action_review_{n}" for n in range(3)),
    )
    moved = _actions_moved(sent, record.current)
    edit = sync.merge_edit(
        sent=sent,
        current=record.current,
        current_version=record.revision,
        fields=record.labels,
        texts=_texts,
        parse=lambda form: _risk_fields(form, version, record.current),
        base_unknown=lambda field: moved and field.startswith("action_"),
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
        save=lambda values: service.edit_risk(
            session=session, version=version, by=actor, item_id=item_id, risk=_risk_input(values)
        ),
        revision_after=_revision_of(version, "risk", item_id),
        message="Risk saved.",
        editing=item,
    )


JUDGEMENT_LABELS = {"level": "Overall risk", "rationale": "Rationale"}


def _judgement_fields(form: Form) -> dict[str, Any]:
    return {
        "level": form.choice("level", rules.RISK_LEVELS),
        "rationale": form.text("rationale", required=True, max_length=4000, label="The rationale"),
    }


@router.post("/cases/{case_id}/base/risk/judgement")
def save_judgement(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    case, _, version = _stage_post(sent, session, actor, case_id)
    record = Record(
        stage="risk",
        record_type="base_risk_judgement",
        record_id=version.id,
        label="Overall risk judgement",
        current=dict(version.content["risk_judgement"]),
        revision=version.content["stages"]["risk"]["revision"],
        labels=JUDGEMENT_LABELS,
        options={"level": rules.RISK_LEVEL_LABELS},
    )
    edit = sync.merge_edit(
        sent=sent,
        current=record.current,
        current_version=record.revision,
        fields=record.labels,
        texts=_texts,
        parse=_judgement_fields,
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
        save=lambda values: service.save_risk_judgement(
            session=session, version=version, by=actor, level=values["level"], rationale=values["rationale"]
        ),
        revision_after=lambda: version.content["stages"]["risk"]["revision"],
        message="Overall risk judgement saved.",
    )
