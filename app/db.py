"""Database engine and the per-request session: one transaction per request."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets its folder created, foreign keys and WAL."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


# Integer primary keys are 32-bit on PostgreSQL: a larger id in a URL would make the database
# refuse the query (a 500) instead of simply finding nothing (a 404).
MAX_ID = 2**31 - 1


def is_valid_id(value: int) -> bool:
    """Whether `value` could be an integer primary key (look it up only if so)."""
    return 0 < value <= MAX_ID


def parse_id(text: str) -> int | None:
    """The id a query string names, or None when it could not be one ("²" is a digit to
    `str.isdigit` but not to `int`; a 25-digit number is beyond any column)."""
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return None
    value = int(text)
    return value if is_valid_id(value) else None


def get_session(request: Request) -> Iterator[Session]:
    """A session whose work commits when the request succeeds and rolls back when it fails."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise


# scope="function": commit before the response is sent. With FastAPI's default ("request") the
# commit runs after the answer has left: a browser following a post/redirect/get 303 could read the
# page before the change was committed, and an offline device could be told "saved" for a change
# that then failed to commit, and drop it (DESIGN.md "Offline": never lose work).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


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
