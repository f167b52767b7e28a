"""A case's audit trail: who read or changed it, when, from which device (DESIGN.md "Security")."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.accounts.models import Role
from app.audit import service as audit
from app.db import SessionDep
from app.forms import Form
from app.ids import parse_id
from app.security.auth import Actor, CurrentActor, Forbidden, require_role
from app.security.permissions import get_case
from app.templating import render

router = APIRouter()

TRAIL_LIMIT = 500


def may_see_trail(actor: Actor) -> bool:
    """Managers see every case's trail; supervisors their team's (get_case has checked the team)."""
    return actor.role in (Role.manager, Role.supervisor)


@router.get("/cases/{case_id}/audit")
def case_audit_trail(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    # Visibility first, so a case the user may not see is 404 whatever their role.
    case = get_case(session=session, actor=actor, case_id=case_id, audit_read=False)
    if not may_see_trail(actor):
        raise Forbidden("Only supervisors and managers can see who has looked at a case.")
    # Looking at the trail is itself a read of case data, so it is recorded too.
    audit.record(
        session=session, actor=actor, action="read", object_type="audit_trail", object_id=case.id, case_id=case.id
    )
    entries = audit.case_trail(session=session, case_id=case.id, limit=TRAIL_LIMIT)
    return render(request, "audit/trail.html", {"case": case, "entries": entries, "limit": TRAIL_LIMIT})


FILTERS = ("case", "user", "person", "action", "start", "end")


@router.get("/audit")
def audit_search(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    """The service's audit log, filtered by case, user, person, action and dates (managers, admins)."""
    require_role(actor, Role.manager, Role.admin)
    form = Form({key: request.query_params.get(key, "")[:64] for key in FILTERS})
    ids = {}
    for key in ("case", "user"):
        raw = form.text(key, max_length=64)
        ids[key] = parse_id(raw) if raw else None
        if raw and ids[key] is None:
            form.error(key, "Please enter an id number.")
    start, end = form.date("start"), form.date("end")
    if start and end and start > end:
        form.error("start", "The start should be on or before the end.")
    entries = []
    if form.ok:
        entries = audit.search(
            session=session,
            case_id=ids["case"],
            user_id=ids["user"],
            person_id=form.text("person", max_length=64),
            action=form.text("action", max_length=40),
            start=datetime.combine(start, time(), UTC) if start else None,
            end=datetime.combine(end + timedelta(days=1), time(), UTC) if end else None,
            limit=TRAIL_LIMIT,
        )
    audit.record(
        session=session,
        actor=actor,
        action="read",
        object_type="audit_log",
        detail=" ".join(f"{k}={form.values[k]}" for k in FILTERS if form.values.get(k))[:300],
    )
    return render(
        request,
        "audit/search.html",
        {"form": form, "entries": entries, "limit": TRAIL_LIMIT},
        status_code=200 if form.ok else 422,
    )
