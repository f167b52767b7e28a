"""A hash chain over the audit log, so an edited or deleted entry shows.

Each entry holds the hash of the entry before it (`prev_hash`) and its own (`entry_hash`, over its
fields and `prev_hash`), filled in as it is flushed, whichever session writes it. Changing an entry
breaks its own hash; deleting one breaks the next entry's link. `homeward audit verify` walks the
chain and names the first broken link. Entries from before the chain began (made before migration
0020) have empty hashes and are counted, not checked.

On PostgreSQL a transaction-scoped advisory lock makes concurrent writers take turns at the end
of the chain, so two app servers cannot both link to the same entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import event, select
from sqlmodel import Session
from sqlmodel import select as select_entries

from app.audit.models import AuditEntry
from app.db import for_transaction, hold_chain_lock, remember_for_transaction


def _utc(at: datetime | None) -> str:
    """The time in one form whichever way the database hands it back (aware or naive UTC)."""
    if at is None:
        return ""
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.isoformat(timespec="microseconds")


def entry_digest(entry: AuditEntry, prev_hash: str) -> str:
    """The entry's hash: SHA-256 over its fields in a fixed form, and the previous entry's hash."""
    fields = [
        prev_hash,
        _utc(entry.at),
        entry.user_id,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.case_id,
        entry.request_id,
        entry.user_agent,
        entry.address,
        entry.detail,
    ]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


@event.listens_for(Session, "before_flush")
def _link_new_entries(session: Session, _context, _instances) -> None:
    new = [obj for obj in session.new if isinstance(obj, AuditEntry)]
    if not new:
        return
    hold_chain_lock(session)
    # The chain's end is read once per transaction: from then on this transaction holds the lock,
    # so the end is the last entry it linked itself (app/db.py remember_for_transaction).
    prev_hash = for_transaction(session, "chain_end")
    if prev_hash is None:
        last = session.execute(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)).scalar()
        prev_hash = last or ""
    for entry in sorted(new, key=lambda obj: obj._sa_instance_state.insert_order):
        entry.prev_hash = prev_hash
        entry.entry_hash = entry_digest(entry, prev_hash)
        prev_hash = entry.entry_hash
    remember_for_transaction(session, "chain_end", prev_hash)


@dataclass(frozen=True)
class Verdict:
    checked: int
    before_chain: int
    broken_at: int | None = None  # the id of the first entry whose link or hash is wrong
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(*, session: Session, batch: int = 5000) -> Verdict:
    """Walk the chain in id order; the first entry whose link or hash does not hold is reported."""
    checked = before_chain = 0
    prev_hash: str | None = None  # None until the first chained entry
    last_id = 0
    while rows := session.exec(
        select_entries(AuditEntry)
        .where(AuditEntry.id > last_id)
        .order_by(AuditEntry.id)
        .limit(batch)
        .execution_options(populate_existing=True)
    ).all():
        for entry in rows:
            last_id = entry.id
            if prev_hash is None and not entry.entry_hash:
                before_chain += 1
                continue
            if entry.prev_hash != (prev_hash or ""):
                return Verdict(checked, before_chain, entry.id, "the entry before it was changed or deleted")
            if entry_digest(entry, entry.prev_hash) != entry.entry_hash:
                return Verdict(checked, before_chain, entry.id, "the entry itself was changed")
            prev_hash = entry.entry_hash
            checked += 1
    return Verdict(checked=checked, before_chain=before_chain)
