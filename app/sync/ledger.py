"""Exactly-once replay of offline operations: the `Idempotent` dependency.

Every route takes part (app.main adds this dependency to every router); a route that needs the op
id adds the parameter `op: Idempotent`. For a request without an `Idempotency-Key` header (an
ordinary form post) it does nothing. With one:

- a key already in the ledger answers the recorded result (the same redirect, or the same 409
  for a conflict) and the route does not run, so nothing is applied twice;
- a new key is claimed in the request's own transaction, before the route runs; the route's
  `render()` or `redirect()` then records its answer on that row (app.templating calls
  `request.state.remember_result`). The change and its ledger row commit or roll back together:
  a crash after the commit leaves a row that a replay will find; a crash before leaves neither.

An item sealed on a device (`/sync/sealed`) is applied only when the session's user is the user it
was sealed for, and one sent in clear only when it is the user its `X-Homeward-Author` header names;
otherwise it answers 401 and applies nothing.

A conflict's resolution is posted to the record's own form with `?resolves=<op id>`; when that
succeeds, the conflict is marked settled in the same transaction.

Answers that applied nothing (422 validation, 403/404 raised) leave no row, so the same
operation can be edited and retried under its id, which is also the new record's id.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.db import SessionDep
from app.security.auth import FamilyModeLocked, get_actor
from app.sync import held as held_items
from app.sync import service
from app.sync.models import SyncOperation

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
AUTHOR_HEADER = "X-Homeward-Author"


class Replayed(HTTPException):
    """Raised to answer a known operation with its recorded result (the route does not run)."""

    def __init__(self, response: Response) -> None:
        super().__init__(status_code=response.status_code)
        self.response = response


def parse_key(value: str) -> str:
    """The key as a canonical UUID string, or 400: op ids are UUID v4 made on the device."""
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise HTTPException(status_code=400, detail="The Idempotency-Key header must be a UUID.") from None


def recorded_response(op: SyncOperation) -> Response:
    """The answer a replay of `op` gets: the same status and location, marked as a replay."""
    headers = {REPLAY_HEADER: "true"}
    if op.location:
        headers["Location"] = op.location
    if 300 <= op.status_code < 400:
        return RedirectResponse(op.location or "/", status_code=op.status_code, headers=headers)
    status = op.status_code or 200
    body = {"op_id": op.op_id, "status": status, "location": op.location, "replayed": True}
    return JSONResponse(body, status_code=status, headers=headers)


def is_family_target(target: str) -> bool:
    """Whether an item was saved on the family's screens (which family mode may look up)."""
    return target.startswith("/family/") or target == "/family"


async def _idempotent(request: Request, session: SessionDep) -> AsyncIterator[str | None]:
    raw = request.headers.get(HEADER)
    # A conflict's resolution is sent to the record's own form with ?resolves=<op id>.
    resolves = request.query_params.get("resolves")
    if request.method == "GET" or (not raw and not resolves):
        # Most requests: nothing to do, and `async def` so that nothing goes to the thread pool
        # (two hops, in and out, on every page: issue 21).
        yield None
        return
    # The claim reads and writes the database: in the thread pool, as a plain `def` would be.
    key = await run_in_threadpool(_claim, request, session, raw, resolves)
    try:
        yield key
    finally:
        request.state.remember_result = None


def _claim(request: Request, session: Session, raw: str | None, resolves: str | None) -> str | None:
    """Answer a known operation (raises Replayed), or claim a new one in this transaction and
    have the route's answer recorded on it (`request.state.remember_result`)."""
    # Who is asking is resolved only now: most requests carry no key, and public pages none at all.
    # Family screens take part too (their rating forms are offline-capable); the route itself
    # still decides whether this actor may use it.
    actor = get_actor(request, session, request.app.state.settings)
    # An item kept in clear (no WebCrypto or no key on the device) names its author in a header:
    # a tab left open by a worker whose session ended must not send it as whoever is logged in now.
    author = getattr(request.state, "sealed_for", None) or (raw and request.headers.get(AUTHOR_HEADER)) or None
    if author is not None and author != str(actor.id):
        # A shared tablet: another worker's item, sent while someone else is logged in. It stays
        # on the device unapplied, to be sent when its author logs in (docs/offline.md "Sealed at rest").
        raise HTTPException(
            status_code=401,
            detail="This item was saved by another worker on this device. Log in as its author to send it.",
        )
    if actor.in_family_mode and resolves:
        raise FamilyModeLocked()  # the family's screens never settle the worker's conflicts
    key = parse_key(raw) if raw else None
    op = None
    if key is not None:
        known = session.get(SyncOperation, key)
        if known is not None:
            if known.user_id != actor.id:
                raise HTTPException(status_code=422, detail="This operation id was already used by someone else.")
            if actor.in_family_mode and not is_family_target(known.target):
                raise FamilyModeLocked()  # the worker's own items are not the family's to look up
            if known.target != request.url.path[:300]:
                # Not a replay: the same id sent to another form (another person's family screen, a
                # device that reused an id). Answering the first item's "saved" would lose this one.
                # X-Homeward-Id-Used: "Edit and retry" sends the corrected item under an id of its own.
                raise HTTPException(
                    status_code=422,
                    detail="This item's id was already used for another form, so it was not saved. "
                    "Edit and retry saves it as a new item.",
                    headers={"X-Homeward-Id-Used": "true"},
                )
            raise Replayed(recorded_response(known))
        sealed = getattr(request.state, "sealed_item", None)
        if sealed is not None:
            # A case given to another worker or closed meanwhile: kept for the supervisor, never
            # applied. Committed here: the answer is raised, which would roll the session back.
            held = held_items.hold_if_moved_on(
                session=session, actor=actor, item=sealed, fields=request.state.sealed_fields
            )
            if held is not None:
                session.commit()
                raise Replayed(held)
        op = SyncOperation(op_id=key, user_id=actor.id, method=request.method, target=request.url.path[:300])
        session.add(op)
        try:
            session.flush()
        except IntegrityError:
            # The same operation is being applied by a concurrent request (a double replay): the
            # transaction is rolled back, and the device comes back shortly, when the ledger
            # holds the answer.
            raise HTTPException(
                status_code=503, detail="This item is being saved; try again shortly.", headers={"Retry-After": "2"}
            ) from None

    def remember(response: Response) -> None:
        request.state.remember_result = None
        # A 409 is kept only when the conflict itself was stored (keep_conflict sets its Location);
        # a feature's own "changed since you opened it" page applied nothing, like a refusal.
        conflict_kept = bool(response.headers.get("location")) or getattr(request.state, "conflict_kept", False)
        kept = response.status_code < 400 or (response.status_code == 409 and conflict_kept)
        if op is not None and kept:
            op.status_code = response.status_code
            default = f"/conflicts/{key}" if response.status_code == 409 else ""
            op.location = (response.headers.get("location") or default)[:300]
            session.add(op)
        elif op is not None and op in session:
            # A route that rolled back its partial work on a refusal has already taken the claim
            # away with it (the row is no longer in the session): nothing left to delete.
            session.delete(op)
        if resolves and response.status_code < 400:
            # The route has parsed its form by now; Starlette keeps it on the request.
            values = getattr(request, "_form", None)
            service.mark_resolved(session=session, actor=actor, op_id=resolves, values=values, target=request.url.path)

    request.state.remember_result = remember
    return key


# The operation id of this request when it came from the outbox, else None. app.main applies it to
# every router, so any form marked data-offline is applied exactly once; a route that needs the
# op id (to keep a conflict under it) also names it as a parameter, and FastAPI runs it once.
ledger = Depends(_idempotent, scope="function")
Idempotent = Annotated[str | None, ledger]
