"""Caseload and case pages."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.accounts.models import Role
from app.cases import extensions, service
from app.db import SessionDep
from app.security.auth import CurrentActor
from app.security.permissions import get_case
from app.templating import redirect, render

router = APIRouter()


@router.get("/")
def home(request: Request, session: SessionDep, actor: CurrentActor, q: str = "") -> Response:
    if actor.role is Role.admin:
        return redirect(request, "/admin/users", status_code=303)
    cases = service.caseload(session=session, user=actor.user, search=q[:100])
    return render(request, "cases/caseload.html", {"cases": cases, "q": q}, block="caseload")


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    sections = extensions.case_sections(session=session, case=case, actor=actor)
    timeline = extensions.timeline_items(session=session, case=case)
    return render(request, "cases/case.html", {"case": case, "sections": sections, "timeline": timeline})
