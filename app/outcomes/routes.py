"""Outcome records on a case, the scorecard, and the evaluator export (thin routes over the services)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.accounts.models import Role
from app.db import SessionDep
from app.forms import Form, SentForm
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


def _ctx(case, form, point: str | None, facts: service.CaseFacts) -> dict:
    return {
        "case": case,
        "form": form,
        "point": point,
        "today": today(),
        "facts": facts,
        "period": service.period_words(facts),
        "living_words": dict(LIVING),
        "education_words": dict(EDUCATION),
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


def _taken_on(raw: str | None) -> date:
    """The record's date from the form or the query, for reading the case's facts on that day."""
    try:
        value = date.fromisoformat((raw or "").strip())
    except ValueError:
        return today()
    return value if date(1900, 1, 1) <= value <= today() else today()


@router.get("/cases/{case_id}/outcomes/new")
def record_form(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, point: str = "", taken_on: str = ""
) -> Response:
    """The form opens filled in from the case as it stood on the record's date (today unless chosen)."""
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    facts = service.from_case(session=session, case=case, taken_on=_taken_on(taken_on))
    return render(request, "outcomes/record.html", _ctx(case, None, point if point in dict(POINTS) else None, facts))


@router.post("/cases/{case_id}/outcomes")
def record(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    fields = service.read_form(form=form, ended_on=service.work_ended_on(session=session, case=case))
    facts = service.from_case(session=session, case=case, taken_on=fields.get("taken_on") or _taken_on(None))
    service.check_against_case(form=form, fields=fields, facts=facts)
    if not form.ok:
        return render(request, "outcomes/record.html", _ctx(case, form, None, facts), status_code=422)
    entry = service.record(session=session, case=case, actor=actor, fields=fields)
    changed = service.feed_case(session=session, case=case, actor=actor, entry=entry, facts=facts)
    words = f" The case now records the change in {' and '.join(changed)}." if changed else ""
    flash(request, f"Outcome record saved.{words}")
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
def care_status_upload(request: Request, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    require_role(actor, Role.manager)
    upload = sent.get("file")
    ctx = {"columns": care_import.COLUMNS, "report": None, "error": None}
    raw = upload.file.read() if upload is not None and hasattr(upload, "read") else b""
    if not raw:
        ctx["error"] = "Choose a CSV file to import."
        return render(request, "outcomes/care_import.html", ctx, status_code=422)
    try:
        ctx["report"] = care_import.import_care_status(session=session, actor=actor, raw=raw)
    except care_import.FileRefused as refused:
        ctx["error"] = refused.message
        return render(request, "outcomes/care_import.html", ctx, status_code=422)
    return render(request, "outcomes/care_import.html", ctx)
