"""A dormant case: reactivating it (no referral) and its dormant review."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.accounts.models import User
from app.cases import reallocation
from app.cases.models import CLOSURE_REASONS, new_id
from app.cases.people import valid_client_id
from app.cases.service import Conflict, Refused
from app.db import SessionDep
from app.endings import rules, service
from app.endings.models import ASKED_BY, URGENCY
from app.endings.web import _failed
from app.forms import Form, SentForm
from app.security.auth import CurrentActor, SettingsDep
from app.security.permissions import get_case, is_case_supervisor
from app.sync.ledger import Idempotent
from app.templating import flash, redirect, render
from app.timeutil import today

router = APIRouter()


def _workers(session, case, actor) -> list[tuple[int, str]]:
    """Who the case's own team supervisor may give it to on reactivation: its team's workers.
    (A supervisor of another team co-working the case does not reallocate it.)"""
    if not is_case_supervisor(actor.user, case):
        return []
    return [(u.id, u.full_name) for u in reallocation.team_workers(session=session, case=case)]


def _reactivate_ctx(session, case, actor, form, record_id) -> dict:
    spell = service.open_spell(session=session, case=case)
    return {
        "case": case,
        "form": form,
        "new_id": record_id,
        "asked_by": ASKED_BY,
        "urgency": URGENCY,
        "spell": spell,
        "refusal": None,
        "workers": _workers(session, case, actor),
    }


@router.get("/cases/{case_id}/reactivate")
def reactivate_form(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    return render(request, "endings/reactivate.html", _reactivate_ctx(session, case, actor, None, new_id()))


@router.post("/cases/{case_id}/reactivate")
def reactivate(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, settings: SettingsDep, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    record_id = valid_client_id(form.values.get("id")) or new_id()
    ctx = _reactivate_ctx(session, case, actor, form, record_id)
    asked_by = form.choice("asked_by", [c for c, _ in ASKED_BY])
    what_changed = form.text("what_changed", required=True, max_length=4000, label="What has changed")
    urgency = form.choice("urgency", [c for c, _ in URGENCY])
    worker_id = (
        form.choice("key_worker_id", [uid for uid, _ in ctx["workers"]], required=False) if ctx["workers"] else None
    )
    base_version = form.integer("base_version", minimum=1, maximum=10**9)
    if not form.ok:
        return render(request, "endings/reactivate.html", ctx, status_code=422)
    new_worker = session.get(User, int(worker_id)) if worker_id else None
    try:
        _, created = service.reactivate(
            session=session,
            case=case,
            by=actor,
            asked_by=asked_by,
            what_changed=what_changed,
            urgency=urgency,
            record_id=record_id,
            base_version=base_version,
            new_key_worker=new_worker,
            review_interval_weeks=settings.review_interval_weeks,
        )
    except (Refused, Conflict) as error:
        session.rollback()
        return _failed(request, "endings/reactivate.html", ctx, error)
    flash(request, "Reactivated: the case is active again, with no referral." if created else "This was already saved.")
    return redirect(request, f"/cases/{case.id}#endings")


# ---------------------------------------------------------------- dormant review


# ---------------------------------------------------------------- dormant review


def _review_ctx(session, case, settings, form) -> dict:
    return {
        "case": case,
        "form": form,
        "spell": service.open_spell(session=session, case=case),
        "closure_reasons": CLOSURE_REASONS,
        "next_default": rules.add_months(today(), settings.dormant_review_months),
        "refusal": None,
        "new_id": (form.values.get("id") if form else None) or new_id(),
    }


@router.get("/cases/{case_id}/dormant-review")
def dormant_review_form(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, settings: SettingsDep
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    return render(request, "endings/dormant_review.html", _review_ctx(session, case, settings, None))


@router.post("/cases/{case_id}/dormant-review")
def dormant_review(
    request: Request,
    case_id: int,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    op: Idempotent,
    sent: SentForm,
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    ctx = _review_ctx(session, case, settings, form)
    decision = form.choice("decision", ["stay", "close", "reactivate"])
    if decision == "reactivate":
        if op is not None:
            # From the outbox this choice saves nothing, and a 303 would tell the device it was
            # saved: refuse it, so the worker is told to use the Reactivate form (kept offline too).
            # Online, the script then posts the form itself and the browser follows the redirect.
            form.error("decision", "Reactivating asks who asked and what has changed: use Reactivate on the case page.")
            return render(request, "endings/dormant_review.html", ctx, status_code=422)
        return redirect(request, f"/cases/{case.id}/reactivate")
    rationale = form.text("rationale", required=True, max_length=4000, label="What the review found")
    new_review_on = form.date("new_review_on", required=decision == "stay")
    reason = form.choice("closure_reason", [c for c, _ in CLOSURE_REASONS], required=decision == "close") or ""
    base_version = form.integer("base_version", minimum=1, maximum=10**9)
    record_id = valid_client_id(form.values.get("id"))
    if not form.ok:
        return render(request, "endings/dormant_review.html", ctx, status_code=422)
    try:
        applied = service.dormant_review(
            session=session,
            case=case,
            by=actor,
            decision=decision,
            rationale=rationale,
            new_review_on=new_review_on,
            closure_reason=reason,
            base_version=base_version,
            record_id=record_id,
        )
    except (Refused, Conflict) as error:
        session.rollback()
        return _failed(request, "endings/dormant_review.html", ctx, error)
    if not applied:
        flash(request, "This was already saved.")
    else:
        flash(
            request,
            f"Stays dormant; next review {new_review_on:%-d %b %Y}." if decision == "stay" else "The case is closed.",
        )
    return redirect(request, f"/cases/{case.id}")
