"""A case's audit trail: who read or changed it, when, from which device (DESIGN.md "Security")."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.accounts.models import Role
from app.audit import service as audit
from app.db import SessionDep
from app.security.auth import Actor, CurrentActor, Forbidden
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
