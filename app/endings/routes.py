"""End active work, the dormant review, reactivation, reopening, the dormant register and figures.

Thin routes: parse the form, call app.endings.service (which moves the status through
app.cases.service), re-render with 422 on a refusal and 409 on a stale base_version.

The ending's routes are in ending_routes.py, a dormant case's (reactivation, the dormant review) in
dormancy_routes.py and a closed case's (reopening, reopen requests) in reopen_routes.py; this
module includes them, then has the prompted tasks, the dormant register and the figures.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from app.accounts.models import Role
from app.audit import service as audit
from app.cases.models import CLOSURE_REASONS
from app.cases.service import Conflict, Refused
from app.db import SessionDep
from app.endings import dormancy_routes, ending_routes, reopen_routes, service
from app.endings import figures as figures_service
from app.endings.models import PROMPT_WORDS
from app.forms import Form, SentForm
from app.ids import parse_id
from app.security.auth import CurrentActor, SettingsDep, require_role
from app.security.permissions import get_case
from app.templating import flash, redirect, render
from app.timeutil import today

router = APIRouter()
# Each screen's routes in the order they were registered here before (FastAPI tries routes in
# order): ending active work, a dormant case, a closed case; then the prompted tasks and the register.
router.include_router(ending_routes.router)
router.include_router(dormancy_routes.router)
router.include_router(reopen_routes.router)


# ---------------------------------------------------------------- prompted tasks


@router.post("/cases/{case_id}/endings/tasks/{task_id}")
def task_done(
    request: Request, case_id: int, task_id: str, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    try:
        service.complete_task(
            session=session,
            case=case,
            by=actor,
            task_id=task_id,
            done=form.boolean("done"),
            base_version=form.integer("base_version", minimum=1, maximum=10**9),
        )
    except Conflict as conflict:  # before Refused, of which it is a kind
        session.rollback()
        raise HTTPException(status_code=409, detail=conflict.message) from None
    except Refused as refused:
        raise HTTPException(status_code=404, detail=refused.message) from None
    flash(request, "Task updated.")
    return redirect(request, f"/cases/{case.id}#endings")


# ---------------------------------------------------------------- register and figures


@router.get("/dormant")
def register(
    request: Request, session: SessionDep, actor: CurrentActor, settings: SettingsDep, page: str = "1"
) -> Response:
    require_role(actor, Role.worker, Role.supervisor, Role.manager)
    # Paged (issue 21: a manager's register held 7,565 cases and showed 500 of them).
    total = figures_service.dormant_count(session=session, user=actor.user)
    per_page = figures_service.DORMANT_PAGE
    pages = max(1, -(-total // per_page))
    number = min(parse_id(page) or 1, pages)
    rows = figures_service.dormant_register(
        session=session,
        user=actor.user,
        dormant_review_months=settings.dormant_review_months,
        offset=(number - 1) * per_page,
        limit=per_page,
    )
    flags = figures_service.open_flags(session=session, user=actor.user)
    audit.record_list(
        session=session,
        actor=actor,
        object_type="dormant_register",
        case_ids=[row.case.id for row in rows] + [case.id for case, _, _ in flags],
    )
    return render(
        request,
        "endings/register.html",
        {
            "rows": rows,
            "total": total,
            "page": number,
            "pages": pages,
            "flags": flags,
            "words": PROMPT_WORDS,
            "today": today(),
            "show_figures": actor.role in (Role.supervisor, Role.manager),
        },
    )


@router.get("/endings/figures")
def figures(request: Request, session: SessionDep, actor: CurrentActor, start: str = "", end: str = "") -> Response:
    require_role(actor, Role.supervisor, Role.manager)
    form = Form({key: value[:20] for key, value in (("start", start), ("end", end)) if value})
    end_on = form.date("end", default=today()) or today()
    start_on = form.date("start", default=end_on - timedelta(days=365)) or end_on - timedelta(days=365)
    if start_on > end_on:
        form.error("start", "The start should be on or before the end.")
        start_on = end_on - timedelta(days=365)
    result = figures_service.figures(session=session, user=actor.user, start=start_on, end=end_on)
    return render(
        request,
        "endings/figures.html",
        {"fig": result, "form": form, "reasons": dict(CLOSURE_REASONS)},
        status_code=422 if form.errors else 200,
    )
