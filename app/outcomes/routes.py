"""Outcome records on a case, the scorecard, and the evaluator export (thin routes over the services)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.forms import Form
from app.outcomes import service
from app.outcomes.models import (
    CARE_STATUSES,
    COUNTERFACTUALS,
    COUNTS,
    EDUCATION,
    LEVELS,
    LIVING,
    PLACEMENTS,
    POINTS,
    YES_NO,
)
from app.outcomes.routes_scorecard import router as scorecard_router
from app.security.auth import CurrentActor
from app.security.permissions import get_case
from app.templating import flash, redirect, render
from app.timeutil import today

router = APIRouter()
router.include_router(scorecard_router)


def _ctx(case, form, point: str | None) -> dict:
    return {
        "case": case,
        "form": form,
        "point": point,
        "today": today(),
        "points": POINTS,
        "living": LIVING,
        "placements": PLACEMENTS,
        "care": CARE_STATUSES,
        "education": EDUCATION,
        "levels": LEVELS,
        "yes_no": YES_NO,
        "counts": COUNTS,
        "counterfactuals": COUNTERFACTUALS,
    }


@router.get("/cases/{case_id}/outcomes/new")
def record_form(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, point: str = "") -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    return render(request, "outcomes/record.html", _ctx(case, None, point if point in dict(POINTS) else None))


@router.post("/cases/{case_id}/outcomes")
async def record(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(await request.form())
    fields = service.read_form(form=form, ended_on=service.work_ended_on(session=session, case=case))
    if not form.ok:
        return render(request, "outcomes/record.html", _ctx(case, form, None), status_code=422)
    service.record(session=session, case=case, actor=actor, fields=fields)
    flash(request, "Outcome record saved.")
    return redirect(request, f"/cases/{case.id}#outcomes")
