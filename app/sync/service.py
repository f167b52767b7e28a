"""Conflicts: offline edits that met a newer server version, kept for the worker to settle."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session, select

from app.audit import service as audit
from app.security.auth import Actor
from app.sync.models import SyncConflict, SyncOperation
from app.sync.rules import as_text
from app.templating import render
from app.timeutil import utcnow


def keep_conflict(
    request: Request,
    *,
    session: Session,
    actor: Actor,
    op_id: str | None,
    case_id: int | None,
    record_type: str,
    record_id: str,
    record_label: str,
    base_version: int,
    server_version: int,
    mine: Mapping[str, object],
    theirs: Mapping[str, object],
    labels: dict[str, str],
    yes_no: tuple[str, ...] = (),
    message: str = "",
) -> Response:
    """Store the conflict and answer 409 with the side-by-side page; nothing is overwritten."""
    conflict = SyncConflict(
        op_id=op_id or str(uuid.uuid4()),
        user_id=actor.id,
        case_id=case_id,
        record_type=record_type,
        record_id=record_id,
        record_label=record_label[:200],
        target=request.url.path[:300],
        base_version=base_version,
        server_version=server_version,
        mine=json.dumps({f: as_text(mine.get(f)) for f in labels}),
        theirs=json.dumps({f: as_text(theirs.get(f)) for f in labels}),
        labels=json.dumps({"labels": labels, "yes_no": list(yes_no)}),
    )
    session.add(conflict)
    audit.record(
        session=session,
        actor=actor,
        action="conflict_kept",
        object_type=record_type,
        object_id=record_id,
        case_id=case_id,
    )
    session.flush()
    request.state.conflict_kept = True  # the ledger keeps this operation's 409 (see ledger.remember)
    # The outbox tells a kept conflict (Location set) from other 409s, which it sets aside.
    url = f"/conflicts/{conflict.op_id}"
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        body = {
            "error": "conflict",
            "detail": message or "Changed since this version.",
            "current_version": server_version,
            "conflict": url,
        }
        response = JSONResponse(body, status_code=409, headers={"Location": url})
        remember = getattr(request.state, "remember_result", None)  # the ledger records this answer
        if remember is not None:
            remember(response)
        return response
    response = render(
        request, "sync/conflict.html", {**conflict_context(conflict), "message": message}, status_code=409
    )
    response.headers["Location"] = url
    return response


def conflict_context(conflict: SyncConflict) -> dict:
    """What the side-by-side screen shows: one row per field, marking those that differ."""
    mine, theirs, meta = json.loads(conflict.mine), json.loads(conflict.theirs), json.loads(conflict.labels)
    chosen = json.loads(conflict.resolution) if conflict.resolution else None
    rows = [
        {
            "field": field,
            "label": label,
            "mine": mine.get(field, ""),
            "theirs": theirs.get(field, ""),
            "chosen": (chosen or {}).get(field, theirs.get(field, "")) if conflict.resolved_at else None,
            "differs": (mine.get(field) or "") != (theirs.get(field) or ""),
            "yes_no": field in meta["yes_no"],
        }
        for field, label in meta["labels"].items()
    ]
    return {"conflict": conflict, "rows": rows}


def get_conflict(*, session: Session, actor: Actor, op_id: str) -> SyncConflict | None:
    """The actor's own conflict (other people's conflicts are not theirs to see)."""
    conflict = session.get(SyncConflict, op_id)
    return conflict if conflict is not None and conflict.user_id == actor.id else None


def conflicts_for(*, session: Session, actor: Actor, limit: int = 50) -> tuple[list[SyncConflict], list[SyncConflict]]:
    """The actor's open conflicts and their recently resolved ones (one query)."""
    rows = session.exec(
        select(SyncConflict)
        .where(SyncConflict.user_id == actor.id)
        .order_by(SyncConflict.created_at.desc())
        .limit(limit)
    ).all()
    return [c for c in rows if c.resolved_at is None], [c for c in rows if c.resolved_at is not None]


def mark_resolved(*, session: Session, actor: Actor, op_id: str, values: Mapping[str, object] | None) -> None:
    """Record how the worker settled a conflict; its two versions stay as they were."""
    conflict = get_conflict(session=session, actor=actor, op_id=op_id)
    if conflict is None or conflict.resolved_at is not None:
        return
    fields = json.loads(conflict.labels)["labels"]
    chosen = {f: as_text(values.get(f)) for f in fields} if values is not None else {}
    conflict.resolution = json.dumps(chosen)
    conflict.resolved_at = utcnow()
    session.add(conflict)
    audit.record(
        session=session,
        actor=actor,
        action="conflict_resolved",
        object_type=conflict.record_type,
        object_id=conflict.record_id,
        case_id=conflict.case_id,
    )


def keep_server_version(*, session: Session, actor: Actor, conflict: SyncConflict) -> None:
    """Settle a conflict by keeping the server's version; the offline version stays in history."""
    conflict.resolution = conflict.theirs
    conflict.resolved_at = utcnow()
    session.add(conflict)
    audit.record(
        session=session,
        actor=actor,
        action="conflict_resolved",
        object_type=conflict.record_type,
        object_id=conflict.record_id,
        case_id=conflict.case_id,
        detail="kept server version",
    )


def operation(*, session: Session, actor: Actor, op_id: str) -> SyncOperation | None:
    """The actor's applied operation with this id, if the server has it."""
    op = session.get(SyncOperation, op_id)
    return op if op is not None and op.user_id == actor.id else None
