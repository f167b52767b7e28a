"""The five BASE stage pages and their forms (PRACTICE.md "BASE"): add, edit, mark done, reopen.

New items carry the UUID made when the form was rendered (a replay changes nothing). An item, the
resilience checklist and the risk judgement are edited by the one offline edit mechanism
(docs/offline.md): each edit form posts to the record's own path with its revision as
`base_version`, and the route merges it field by field with `sync.merge_edit`; a field changed on
both sides goes to the common conflict page.

This module holds the stage page and its done/reopen form; each stage's own forms are in its
module (engagement_routes.py, resilience_routes.py, risk_routes.py, analysis_routes.py,
plan_routes.py), and what they share in stage_forms.py.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import select

from app.base import analysis_routes, engagement_routes, plan_routes, resilience_routes, risk_routes, rules, service
from app.base.models import BaseVersion
from app.base.stage_forms import _apply, _find, _stage_page, _stage_post
from app.base.web import url
from app.db import SessionDep
from app.forms import SentForm
from app.security.auth import CurrentActor
from app.security.permissions import get_case
from app.templating import redirect

router = APIRouter()


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


# Between the page and the done/reopen form, in the order they were registered in before each
# stage had its module: FastAPI tries routes in registration order.
router.include_router(engagement_routes.router)
router.include_router(resilience_routes.router)
router.include_router(risk_routes.router)
router.include_router(analysis_routes.router)
router.include_router(plan_routes.router)


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
