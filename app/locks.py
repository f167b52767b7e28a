"""Database locks: one scheduled job at a time across processes, and the case writers' turns."""

from __future__ import annotations

import asyncio
import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import HTTPException
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.transaction_memos import for_transaction, remember_for_transaction

log = logging.getLogger("homeward")


@contextmanager
def try_lock(engine: Engine, key: int, name: str) -> Iterator[bool]:
    """Whether this process holds the database-wide lock `key` now (one scheduled tick, one
    evaluator export at a time, however many app processes). Never waits.

    PostgreSQL: a session-level advisory lock (pg_try_advisory_lock), held on its own connection
    and released by the database if the process dies. SQLite: an exclusive lock on a file beside
    the database (one SQLite file is only ever served from one machine), released likewise.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            got = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
            connection.commit()
            try:
                yield got
            finally:
                if got:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    connection.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield True
        return
    with open(Path(f"{database}.{name}-lock"), "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# Writers of cases take turns: a transaction-scoped advisory lock taken before a change reads the
# case (app/security/permissions.py `case_for_change`), or at the latest before the first case row
# a write locks (moving its page version), so two writers of the same cases cannot deadlock, one
# holding a case row and waiting for another's, whatever order their flushes write them in, and a
# change's checks see what the changes before it committed (docs/architecture.md). Reads
# never take it: their audit entries go in the writing connection's own lane of the audit chain,
# which takes no lock for a transaction (app/audit/chain.py).
CASE_WRITE_LOCK = 20_020


def hold_case_write_lock(session: Session) -> None:
    """Take the case writers' lock for the rest of the transaction (PostgreSQL; SQLite has one writer)."""
    if session.get_bind().dialect.name != "postgresql" or for_transaction(session, "case_write_lock"):
        return
    connection = session.connection()
    if _on_event_loop():
        # A safety net no route reaches: every route does its database work in the thread pool
        # (plain `def` routes taking the form as `SentForm`, app/forms.py; the case page through
        # `in_one_hop`), and the tests fail any statement run on the event loop (tests/conftest.py,
        # tests/test_event_loop.py). Waiting on the loop for this lock would stop every request of
        # the process, the lock's holder among them (its commit needs the loop), for good; so
        # should some code path still ask here, it waits a moment only, then refuses with a 503
        # the device retries and a person can send again, nothing saved, and says so in the log.
        log.error("the case writers' lock was asked for on the event loop; do that work in the thread pool")
        took = connection.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": CASE_WRITE_LOCK})
        if not took.scalar():
            connection.execute(text("SET LOCAL lock_timeout = '1s'"))
            try:
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CASE_WRITE_LOCK})
            except OperationalError as error:
                if getattr(error.orig, "sqlstate", "") != "55P03":  # lock_not_available
                    raise
                raise CaseWritersBusy() from None
            connection.execute(text("SET LOCAL lock_timeout = 0"))
    else:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CASE_WRITE_LOCK})
    remember_for_transaction(session, "case_write_lock", True)


class CaseWritersBusy(HTTPException):
    def __init__(self) -> None:
        super().__init__(
            status_code=503,
            detail="Another change to a case was being saved at the same moment, so this one was not saved. Please send it again.",
            headers={"Retry-After": "1"},
        )


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
