"""A hash chain over the audit log, so an edited or deleted entry shows.

Each entry holds the hash of the entry before it (`prev_hash`) and its own (`entry_hash`, over its
fields and `prev_hash`), filled in as it is flushed, whichever session writes it. Changing an entry
breaks its own hash; deleting one breaks the next entry's link. `homeward audit verify` walks the
chain and names the first broken link. Entries from before the chain began (made before migration
0020) have empty hashes and are counted, not checked.

The log is several chains, "lanes" (migration 0023_repeat), so that concurrent writers never take
turns: on PostgreSQL each database connection that writes an audit entry first takes a lane of its
own for as long as it lives (a session-level advisory lock, `pg_try_advisory_lock(20020, lane)`,
the lowest free lane; released by the database when the connection ends, however it ends). A lane
is written by one connection at a time and a connection runs one transaction at a time, so the
lane's last entry read in the transaction is the one to link to, and no two entries of a lane can
link to the same one: the chain never forks, in one process or across several, without a lock
held until commit. Before lanes, one transaction-scoped lock made every audited request of every
process wait for the one before it to commit (issue 21). SQLite has one writer: one lane, 0.

What is given up: the last entry of each lane (not only the log's very last) could be deleted
without a broken link showing, as the last entry of the single chain could before.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, event, insert, select, text
from sqlalchemy.engine import Connection
from sqlmodel import Session
from sqlmodel import select as select_entries

from app.audit.models import AuditEntry
from app.transaction_memos import for_transaction, forget_for_transaction, remember_for_transaction


def _utc(at: datetime | None) -> str:
    """The time in one form whichever way the database hands it back (aware or naive UTC)."""
    if at is None:
        return ""
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.isoformat(timespec="microseconds")


# The fields an entry's hash covers, in this order after the previous entry's hash.
HASHED = (
    "at",
    "user_id",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "request_id",
    "user_agent",
    "address",
    "detail",
)


def row_digest(row: dict, prev_hash: str) -> str:
    """The hash of an entry given as a row (column name to value)."""
    fields = [prev_hash, _utc(row["at"]), *(row[name] for name in HASHED[1:])]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def entry_digest(entry: AuditEntry, prev_hash: str) -> str:
    """The entry's hash: SHA-256 over its fields in a fixed form, and the previous entry's hash."""
    return row_digest({name: getattr(entry, name) for name in HASHED}, prev_hash)


# The two-key form of an advisory lock: its own space, apart from app/locks.py's one-key locks.
LANE_LOCK = 20_020
MAX_LANES = 4_096  # far more than connections ever open at once (two app processes keep 20 each)

_TAKE_LANE = text(
    "SELECT lane FROM generate_series(0, :last) AS lane WHERE pg_try_advisory_lock(:key, lane) LIMIT 1"
).bindparams(last=MAX_LANES - 1, key=LANE_LOCK)
# A lane's end through its own index (lane, id), never the primary key: written as a range of one
# lane ordered by (lane, id), as `lane = :lane ORDER BY id DESC` is not. For that PostgreSQL walked
# the whole log backwards from its newest entry to the lane's last one, expecting each lane's
# entries spread evenly: 3.5-4.7 ms for a lane another process had used last (its connections
# take lanes 20-39), and growing with the log, on every audited request (issue 21).
_TAKE_SQLITE_WRITE_LOCK = text("UPDATE audit_entry SET lane = lane WHERE id = -1")
_LANE_HEAD = text(
    "SELECT entry_hash FROM audit_entry WHERE lane >= :lane AND lane <= :lane ORDER BY lane DESC, id DESC LIMIT 1"
)


def own_lane(connection: Connection) -> int:
    """The lane this connection writes audit entries in, taken the first time it writes one."""
    if connection.dialect.name != "postgresql":
        return 0
    lane = connection.info.get("audit_lane")
    if lane is None:
        lane = connection.execute(_TAKE_LANE).scalar()
        if lane is None:
            raise RuntimeError(f"all {MAX_LANES} audit lanes are taken: too many database connections")
        # Kept with the DBAPI connection (the pool's record), which holds the lock: a connection
        # the pool replaces takes a lane afresh.
        connection.info["audit_lane"] = lane
    return lane


# The lane's end as a column another statement can carry: the request's first statement (the login
# session, app/security/sessions.py) reads it along, so an audited request does not spend a
# statement of its own on it (issue 21). Only the lane's own connection writes to it, so the end read
# at the start of the transaction stays the end until this transaction links an entry to it.
LANE_END = (
    select(AuditEntry.entry_hash)
    .where(AuditEntry.lane >= bindparam("audit_lane"), AuditEntry.lane <= bindparam("audit_lane"))
    .order_by(AuditEntry.lane.desc(), AuditEntry.id.desc())
    .limit(1)
    .scalar_subquery()
)


def lane_to_read_along(session: Session) -> int | None:
    """The lane whose end the transaction's first statement may read along (`LANE_END`), or None:
    not on SQLite (one lane shared by every connection), not before this connection has taken a
    lane, nor once the transaction knows its lane's end."""
    connection = session.connection()
    if connection.dialect.name != "postgresql" or for_transaction(session, "lane_end") is not None:
        return None
    return connection.info.get("audit_lane")


def lane_end_read_along(session: Session, end: str | None) -> None:
    """What `LANE_END` answered for the lane `lane_to_read_along` gave (None: the lane is empty)."""
    remember_for_transaction(session, "lane_end", end or "")


def _remember_end(session: Session, end: str) -> None:
    if session.in_nested_transaction():
        # Linked inside a savepoint: released, the lane ends here; rolled back, where it was. The
        # next entry of the transaction reads the lane's end again rather than guess.
        forget_for_transaction(session, "lane_end")
    else:
        remember_for_transaction(session, "lane_end", end)


def _lane_head(session: Session) -> tuple[Connection, int, str]:
    connection = session.connection()
    lane = own_lane(connection)
    # The lane's end is read once per transaction (in it, so it sees what the transaction wrote);
    # after that it is the last entry this transaction linked itself (app/transaction_memos.py
    # remember_for_transaction: not kept inside a savepoint, which could take its entries away).
    end = for_transaction(session, "lane_end")
    if end is None:
        if connection.dialect.name == "sqlite":
            # SQLite's driver runs a SELECT outside any transaction until the first write, so
            # another request could commit an entry between reading the end and linking to it,
            # and the one lane would split in two (a false "broken" from `verify`). A write that
            # changes nothing first takes the database's one write lock, held until commit.
            connection.execute(_TAKE_SQLITE_WRITE_LOCK)
        end = connection.execute(_LANE_HEAD, {"lane": lane}).scalar() or ""
    return connection, lane, end


def link(session: Session, entries: list[AuditEntry]) -> None:
    """Give `entries`, in order, this connection's lane, each the hash of the one before and its own."""
    _, lane, prev_hash = _lane_head(session)
    for entry in entries:
        entry.lane = lane
        entry.prev_hash = prev_hash
        entry.entry_hash = entry_digest(entry, prev_hash)
        prev_hash = entry.entry_hash
    _remember_end(session, prev_hash)


def write(session: Session, rows: list[dict]) -> None:
    """Link entries given as rows (every column but the id) and insert them in one statement,
    outside any session's unit of work: the reads and lists a request records, written as it
    commits (app/audit/service.py). No ORM object is made for them (about 0.2 ms each)."""
    connection, lane, prev_hash = _lane_head(session)
    for row in rows:
        row["lane"] = lane
        row["prev_hash"] = prev_hash
        row["entry_hash"] = prev_hash = row_digest(row, prev_hash)
    connection.execute(insert(AuditEntry.__table__), rows)
    _remember_end(session, prev_hash)


@event.listens_for(Session, "before_flush")
def _link_new_entries(session: Session, _context, _instances) -> None:
    new = [obj for obj in session.new if isinstance(obj, AuditEntry)]
    if new:
        link(session, sorted(new, key=lambda obj: obj._sa_instance_state.insert_order))


@dataclass(frozen=True)
class Verdict:
    checked: int
    before_chain: int
    broken_at: int | None = None  # the id of the first entry whose link or hash is wrong
    reason: str = ""
    lanes: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(*, session: Session, batch: int = 5000) -> Verdict:
    """Walk every lane in id order; the first entry whose link or hash does not hold is reported."""
    checked = before_chain = 0
    last_hash: dict[int, str] = {}  # each lane's last entry so far; a lane is absent until its first chained entry
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
            prev_hash = last_hash.get(entry.lane)
            if prev_hash is None and not entry.entry_hash:
                before_chain += 1
                continue
            if entry.prev_hash != (prev_hash or ""):
                return Verdict(
                    checked, before_chain, entry.id, "the entry before it was changed or deleted", len(last_hash)
                )
            if entry_digest(entry, entry.prev_hash) != entry.entry_hash:
                return Verdict(checked, before_chain, entry.id, "the entry itself was changed", len(last_hash))
            last_hash[entry.lane] = entry.entry_hash
            checked += 1
    return Verdict(checked=checked, before_chain=before_chain, lanes=len(last_hash))
