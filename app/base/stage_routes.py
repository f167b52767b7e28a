"""The five BASE stage pages and their forms (PRACTICE.md "BASE"): add, edit, mark done, reopen.

New items carry the UUID made when the form was rendered (a replay changes nothing). An item, the
resilience checklist and the risk judgement are edited by the one offline edit mechanism
(docs/offline.md): each edit form posts to the record's own path with its revision as
`base_version`, and the route merges it field by field with `sync.merge_edit`; a field changed on
both sides goes to the common conflict page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, select
from starlette.datastructures import FormData

from app.base import rules, service
from app.base.models import BaseVersion, VersionStatus
from app.base.web import TEMPLATES, case_people, locked_page, url, version_for_change
from app.cases.models import Case, new_id
from app.core.plan_rules import earliest_due
from app.db import SessionDep
from app.forms import Form, SentForm
from app.refused import Refused
from app.security.auth import Actor, CurrentActor
from app.security.permissions import can_change_case, get_case
from app.sync import service as sync
from app.sync.ledger import Idempotent
from app.sync.rules import as_text
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
    }
    if stage == "engagement":
        ctx["people"] = case_people(session, case)
        recorded = {e.get("person_id") for e in service.engagement(content)}
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


def _version_of(session: Session, case: Case, form: Form) -> BaseVersion:
    """The version the form changes; a conflict's resolution (which sends no version) changes the newest."""
    version_id = form.text("version_id", max_length=36)
    if not version_id:
        newest = service.current_version(session=session, case_id=case.id)
        version_id = newest.id if newest is not None else ""
    return version_for_change(session, case, version_id)


def _stage_post(sent: FormData, session: Session, actor: Actor, case_id: int) -> tuple[Case, Form, BaseVersion]:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    return case, form, _version_of(session, case, form)


def _refuse_an_older_edit(request: Request, form: Form) -> None:
    """An item edit from a page kept before items had their own path (it posted to the add form's
    path with `?item=<id>` and the item's revision) would be taken for a replayed add and dropped:
    refuse it, so the outbox sets it aside with this message instead of losing it silently."""
    if request.query_params.get("item") or form.values.get("base_version"):
        raise Refused(
            "This change was made on a page kept before Homeward was updated, so it was not saved. "
            "Open the item again and make the change there."
        )


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
    except service.PlanGated as gated:
        form.error("review_on", gated.message)
        return _stage_page(request, session, case, actor, version, stage, status_code=422, form=form)
    except Refused as refused:
        if refused.field is None:
            raise
        form.error(refused.field, refused.message)
        return _stage_page(request, session, case, actor, version, stage, status_code=422, form=form, editing=editing)
    flash(request, message)
    return redirect(request, url(case, stage))


@dataclass(frozen=True)
class Record:
    """One versioned part of a BASE version that an offline edit merges into (docs/offline.md)."""

    stage: str
    record_type: str
    record_id: str
    label: str
    current: dict[str, Any]
    revision: int
    labels: dict[str, str]
    yes_no: tuple[str, ...] = ()
    # How the form shows a field's values, for the conflict page (app/sync `in_words`).
    options: dict[str, dict[str, str]] = field(default_factory=dict)
    dates: tuple[str, ...] = ()


def _settle(
    request: Request,
    session: Session,
    case: Case,
    actor: Actor,
    op: str | None,
    version: BaseVersion,
    record: Record,
    edit: sync.Edit,
    save: Callable[[dict[str, Any]], Any],
    revision_after: Callable[[], int],
    message: str,
    editing: dict[str, Any] | None = None,
) -> Response:
    """After a route merged an edit of a BASE record field by field with what it holds now
    (`sync.merge_edit`): save what merged, and keep the fields changed on both sides as a conflict."""
    if version.status != VersionStatus.draft:
        return locked_page(request, case, version)
    if not edit.form.ok:
        return _stage_page(
            request, session, case, actor, version, record.stage, status_code=422, form=edit.form, editing=editing
        )
    if edit.changed:
        try:
            save(edit.values)
        except service.VersionLocked:
            return locked_page(request, case, version)
        except Refused as refused:
            if refused.field is None:
                raise
            edit.form.error(refused.field, refused.message)
            return _stage_page(
                request, session, case, actor, version, record.stage, status_code=422, form=edit.form, editing=editing
            )
    if edit.conflicts:
        # Only the fields changed on both sides wait for the worker; the rest are saved above.
        return sync.keep_conflict(
            request,
            session=session,
            actor=actor,
            op_id=op,
            case_id=case.id,
            record_type=record.record_type,
            record_id=record.record_id,
            record_label=record.label,
            base_version=record.revision if edit.base_version is None else edit.base_version,
            server_version=revision_after(),
            conflicts=edit.conflicts,
            labels=record.labels,
            yes_no=record.yes_no,
            options=record.options,
            dates=record.dates,
        )
    flash(request, message)
    return redirect(request, url(case, record.stage))


def _item(version: BaseVersion, stage: str, item_id: str) -> dict[str, Any]:
    item = _find(version.content, stage, item_id)
    if item is None:
        raise HTTPException(status_code=404)
    return item


def _revision_of(version: BaseVersion, stage: str, item_id: str) -> Callable[[], int]:
    return lambda: _item(version, stage, item_id)["revision"]


# ---------------------------------------------------------------- engagement

ENGAGEMENT_LABELS = {
    "person_id": "Who",
    "expectations": "What they expect from the work",
    "aspirations": "What they hope to achieve",
    "motivation": "Motivation to change",
    "motivation_evidence": "Evidence for motivation",
    "capacity": "Capacity to change",
    "capacity_evidence": "Evidence for capacity",
    "involvement": "How they want to be involved",
}


def _engagement_fields(form: Form, people: dict[str, Any]) -> dict[str, Any]:
    return {
        "person_id": form.choice("person_id", people.keys()),
        "expectations": form.text("expectations", max_length=2000),
        "aspirations": form.text("aspirations", max_length=2000),
        "motivation": form.integer("motivation", required=True, minimum=1, maximum=5),
        "motivation_evidence": form.text("motivation_evidence", max_length=2000),
        "capacity": form.integer("capacity", required=True, minimum=1, maximum=5),
        "capacity_evidence": form.text("capacity_evidence", max_length=2000),
        "involvement": form.text("involvement", max_length=2000),
    }


def _engagement_item(fields: dict[str, Any], people: dict[str, Any]) -> dict[str, Any]:
    """The stored item: the person's name and relationship are copied as they are now."""
    person = people[fields["person_id"]]
    return {
        **fields,
        "person_name": person.name,
        "relationship": person.relationship,
        "is_young_person": person.is_young_person,
    }


@router.post("/cases/{case_id}/base/engagement")
def add_engagement(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    case, form, version = _stage_post(sent, session, actor, case_id)
    _refuse_an_older_edit(request, form)
    item_id = form.text("id", required=True, max_length=36)
    people = {p.id: p for p in case_people(session, case)}
    fields = _engagement_fields(form, people)
    return _apply(
        request,
        session,
        case,
        actor,
        version,
        "engagement",
        form,
        lambda: service.save_engagement(
            session=session, version=version, by=actor, item_id=item_id, fields=_engagement_item(fields, people)
        ),
        "Engagement saved.",
    )


@router.post("/cases/{case_id}/base/engagement/items/{item_id}")
def edit_engagement(
    request: Request,
    case_id: int,
    item_id: str,
    session: SessionDep,
    actor: CurrentActor,
    op: Idempotent,
    sent: SentForm,
) -> Response:
    case, _, version = _stage_post(sent, session, actor, case_id)
    item = _item(version, "engagement", item_id)
    if item.get("removed"):  # an edit from a page kept on the device from before the removal
        raise Refused("This engagement entry was removed from the assessment, so the change was not saved.")
    people = {p.id: p for p in case_people(session, case)}
    record = Record(
        stage="engagement",
        record_type="base_engagement",
        record_id=item_id,
        label=f"Engagement for {item.get('person_name', '')}",
        current={f: item.get(f) for f in ENGAGEMENT_LABELS},
        revision=item["revision"],
        labels=ENGAGEMENT_LABELS,
        options={
            "person_id": {k: p.name for k, p in people.items()},
            **{f: {str(n): f"{n} of 5" for n in range(1, 6)} for f in ("motivation", "capacity")},
        },
    )
    edit = sync.merge_edit(
        sent=sent,
        current=record.current,
        current_version=record.revision,
        fields=record.labels,
        texts=_texts,
        parse=lambda form: _engagement_fields(form, people),
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
        save=lambda values: service.edit_engagement(
            session=session, version=version, by=actor, item_id=item_id, fields=_engagement_item(values, people)
        ),
        revision_after=_revision_of(version, "engagement", item_id),
        message="Engagement saved.",
        editing=item,
    )


@router.post("/cases/{case_id}/base/engagement/items/{item_id}/remove")
def remove_engagement(
    request: Request, case_id: int, item_id: str, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    """Remove an entry made by mistake, with the reason; it stays on the page marked removed."""
    case, form, version = _stage_post(sent, session, actor, case_id)
    _item(version, "engagement", item_id)  # another version's (or case's) entry is not found
    form.values["removing"] = item_id
    reason = form.text("reason", required=True, max_length=1000, label="Why it is removed")
    if "reason" in form.errors:  # beside this entry's own reason box
        form.error(f"reason-{item_id}", form.errors.pop("reason"))
    revision = form.integer("revision", default=0, minimum=0, maximum=100000) or 0
    return _apply(
        request,
        session,
        case,
        actor,
        version,
        "engagement",
        form,
        lambda: service.remove_engagement(
            session=session, version=version, by=actor, item_id=item_id, reason=reason, revision=revision
        ),
        "Engagement entry removed. It stays on the page, marked removed, and no longer counts.",
    )


def _texts(values: dict[str, Any]) -> dict[str, str]:
    """A BASE item's parsed fields as a form sends them: BASE keeps items as its version's JSON
    document, so its parsers give the item's own keys, read only inside this package."""
    return {key: as_text(value) for key, value in values.items()}


# ---------------------------------------------------------------- resilience


def _resilience_labels() -> dict[str, str]:
    labels = {}
    for key, label in service.factor_labels().items():
        labels[f"mark_{key}"] = f"{label}: strength or vulnerability"
        labels[f"decided_{key}"] = f"{label}: who decided"
        labels[f"notes_{key}"] = f"{label}: notes"
    return labels


def _resilience_words() -> dict[str, dict[str, str]]:
    """The checklist's marks and who decided, as its form words them."""
    marks = {**service.MARKS, "none": "Not marked"}
    words: dict[str, dict[str, str]] = {}
    for key in service.factor_labels():
        words[f"mark_{key}"] = marks
        words[f"decided_{key}"] = service.DECIDED_BY
    return words


def _resilience_fields(form: Form) -> dict[str, str]:
    fields = {}
    for key in service.factor_labels():
        fields[f"mark_{key}"] = form.choice(f"mark_{key}", [*service.MARKS, "none"], required=False, default="none")
        fields[f"decided_{key}"] = form.choice(
            f"decided_{key}", service.DECIDED_BY.keys(), required=False, default="family_with_worker"
        )
        fields[f"notes_{key}"] = form.text(f"notes_{key}", max_length=500)
    return fields


def _marks(values: dict[str, str]) -> dict[str, dict[str, str]]:
    return {
        key: {"mark": values[f"mark_{key}"], "decided_by": values[f"decided_{key}"], "notes": values[f"notes_{key}"]}
        for key in service.factor_labels()
        if values[f"mark_{key}"] in service.MARKS
    }


@router.post("/cases/{case_id}/base/resilience")
def save_resilience(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    case, _, version = _stage_post(sent, session, actor, case_id)
    record = Record(
        stage="resilience",
        record_type="base_resilience",
        record_id=version.id,
        label="Resilience checklist",
        current=service.resilience_fields(version.content),
        revision=version.content["stages"]["resilience"]["revision"],
        labels=_resilience_labels(),
        options=_resilience_words(),
    )
    edit = sync.merge_edit(
        sent=sent,
        current=record.current,
        current_version=record.revision,
        fields=record.labels,
        texts=_texts,
        parse=_resilience_fields,
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
        save=lambda values: service.save_resilience(session=session, version=version, by=actor, marks=_marks(values)),
        revision_after=lambda: version.content["stages"]["resilience"]["revision"],
        message="Resilience checklist saved.",
    )


# ---------------------------------------------------------------- risks

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


@router.post("/cases/{case_id}/base/analysis/notes")
def add_note(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case, form, version = _stage_post(sent, session, actor, case_id)
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
def add_meeting(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case, form, version = _stage_post(sent, session, actor, case_id)
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


@router.post("/cases/{case_id}/base/{stage}/status")
def stage_status(
    request: Request, case_id: int, stage: str, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    if stage not in rules.STAGES:
        raise HTTPException(status_code=404)
    case, form, version = _stage_post(sent, session, actor, case_id)
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
