"""What every BASE stage page and its forms share (PRACTICE.md "BASE"): the page's context, the
version a form changes, a change applied with its refusals shown beside their fields, and an
offline edit settled after `sync.merge_edit` (docs/offline.md). The routes are in stage_routes.py
and one module per stage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from app.base import rules, service
from app.base.models import BaseVersion, VersionStatus
from app.base.web import TEMPLATES, case_people, locked_page, url, version_for_change
from app.cases.models import Case, new_id
from app.forms import Form
from app.refused import Refused
from app.security.auth import Actor
from app.security.permissions import can_change_case, get_case
from app.sync import service as sync
from app.sync.rules import as_text
from app.templating import flash, redirect, render

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


def _find(content: dict[str, Any], stage: str, item_id: str) -> dict[str, Any] | None:
    lists = {"engagement": "engagement", "risk": "risks", "plan": "steps"}
    for item in content.get(lists.get(stage, ""), []):
        if item["id"] == item_id:
            return item
    return None


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


def _texts(values: dict[str, Any]) -> dict[str, str]:
    """A BASE item's parsed fields as a form sends them: BASE keeps items as its version's JSON
    document, so its parsers give the item's own keys, read only inside this package."""
    return {key: as_text(value) for key, value in values.items()}
