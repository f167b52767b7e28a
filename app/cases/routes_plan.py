"""The case's one plan: every framework's next steps, plan steps and tasks on one page, one save."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.cases import plan
from app.core.plan_rules import PLAN_STATUSES
from app.db import SessionDep
from app.forms import Form, SentForm
from app.refused import Refused
from app.security.auth import CurrentActor
from app.security.permissions import can_change_case, get_case
from app.templating import flash, redirect, render
from app.timeutil import today

router = APIRouter()


def _ctx(session, case, actor, form=None) -> dict:
    items = plan.items(session=session, case=case)
    return {
        "case": case,
        "items": items,
        "open_count": sum(1 for i in items if not i.finished),
        "statuses": PLAN_STATUSES,
        "today": today(),
        "can_change": can_change_case(actor.user, case),
        "form": form,
    }


@router.get("/cases/{case_id}/plan")
def plan_page(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    return render(request, "cases/plan.html", _ctx(session, case, actor))


@router.post("/cases/{case_id}/plan")
def save_plan(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    """Every status changed on the page, recorded where each item lives (one save per page)."""
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    changed = 0
    for item in plan.items(session=session, case=case):
        status = form.values.get(f"status-{item.key}")
        # What the page showed: an item left as it was is not touched, so a page opened before a
        # change made elsewhere (another tablet, the case page, a prompt that closed itself) does
        # not quietly undo it. A page without it (kept from before) is read as before.
        shown = form.values.get(f"was-{item.key}", item.status)
        if status == shown:
            # Shown again after a refusal, it shows what Homeward holds now, not the older status.
            form.values.pop(f"status-{item.key}", None)
            continue
        if not status or status == item.status:
            continue
        if shown != item.status:
            form.error(
                f"status-{item.key}",
                f"Changed elsewhere to {PLAN_STATUSES.get(item.status, item.status)} since this page was opened."
                " Choose again if it should still change.",
            )
            continue
        try:
            plan.set_status(session=session, case=case, actor=actor, key=item.key, status=status)
            changed += 1
        except Refused as refused:
            form.error(f"status-{item.key}", refused.message)
    if not form.ok:
        session.rollback()
        return render(request, "cases/plan.html", _ctx(session, case, actor, form), status_code=422)
    flash(
        request, f"Plan saved: {changed} item{'s' if changed != 1 else ''} changed." if changed else "Nothing changed."
    )
    return redirect(request, f"/cases/{case.id}/plan")
