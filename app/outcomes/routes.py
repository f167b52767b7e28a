"""Outcome records on a case, the scorecard, and the evaluator export (thin routes over the services)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.accounts.models import Role
from app.db import SessionDep
from app.forms import Form
from app.outcomes import care_import, service
from app.outcomes.models import (
    CARE_STATUSES,
    COUNTERFACTUALS,
    COUNTS,
    EDUCATION,
    FORM_POINTS,
    LEVELS,
    LIVING,
    PLACEMENTS,
    POINTS,
    YES_NO,
)
from app.outcomes.routes_scorecard import router as scorecard_router
from app.outcomes.routes_subject_access import router as subject_access_router
from app.security.auth import CurrentActor, require_role
from app.security.permissions import get_case
from app.templating import flash, redirect, render
from app.timeutil import today

router = APIRouter()
router.include_router(scorecard_router)
router.include_router(subject_access_router)


def _ctx(case, form, point: str | None) -> dict:
    return {
        "case": case,
        "form": form,
        "point": point,
        "today": today(),
        "points": FORM_POINTS,
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


@router.get("/outcomes/care-status")
def care_status_page(request: Request, actor: CurrentActor) -> Response:
    require_role(actor, Role.manager)
    return render(request, "outcomes/care_import.html", {"columns": care_import.COLUMNS, "report": None, "error": None})


@router.get("/outcomes/care-status/template.csv")
def care_status_template(actor: CurrentActor) -> Response:
    require_role(actor, Role.manager)
    return Response(
        care_import.TEMPLATE,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="care-status-template.csv"'},
    )


@router.post("/outcomes/care-status")
async def care_status_upload(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    require_role(actor, Role.manager)
    upload = (await request.form()).get("file")
    ctx = {"columns": care_import.COLUMNS, "report": None, "error": None}
    raw = await upload.read() if upload is not None and hasattr(upload, "read") else b""
    if not raw:
        ctx["error"] = "Choose a CSV file to import."
        return render(request, "outcomes/care_import.html", ctx, status_code=422)
    try:
        ctx["report"] = care_import.import_care_status(session=session, actor=actor, raw=raw)
    except care_import.FileRefused as refused:
        ctx["error"] = refused.message
        return render(request, "outcomes/care_import.html", ctx, status_code=422)
    return render(request, "outcomes/care_import.html", ctx)
