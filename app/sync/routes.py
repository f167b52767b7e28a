"""The Outbox page, conflict screens, sealed items, and the ledger look-up the offline script uses."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import select

from app.accounts.models import Role, User
from app.cases import extensions
from app.db import SessionDep, give_up_turn
from app.security.auth import CurrentActor, FamilyActor, require_role
from app.security.permissions import get_case
from app.sync import held as held_items
from app.sync import sealing, service
from app.sync.ledger import is_family_target, parse_key
from app.sync.models import DeviceItem, HeldItem
from app.templating import flash, redirect, render, templates

router = APIRouter()


@router.get("/outbox")
def outbox(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    """The list itself lives on the device (IndexedDB); the server adds the conflicts it keeps."""
    if request.headers.get("X-Homeward-Refresh"):
        # The service worker fetching a new copy to keep (sw.js): a message waiting for the
        # page the worker opens next is left for that page.
        request.state.flashes_read = True
    open_conflicts, resolved = service.conflicts_for(session=session, actor=actor)
    hours = request.app.state.settings.offline_cache_hours
    return render(
        request, "sync/outbox.html", {"open_conflicts": open_conflicts, "resolved": resolved, "offline_hours": hours}
    )


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
    changed = service.last_changed(session=session, conflict=conflict)
    return render(request, "sync/conflict.html", service.conflict_context(conflict, changed))


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
    if op is None or (actor.in_family_mode and not is_family_target(op.target)):
        raise HTTPException(status_code=404)
    return JSONResponse({"op_id": op.op_id, "status": op.status_code, "location": op.location})


# ---- sealed items (app/sync/sealing.py) ---------------------------------------------------------


def _outbox_kid(request: Request) -> str:
    return sealing.key_id(request.app.state.settings.secret_key)


# Every logged-in page names the outbox key in use (base.html, data-outbox-kid), so offline.js asks
# for the key only when the one it holds is not that one: not one more request on every page.
templates.env.globals["outbox_kid"] = _outbox_kid


def _idle_ms(request: Request) -> int:
    return round(request.app.state.settings.offline_lock_minutes * 60_000)


# The idle time, for offline.js to check as often as it needs (base.html, data-idle-ms).
templates.env.globals["idle_ms"] = _idle_ms


@router.get("/sync/outbox-key")
def outbox_key(request: Request) -> JSONResponse:
    """The public key the offline script seals waiting items to. Public by nature."""
    return JSONResponse(
        sealing.public_key(request.app.state.settings.secret_key), headers={"Cache-Control": "no-cache"}
    )


@router.get("/sync/device-key")
def device_key(request: Request, actor: CurrentActor) -> JSONResponse:
    """The logged-in worker's device key, and that key wrapped under their Worker PIN.

    offline.js keeps the key in memory only (the page and the service worker) and stores the
    wrapped copy, which the PIN opens without a signal (docs/offline.md "Locked at rest").
    """
    user = actor.user
    body = sealing.device_key_for(
        request.app.state.settings.secret_key,
        user_id=user.id,
        wrap_key_hex=None if user.pin_change_due else user.pin_wrap_key,
        salt=user.pin_salt,
        iterations=user.pin_iterations,
    )
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def _sealed_item(body: object) -> dict:
    if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in ("id", "target", "user_id")):
        raise HTTPException(status_code=400, detail="This waiting item is damaged and cannot be sent.")
    target = urlsplit(body["target"])
    # Only this app's own forms: a path, never another site.
    if target.scheme or target.netloc or not target.path.startswith("/") or target.path.startswith("//"):
        raise HTTPException(status_code=400, detail="This waiting item is damaged and cannot be sent.")
    return body


def _open(request: Request, item: dict, user_id: str) -> list[list[str]]:
    aad = sealing.additional_data(op_id=item["id"], target=item["target"], user_id=user_id)
    try:
        return sealing.open_sealed(request.app.state.settings.secret_key, item.get("sealed"), aad=aad)
    except sealing.SealError:
        raise HTTPException(
            status_code=400,
            detail="This item was sealed on the device for another key or account and cannot be opened. Please enter it again.",
        ) from None


@router.post("/sync/sealed")
async def send_sealed(request: Request) -> Response:
    """Open a sealed item and hand it to its own form's route, as if the form had been posted.

    The item's route does everything as usual (session, permission, audit, ledger under the
    item's id); this only opens the envelope. It holds no database session of its own.
    """
    try:
        item = _sealed_item(await request.json())
    except ValueError:
        raise HTTPException(status_code=400, detail="This waiting item is damaged and cannot be sent.") from None
    fields = _open(request, item, item["user_id"])
    if item.get("base_version") not in (None, ""):
        # The device moves a later edit's version on after an earlier one applied (followOn).
        fields = [[k, str(item["base_version"]) if k == "base_version" else v] for k, v in fields]
    return await _dispatch(request, item=item, fields=fields)


async def _dispatch(request: Request, *, item: dict, fields: list[list[str]]) -> Response:
    url, op_id = urlsplit(item["target"]), item["id"]
    body = urlencode([(k, v) for k, v in fields]).encode()
    # The inner answer is read here, not sent: it must come back uncompressed (accept-encoding).
    skip = {b"content-type", b"content-length", b"idempotency-key", b"accept-encoding"}
    headers = [(k, v) for k, v in request.scope["headers"] if k not in skip] + [
        (b"content-type", b"application/x-www-form-urlencoded"),
        (b"content-length", str(len(body)).encode()),
        (b"idempotency-key", op_id.encode()),
    ]
    scope = {
        key: request.scope[key]
        for key in ("type", "asgi", "http_version", "scheme", "root_path", "client", "server", "app")
        if key in request.scope
    }
    scope.update(
        method="POST",
        path=url.path,
        raw_path=url.path.encode(),
        query_string=url.query.encode(),
        headers=headers,
        # The ledger applies the item only if this session's user is the one it was sealed for,
        # and keeps it for the supervisor if its case moved on (app/sync/held.py).
        state={"sealed_for": item["user_id"], "sealed_item": item, "sealed_fields": fields},
    )
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # no disconnect: the answer is collected below
        return {"type": "http.disconnect"}

    answer: dict = {"status": 500, "headers": [], "body": []}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer["status"], answer["headers"] = message["status"], message.get("headers", [])
        elif message["type"] == "http.response.body":
            answer["body"].append(message.get("body", b""))

    give_up_turn(request)  # this request's own session (the ledger's) is never used
    await request.app(scope, receive, send)
    response = Response(content=b"".join(answer["body"]), status_code=answer["status"])
    keep = {
        b"content-type",
        b"location",
        b"set-cookie",
        b"retry-after",
        b"idempotent-replayed",
        b"x-homeward-family-mode",
        b"x-homeward-id-used",
        b"x-homeward-not-their-turn",
    }
    response.raw_headers = [(k, v) for k, v in response.raw_headers if k != b"content-type"]
    response.raw_headers.extend((k, v) for k, v in answer["headers"] if k.lower() in keep)
    return response


async def _item_to_open(request: Request) -> dict:
    """The item posted to be opened, read on the event loop so that the route can be a plain `def`."""
    try:
        return _sealed_item(await request.json())
    except ValueError:
        raise HTTPException(status_code=400, detail="This waiting item is damaged and cannot be opened.") from None


@router.post("/sync/sealed/open")
def open_sealed_item(
    request: Request, actor: CurrentActor, item: Annotated[dict, Depends(_item_to_open)]
) -> JSONResponse:
    """A refused item's own fields, for "Edit and retry": only for the account that made it."""
    return JSONResponse({"fields": _open(request, item, str(actor.id))})


# ---- items for cases that moved on (app/sync/held.py) ---------------------------------------------


@router.get("/sync/held")
def held_list(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    """The supervisor's list of offline items waiting for reassignment or kept from closed cases."""
    require_role(actor, Role.supervisor)
    rows = []
    for item in held_items.held_for(session=session, actor=actor):
        try:
            case = get_case(session=session, actor=actor, case_id=item.case_id)  # audits the read
        except HTTPException:
            continue  # no longer the team's case
        rows.append({"item": item, "case": case, "fields": json.loads(item.fields)})
    ids = {r["item"].user_id for r in rows}
    authors = {u.id: u.full_name for u in session.exec(select(User).where(User.id.in_(ids))).all()} if ids else {}
    return render(request, "sync/held.html", {"rows": rows, "authors": authors})


@router.post("/sync/held/{op_id}/handled")
def held_handled(request: Request, op_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    require_role(actor, Role.supervisor)
    item = session.get(HeldItem, parse_key(op_id))
    if item is None or item.team_id != actor.user.team_id:
        raise HTTPException(status_code=404)
    get_case(session=session, actor=actor, case_id=item.case_id, write=True)
    if item.settled_at is None:
        held_items.settle(session=session, actor=actor, held=item)
        flash(request, "Marked as handled. The item stays listed here as a record.")
    return redirect(request, "/sync/held")


async def _device_report(request: Request) -> object:
    """The device's report, read on the event loop so that the route can be a plain `def`, which
    does its database work in the thread pool."""
    try:
        return await request.json()
    except ValueError:
        raise HTTPException(status_code=400, detail="Not a list of items.") from None


# Which browser a report comes from: its own long-lived cookie, sent to /sync alone. A browser
# whose storage was evicted keeps it (cookies are not evicted), so its lost items are named for
# sure; another tablet or phone of the same worker has its own, and is not told they were lost.
DEVICE_COOKIE = "homeward_device"
DEVICE_COOKIE_DAYS = 400  # the longest a browser keeps a cookie
_DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")


def _items(items: list[DeviceItem]) -> list[dict]:
    return [{"target": d.target, "saved_at": d.saved_at.isoformat()} for d in items]


@router.post("/sync/device-items")
def device_items(
    request: Request, session: SessionDep, actor: CurrentActor, body: Annotated[object, Depends(_device_report)]
) -> JSONResponse:
    """The device reports the items it holds; the answer lists those it has lost (held.lost_from_device)."""
    body = body if isinstance(body, dict) else {}
    # A page of another worker's, still open in a second tab after a change of user on the tablet,
    # reports that worker's items: refused, so they are not filed under (or lost to) this one.
    if "user_id" in body and str(body["user_id"]) != str(actor.id):
        raise HTTPException(status_code=409, detail="This report is for another account.")
    holding, discarded = body.get("holding"), body.get("discarded")
    holding = [h for h in holding if isinstance(h, dict)] if isinstance(holding, list) else []
    discarded = [str(d)[:36] for d in discarded] if isinstance(discarded, list) else []
    device_id = request.cookies.get(DEVICE_COOKIE, "")
    new_device = not _DEVICE_ID.match(device_id)
    if new_device:
        device_id = secrets.token_urlsafe(16)
    report = held_items.lost_from_device(
        session=session, actor=actor, holding=holding, discarded=discarded, device_id=device_id
    )
    response = JSONResponse({"lost": _items(report.lost), "elsewhere": _items(report.elsewhere)})
    if new_device:
        response.set_cookie(
            DEVICE_COOKIE,
            device_id,
            max_age=DEVICE_COOKIE_DAYS * 86400,
            path="/sync",
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.secure_cookies,
        )
    return response
