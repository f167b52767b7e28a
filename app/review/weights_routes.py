"""Caseload weights, set by an administrator (issue 19): how much an active case of each practice
context, and a dormant case, counts for in team oversight's weighted caseload.

An administrator's page under /admin, kept here beside the oversight that reads the weights (the
admin package sits below cases and review, so it cannot name practice contexts)."""

from __future__ import annotations

import math

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.accounts.models import Role
from app.audit import service as audit
from app.db import SessionDep
from app.forms import Form, SentForm
from app.review import oversight, rules
from app.review.models import CaseloadWeight
from app.security.auth import CurrentActor, require_role
from app.templating import flash, redirect, render
from app.timeutil import utcnow

router = APIRouter()


def _rows() -> list[tuple[str, str]]:
    """(key, what it weighs) in the order the page lists them."""
    contexts = [(key, f"An active {words.lower()} case") for key, words in oversight.CONTEXT_WORDS.items()]
    return [*contexts, ("dormant", "A dormant case, whatever its context")]


def _page(request: Request, session: Session, form: Form | None = None, status_code: int = 200) -> Response:
    weights = oversight.caseload_weights(session=session)
    ctx = {
        "rows": _rows(),
        "weights": weights,
        "defaults": rules.DEFAULT_WEIGHTS,
        "hint": rules.weights_hint(weights, oversight.CONTEXT_WORDS),
        "form": form,
        "max_weight": rules.MAX_WEIGHT,
    }
    return render(request, "review/weights.html", ctx, status_code=status_code)


def _number(form: Form, key: str) -> float | None:
    raw = str(form.values.get(key, "")).strip().replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        value = None
    if value is not None and not math.isfinite(value):
        value = None
    refusal = rules.weight_refusal(value)
    if refusal:
        form.error(key, refusal)
        return None
    return value


@router.get("/admin/caseload-weights")
def weights_page(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    require_role(actor, Role.admin)
    return _page(request, session)


@router.post("/admin/caseload-weights")
def save_weights(request: Request, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    require_role(actor, Role.admin)
    form = Form(sent)
    chosen = {key: _number(form, key) for key, _ in _rows()}
    if not form.ok:
        return _page(request, session, form=form, status_code=422)
    before = oversight.caseload_weights(session=session)
    for key, value in chosen.items():
        row = session.get(CaseloadWeight, key) or CaseloadWeight(key=key, weight=value)
        row.weight, row.updated_by_id, row.updated_at = value, actor.id, utcnow()
        session.add(row)
    changed = [f"{key} {before[key]:g} to {value:g}" for key, value in chosen.items() if before.get(key) != value]
    audit.record(
        session=session,
        actor=actor,
        action="update",
        object_type="caseload_weights",
        object_id="all",
        detail="; ".join(changed) or "no change",
    )
    flash(request, "Caseload weights saved. Team oversight counts caseloads with them from now on.")
    return redirect(request, "/admin/caseload-weights")
