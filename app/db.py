"""Database engine and the per-request session: one transaction per request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import event
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
