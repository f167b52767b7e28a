"""Offline items for cases that moved on while they waited (DESIGN.md "Offline"; docs/offline.md).

An item made on a kept page can arrive after its case was given to another worker or closed. It
is never applied silently, and never stranded: it is kept here for the team's supervisor, who
reads what was written and settles it by hand, and the author's device is told where it went.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from fastapi.responses import JSONResponse
from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.audit import service as audit
from app.audit.models import AuditEntry
from app.cases.models import Case, CaseStatus
from app.ids import is_valid_id
from app.security.auth import Actor
from app.security.permissions import can_change_case, case_for_change
from app.sync.models import DeviceItem, DeviceSeen, HeldItem, SyncOperation
from app.timeutil import utcnow

# The worker's screens and the family's (answers given on the tablet, sent after the hand-back).
CASE_TARGET = re.compile(r"^/(?:cases|family)/(\d+)(/|$)")
# Fields the device adds for replay; not what the worker wrote.
NOT_WRITTEN = {"id", "base_version", "shown"}


def _supervisors(session: Session, team_id: int | None) -> str:
    names = session.exec(
        select(User.full_name).where(User.team_id == team_id, User.role == Role.supervisor, User.is_active)
    ).all()
    return " and ".join(names) or "your team's supervisor"


def where_it_went(session: Session, held: HeldItem) -> str:
    """What the author's device shows beside the item."""
    who = _supervisors(session, held.team_id)
    if held.reason == "closed":
        return f"Not applied: this case was closed before this item arrived. It was kept for {who} (supervisor) to see."
    return (
        "Not applied: this case is now held by another worker. "
        f"It went to {who} (supervisor) as waiting for reassignment."
    )


def hold_if_moved_on(*, session: Session, actor: Actor, item: dict, fields: list[list[str]]) -> JSONResponse | None:
    """Keep a sealed item for the supervisor if its case moved on; None to apply it as usual.

    Called by the ledger (app/sync/ledger.py) for a sealed item not yet applied, with the
    request's own session and actor, before the item's route runs; the case it loads is the one
    the route then finds in the session.
    """
    match = CASE_TARGET.match(urlsplit(item["target"]).path)
    if match is None or not is_valid_id(int(match[1])):
        return None
    if actor.in_family_mode:
        return None  # the route refuses it as it refuses every worker's screen in family mode
    held = session.get(HeldItem, item["id"])
    if held is not None and held.user_id != actor.id:
        # Another's item id: refused as the ledger refuses any id used by someone else, telling
        # nothing of the case or who supervises it.
        return JSONResponse({"detail": "This operation id was already used by someone else."}, status_code=422)
    if held is None:
        case = case_for_change(session, int(match[1]))  # the item is a change: read after its turn
        if case is None or not _had_the_case(session, actor, case):
            return None  # the route answers 404 as usual
        # The session holds what it loaded only weakly: kept here, the route's get_case finds this
        # case without reading it again.
        session.info["sealed_case"] = case
        if case.status == CaseStatus.closed:
            reason = "closed"
        elif not can_change_case(actor.user, case):
            reason = "reassigned"
        else:
            return None
        held = _hold(session=session, actor=actor, case=case, item=item, fields=fields, reason=reason)
    return JSONResponse({"detail": where_it_went(session, held), "held": held.reason}, status_code=409)


def _had_the_case(session: Session, actor: Actor, case: Case) -> bool:
    """Whether `actor` could once open `case`: an item made on a page of it the device kept was
    made after opening it, and every opening is audited. Anyone else's item for it is answered as
    the route answers them (404), neither held for its supervisor nor telling whether the case
    exists, is closed, or who supervises it."""
    if can_change_case(actor.user, case):
        return True
    return (
        session.exec(
            select(AuditEntry.id).where(AuditEntry.case_id == case.id, AuditEntry.user_id == actor.id).limit(1)
        ).first()
        is not None
    )


def _hold(*, session: Session, actor: Actor, case: Case, item: dict, fields: list[list[str]], reason: str) -> HeldItem:
    held = HeldItem(
        op_id=item["id"],
        user_id=actor.id,
        case_id=case.id,
        team_id=case.team_id,
        reason=reason,
        target=item["target"][:300],
        label=str(item.get("label") or "")[:200],
        fields=json.dumps([[k, v] for k, v in fields if k not in NOT_WRITTEN]),
    )
    session.add(held)
    audit.record(
        session=session,
        actor=actor,
        action="held_for_supervisor",
        object_type="offline_item",
        object_id=held.op_id,
        case_id=case.id,
        detail=reason,
    )
    return held


def held_for(*, session: Session, actor: Actor, limit: int = 100) -> list[HeldItem]:
    """The team's held items, unsettled first, then the most recent (one query)."""
    return list(
        session.exec(
            select(HeldItem)
            .where(HeldItem.team_id == actor.user.team_id)
            .order_by(HeldItem.settled_at.is_not(None), HeldItem.held_at.desc())
            .limit(limit)
        ).all()
    )


def unsettled_for_team(*, session: Session, team_id: int) -> int:
    """How many of the team's held items no supervisor has settled yet (one query)."""
    return session.exec(
        select(func.count()).select_from(HeldItem).where(HeldItem.team_id == team_id, HeldItem.settled_at.is_(None))
    ).one()


def settle(*, session: Session, actor: Actor, held: HeldItem) -> None:
    """The supervisor has dealt with the item (passed it to the new worker, or filed it)."""
    held.settled_at, held.settled_by_id = utcnow(), actor.id
    session.add(held)
    audit.record(
        session=session,
        actor=actor,
        action="held_item_settled",
        object_type="offline_item",
        object_id=held.op_id,
        case_id=held.case_id,
    )


@dataclass
class DeviceReport:
    """What Homeward answers a device's report of the items it holds (POST /sync/device-items)."""

    lost: list[DeviceItem]  # this device held them, holds them no more, and they never arrived
    # Told of by another device (or by this browser before its cookies were cleared: Homeward
    # cannot tell which), not arrived: said once, to a device reporting for the first time.
    elsewhere: list[DeviceItem]


# Bounds on what one worker's reports can make Homeward keep: a careless or forged client (no
# cookie kept, so every report a new browser; made-up items) must not grow the tables without end.
MAX_DEVICES_PER_WORKER = 50  # browsers remembered: the oldest first seen is forgotten
MAX_ITEMS_PER_WORKER = 2_000  # items held on devices: an outbox holds far fewer


def _first_report(session: Session, actor: Actor, device_id: str) -> bool:
    """Whether this worker reports from this browser for the first time (noting that they have)."""
    if session.get(DeviceSeen, (actor.id, device_id)) is not None:
        return False
    try:
        with session.begin_nested():  # a savepoint: two tabs' first reports at once note it once
            session.add(DeviceSeen(user_id=actor.id, device_id=device_id))
            session.flush()
    except IntegrityError:
        return False
    kept = (
        select(DeviceSeen.device_id)
        .where(DeviceSeen.user_id == actor.id)
        .order_by(DeviceSeen.first_at.desc(), DeviceSeen.device_id)
        .limit(MAX_DEVICES_PER_WORKER)
    )
    session.exec(  # type: ignore[call-overload]
        delete(DeviceSeen).where(DeviceSeen.user_id == actor.id, DeviceSeen.device_id.not_in(kept.scalar_subquery()))
    )
    return True


def lost_from_device(
    *, session: Session, actor: Actor, holding: list[dict], discarded: list[str], device_id: str
) -> DeviceReport:
    """Note what a device holds and answer what it held before and lost without sending.

    A device reports its waiting items whenever it syncs, under its own id (a cookie). One this
    device reported before that is neither on it now, nor applied (ledger), nor kept for the
    supervisor, nor discarded by the worker was lost with the browser's storage (evicted, or site
    data cleared while the cookie stayed). Items another device reported are that device's
    business: its own next report settles them. Only a browser this worker reports from for the
    first time hears of them, as items that may be elsewhere (a browser whose site data was
    cleared whole, cookie and all, reports as a new one), and each item is told of once.
    """
    new_device = _first_report(session, actor, device_id)
    rows = session.exec(select(DeviceItem).where(DeviceItem.user_id == actor.id)).all()
    known = {d.op_id for d in rows}
    now_held = {str(h.get("id"))[:36] for h in holding}
    ids = [d.op_id for d in rows if d.op_id not in now_held]
    arrived = set(session.exec(select(SyncOperation.op_id).where(SyncOperation.op_id.in_(ids))).all()) if ids else set()
    arrived |= set(session.exec(select(HeldItem.op_id).where(HeldItem.op_id.in_(ids))).all()) if ids else set()
    settled = arrived | set(discarded)
    gone = {d.op_id for d in rows if d.op_id not in now_held and d.device_id == device_id}
    lost = [d for d in rows if d.op_id in gone and d.op_id not in settled]
    elsewhere = [
        d
        for d in rows
        if new_device and d.device_id != device_id and d.told_at is None and d.op_id not in now_held | settled
    ]
    for d in elsewhere:
        d.told_at = utcnow()
    for d in rows:
        if d.op_id in arrived or d.op_id in gone:
            session.delete(d)  # arrived (from whichever device), or no longer on this one
        elif d.op_id in now_held and d.device_id != device_id:
            d.device_id = device_id  # the item is here now (this browser's cookie was cleared, say)
    # Each id once, the first time the report names it; none already in the ledger or reported
    # under another account (a careless or forged report): two statements however many there are.
    new: dict[str, dict] = {}
    for h in holding[:500]:
        new.setdefault(str(h.get("id"))[:36], h)
    room = max(0, MAX_ITEMS_PER_WORKER - len(rows))
    new = dict(list({op_id: h for op_id, h in new.items() if op_id not in known}.items())[:room])
    if new:
        taken = set(session.exec(select(SyncOperation.op_id).where(SyncOperation.op_id.in_(new))).all())
        taken |= set(session.exec(select(DeviceItem.op_id).where(DeviceItem.op_id.in_(new))).all())
        for op_id, h in new.items():
            if op_id not in taken:
                session.add(
                    DeviceItem(
                        op_id=op_id,
                        user_id=actor.id,
                        device_id=device_id,
                        target=str(h.get("target", ""))[:300],
                        saved_at=_when(h.get("time")),
                    )
                )
    if lost:
        audit.record(
            session=session, actor=actor, action="device_items_lost", object_type="device", detail=str(len(lost))
        )
    if elsewhere:
        audit.record(
            session=session,
            actor=actor,
            action="device_items_elsewhere",
            object_type="device",
            detail=str(len(elsewhere)),
        )
    return DeviceReport(lost=lost, elsewhere=elsewhere)


def _when(text: object):
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return utcnow()
