"""Database engine and the per-request session: one transaction per request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from functools import cache
from pathlib import Path
from typing import Annotated, TypeVar
from weakref import WeakKeyDictionary

from anyio import CapacityLimiter
from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import Engine, Result
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.pool import QueuePool
from sqlalchemy.sql.selectable import _OffsetLimitParam
from sqlmodel import Session, create_engine
from starlette.concurrency import run_in_threadpool

# Every flush of every session moves the case page's version: its hooks are registered when
# app/page_versions.py is imported, so here, where everything that makes a session looks first.
from app import page_versions  # noqa: F401


def make_engine(url: str, connections: int = 20) -> Engine:
    """An engine for `url`; SQLite gets its folder created, foreign keys and WAL. It keeps
    `connections` open, and `get_session` lets that many requests hold a session at once: on
    PostgreSQL a connection closed on its return, as the pool's overflow is, costs a new server
    process at the next use (about a third of a busy case page's machine time, issue 21). The
    overflow's 10 serve what opens a connection without a session (the health check, refusals)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=connections,
            max_overflow=10,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    _psycopg_keeps_long_statements()
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=connections,
        max_overflow=10,
        connect_args={"cursor_factory": _cursor_describing_on_demand()},
    )


def read_columns(session: Session, statement, params: dict) -> Result:
    """Run a SELECT of plain columns (no model objects) on the session's own connection.

    The same rows as `session.execute` gives, in the same transaction, without the ORM's own pass
    over the statement: about 0.1 ms of CPU a statement, most of what running it costs us (issue
    21: a case page's first view runs eight such statements). Changes pending in the session are
    flushed first, as `session.execute` would."""
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params)


LONG_STATEMENT = 32 * 1024


def _psycopg_keeps_long_statements() -> None:
    """Let psycopg keep its conversion of statements up to 32 KB, not 4 KB.

    psycopg turns each statement's `%(name)s` placeholders into PostgreSQL's `$1` on every run,
    and keeps the result (128 statements) only for statements under 4 KB: a guard against ORMs'
    `INSERT … VALUES` of ever-changing length. The case page's flag figures were one fixed 12.5 KB
    statement (7 KB since), converted afresh on every first view (0.44 ms a run under cProfile,
    issue 21). Our statements are built once and few; 128 of 32 KB would be some 12 MB a process
    at the very worst. `MAX_CACHED_STATEMENT_LENGTH` is psycopg's own module
    setting, read at each run (tests/test_statement_plans.py checks it still takes effect)."""
    from psycopg import _queries

    if getattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", LONG_STATEMENT) < LONG_STATEMENT:
        _queries.MAX_CACHED_STATEMENT_LENGTH = LONG_STATEMENT


@cache
def _cursor_describing_on_demand():
    """psycopg's cursor, its `description` (the result's columns) built only when read.

    psycopg builds a `Column` for every column of a result whenever `description` is asked, and
    SQLAlchemy asks after every statement, only to see that it returned rows once it knows the
    statement's columns: a case page's first view built some 190 of them, about 2 µs each (0.1 ms
    for its login session's 65 columns alone), to throw them away (issue 21). The answer is the
    same list of the same columns, made from the result the statement returned even when read later."""
    from collections.abc import Sequence

    from psycopg import Column, Cursor
    from psycopg.pq import ExecStatus

    rows = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, getattr(ExecStatus, "TUPLES_CHUNK", None))

    class _Result:  # what Column reads of a cursor, held to the result described
        def __init__(self, cursor, result) -> None:
            self.pgresult, self.adapters, self._encoding = result, cursor.adapters, cursor._encoding

    class Description(Sequence):
        __slots__ = ("_source", "_n", "_columns")

        def __init__(self, cursor, result) -> None:
            self._source, self._n, self._columns = (cursor, result), result.nfields, None

        def _built(self) -> list:
            if self._columns is None:
                source = _Result(*self._source)
                self._columns = [Column(source, i) for i in range(self._n)]  # type: ignore[arg-type]
            return self._columns

        def __len__(self) -> int:
            return self._n

        def __getitem__(self, index):
            return self._built()[index]

        def __eq__(self, other) -> bool:
            return list(self) == other

        def __repr__(self) -> str:
            return repr(self._built())

    class DescribingOnDemand(Cursor):
        @property
        def description(self):
            result = self.pgresult
            if result and (result.nfields or result.status in rows):
                return Description(self, result)
            return None

    return DescribingOnDemand


@compiles(_OffsetLimitParam, "postgresql")
def _limits_written_out(element, compiler, **kw) -> str:
    """LIMIT and OFFSET as numbers in the statement's text on PostgreSQL, not parameters.

    psycopg prepares a statement it has run five times on a connection, so PostgreSQL can keep one
    plan for it; but with `LIMIT $1` the kept plan cannot know how few rows are wanted, looks dear,
    and PostgreSQL plans the statement afresh on every run instead. Measured on the county set: the
    login session's lookup (which reads the audit lane's end, LIMIT 1) cost 0.27 ms of the
    database's CPU a run, 0.08-0.10 ms with the number written out (issue 21). The number is an
    integer SQLAlchemy writes itself (its Integer type's literal form), never text from a request;
    each LIMIT used is one more statement for psycopg to keep (a hundred per connection)."""
    kw["literal_execute"] = True
    return compiler.visit_bindparam(element, **kw)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session whose work commits when the request succeeds and rolls back when it fails.

    Making a session does no I/O (it connects on first use), so this runs on the event loop, and
    its commit or rollback goes to the thread pool only if there is something to end: a plain
    `def` dependency would cost two hops to the pool on every request, in and out (issue 21). A
    route that finishes its own work in one hop (`in_one_hop`) leaves nothing to do here.

    No more requests hold a session at once than the pool keeps connections (`_holders`), waiting
    here, on the event loop, for their turn: a request holds its connection between its hops to
    the thread pool, so one that waited for a connection inside a thread could leave the holders
    no thread to commit in, and everyone waiting for the pool's timeout."""
    turn = request.state.session_turn = _Turn(_holders(request.app))
    await turn.take()
    session = Session(request.app.state.engine, expire_on_commit=False)
    try:
        yield session
        if session.in_transaction() or session.info.get(PENDING_AT_COMMIT):
            await run_in_threadpool(session.commit)
    except BaseException:
        if session.in_transaction():
            await run_in_threadpool(session.rollback)
        raise
    finally:
        session.close()  # no I/O left: the commit or rollback has given the connection back
        turn.give_back()


class _Turn:
    """One session's place among the holders (its own borrower: a request's task may hold two)."""

    def __init__(self, limiter: CapacityLimiter) -> None:
        self.limiter, self.held = limiter, False

    async def take(self) -> None:
        await self.limiter.acquire_on_behalf_of(self)
        self.held = True

    def give_back(self) -> None:
        if self.held:
            self.held = False
            self.limiter.release_on_behalf_of(self)


def give_up_turn(request: Request) -> None:
    """For a request that hands its work on, in its own task, to a request of its own (a sealed
    offline item opened and sent to its form's route, app/sync/routes.py): its session is never
    used, and kept counted it could leave the one it waits for no turn."""
    turn = getattr(request.state, "session_turn", None)
    if turn is not None:
        turn.give_back()


# Where app/audit/service.py keeps the read and list entries it writes as the transaction commits:
# a commit is still due for them even if no statement began a transaction.
PENDING_AT_COMMIT = "audit_entries_at_commit"


def _holders(app) -> CapacityLimiter:
    """The requests of `app` that may hold a session at once on this event loop: as many as its
    pool keeps connections (one per event loop: a test may serve an app from several)."""
    loop = asyncio.get_running_loop()
    limiters = app.state.__dict__.setdefault("_session_holders", WeakKeyDictionary())
    limiter = limiters.get(loop)
    if limiter is None:
        # A test or bench/case_profile.py may serve an app from one Connection: no pool to follow.
        pool = getattr(app.state.engine, "pool", None)
        limiter = limiters[loop] = CapacityLimiter(pool.size() if isinstance(pool, QueuePool) else 1_000)
    return limiter


T = TypeVar("T")


async def in_one_hop(session: Session, work: Callable[..., T], *args) -> T:
    """`work(*args)` and the commit after it in ONE hop to the thread pool, for an `async def` route
    that does all its database work there: the page most opened (the case page) would otherwise hop
    for the actor's lookup and the route, each hop a thread hand-off that cost more CPU than its
    query (issue 21, docs/performance.md). A failure leaves the rollback to `get_session`."""

    def work_and_commit() -> T:
        result = work(*args)
        session.commit()
        return result

    return await run_in_threadpool(work_and_commit)


# scope="function": commit before the response is sent. With FastAPI's default ("request") the
# commit runs after the answer has left: a browser following a post/redirect/get 303 could read the
# page before the change was committed, and an offline device could be told "saved" for a change
# that then failed to commit, and drop it (DESIGN.md "Offline": never lose work).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
