"""The Outbox page, conflict screens, and the ledger look-up the offline script uses."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from app.cases import extensions
from app.db import SessionDep
from app.security.auth import CurrentActor, FamilyActor
from app.security.permissions import get_case
from app.sync import service
from app.sync.ledger import parse_key
from app.templating import flash, redirect, render

router = APIRouter()


@router.get("/outbox")
def outbox(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    """The list itself lives on the device (IndexedDB); the server adds the conflicts it keeps."""
    open_conflicts, resolved = service.conflicts_for(session=session, actor=actor)
    hours = request.app.state.settings.offline_cache_hours
    return render(request, "sync/outbox.html", {"open_conflicts": open_conflicts, "resolved": resolved, "offline_hours": hours})


def _own_conflict(session, actor, op_id: str):
    conflict = service.get_conflict(session=session, actor=actor, op_id=parse_key(op_id))
    if conflict is None:
        raise HTTPException(status_code=404)
    if conflict.case_id is not None:
        # Still the worker's case? get_case answers 404 if not, and audits the read.
        get_case(session=session, actor=actor, case_id=conflict.case_id)
    return conflict


@router.get("/conflicts/{op_id}")
def conflict_page(request: Request, op_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    conflict = _own_conflict(session, actor, op_id)
    return render(request, "sync/conflict.html", service.conflict_context(conflict))


@router.post("/conflicts/{op_id}/keep-server")
def keep_server_version(request: Request, op_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    conflict = _own_conflict(session, actor, op_id)
    if conflict.resolved_at is None:
        service.keep_server_version(session=session, actor=actor, conflict=conflict)
        flash(request, "Kept the version on the server. Your offline version stays in the history.")
    return redirect(request, f"/conflicts/{conflict.op_id}")


@router.get("/cases/{case_id}/offline-pages")
def offline_pages(case_id: int, session: SessionDep, actor: CurrentActor) -> JSONResponse:
    """The pages "Take offline" keeps for this case, as each feature lists them (app/<feature>/offline.py).

    Only the worker's own caseload may be taken offline (as the case page's button says).
    """
    case = get_case(session=session, actor=actor, case_id=case_id)
    if actor.id not in (case.key_worker_id, case.co_worker_id):
        raise HTTPException(status_code=403, detail="Only the case's own workers can keep it on a device.")
    return JSONResponse({"pages": extensions.offline_pages(session=session, case=case, actor=actor)})


@router.get("/sync/ops/{op_id}")
def operation_result(op_id: str, session: SessionDep, actor: FamilyActor) -> JSONResponse:
    """Where an applied operation led: the offline script goes there after an online save.

    Open in family mode too: the family's rating forms are saved the same way, and a user only
    ever sees their own operations.
    """
    op = service.operation(session=session, actor=actor, op_id=parse_key(op_id))
    if op is None:
        raise HTTPException(status_code=404)
    return JSONResponse({"op_id": op.op_id, "status": op.status_code, "location": op.location})
