"""What the Signs of Safety map pages share: the map's address, the 409 for a stale version, the
audit entry a write makes, and which version a write lands in."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from app import features
from app.audit import service as audit
from app.cases.models import Case
from app.forms import Form
from app.security.auth import Actor
from app.signs_of_safety.models import MapVersion
from app.signs_of_safety.service import StaleVersion
from app.templating import render
from app.timeutil import today


def base_url(case: Case) -> str:
    return f"/cases/{case.id}/signs-of-safety"


def conflict(request: Request, case: Case, exc: StaleVersion, form: Form) -> Response:
    """409: the change was made from an older version; show it beside the current map to redo.

    The offline outbox may ask for JSON: it keeps the operation as a conflict for the worker.
    """
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        # The outbox shows `detail` beside the item it sets aside.
        since = f"version {exc.current} has been submitted since" if exc.current else "that version no longer exists"
        detail = f"Made from version {exc.base_version} of the map, but {since}. Nothing was overwritten: open the map and add it again if it is still needed."
        return JSONResponse(
            {
                "error": "conflict",
                "detail": detail,
                "base_version": exc.base_version,
                "current_version": exc.current,
                "url": base_url(case),
            },
            status_code=409,
        )
    return render(
        request,
        "signs_of_safety/conflict.html",
        {
            "case": case,
            "stale": exc,
            "values": {k: v for k, v in form.values.items() if k not in ("id", "base_version") and v},
        },
        status_code=409,
    )


def _audit_write(session, actor: Actor, case: Case, action: str, object_type: str, object_id: str, detail: str) -> None:
    audit.record(
        session=session,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_id=case.id,
        detail=detail,
    )
    if object_type == "sos_map_item":  # "Update the map" prompts close on this save
        features.fulfil(session=session, case_id=case.id, event="signs_of_safety_map", by=actor, on=today())


def _accepts(latest: MapVersion, base_version: int) -> bool:
    """Whether a write from `base_version` lands in the version worked on now (service.working_version)."""
    if latest.is_draft:
        return base_version in (latest.number, latest.based_on)
    return base_version == latest.number
