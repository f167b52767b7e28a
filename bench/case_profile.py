"""In-process cost of one case page on a real data set, read only (issue 21).

Serves the real app in this process (Starlette's TestClient) on ONE database connection whose
transaction is rolled back at the end, so the session row, the audit entries and anything else a
page writes never reach the database: safe on the shared county set (homeward_bench).

For each of `--cases` case pages of one worker it measures, first view and repeat view:
CPU time of this process (not wall time: the machine is shared), SQL statements, time spent in
the driver; then the same for the bare endpoint (/healthz). `--profile` prints cProfile's top
entries for the first views.

    .venv/bin/python -m bench.case_profile \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/homeward_bench
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
import statistics
import time
import traceback

import anyio.to_thread
from sqlalchemy import event, text
from sqlmodel import Session
from starlette.testclient import TestClient

from app.accounts.models import User
from app.cases import routes as case_routes
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.security.sessions import start_session

SECRET = "bench-secret-key-that-is-long-enough-0123456789abcdef"


class Meter:
    """Statements and driver time on one engine."""

    def __init__(self, engine) -> None:
        self.statements = 0
        self.sql_seconds = 0.0
        self._started = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_args) -> None:
        self.statements += 1
        self._started = time.perf_counter()

    def _after(self, *_args) -> None:
        self.sql_seconds += time.perf_counter() - self._started

    def reset(self) -> None:
        self.statements = 0
        self.sql_seconds = 0.0


def measure(
    client: TestClient, meter: Meter, paths: list[str], rounds: int, before=None
) -> tuple[float, float, float, int]:
    """Median CPU ms, median wall ms, median SQL ms per request and the statements of the last one.
    `before` runs before each request, outside the measurement (the page cache emptied: first views)."""
    cpu, wall, sql, statements = [], [], [], 0
    for _ in range(rounds):
        for path in paths:
            if before is not None:
                before()
            meter.reset()
            c0, w0 = time.process_time(), time.perf_counter()
            response = client.get(path)
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
            sql.append(meter.sql_seconds * 1000)
            statements = meter.statements
            assert response.status_code == 200, (path, response.status_code)
    return statistics.median(cpu), statistics.median(wall), statistics.median(sql), statements


PROFILING = [False]

# The database's own plumbing, never the app line a statement is asked for by.
PLUMBING = ("/app/db.py", "/app/page_versions.py", "/app/locks.py")


def print_statements(engine, client: TestClient, path: str) -> None:
    """Each statement of one first view of `path`, with the innermost app line that ran it."""
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args) -> None:
        frames = [f for f in traceback.extract_stack() if "/app/" in f.filename and not f.filename.endswith(PLUMBING)]
        where = f"{frames[-1].filename.split('/app/')[-1]}:{frames[-1].lineno} {frames[-1].name}" if frames else "?"
        seen.append(f"{where:<55} {' '.join(statement.split())[:110]}")

    case_routes.page_cache.pages.clear()
    event.listen(engine, "before_cursor_execute", before)
    try:
        client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    for n, line in enumerate(seen, 1):
        print(f"{n:>3} {line}")


class Profiled:
    """Profile whole requests (middleware, the session, the case read, the page, the commit and
    its audit entry). cProfile sees one thread only, so while profiling, the work FastAPI would
    hand to its thread pool runs inline on the event loop's thread."""

    def __init__(self, app, profiler: cProfile.Profile) -> None:
        self.app, self.profiler = app, profiler

    async def __call__(self, scope, receive, send):
        if not (PROFILING[0] and scope["type"] == "http"):
            return await self.app(scope, receive, send)
        original = anyio.to_thread.run_sync

        async def inline(func, *args, **_options):
            return func(*args)

        anyio.to_thread.run_sync = inline
        self.profiler.enable()
        try:
            return await self.app(scope, receive, send)
        finally:
            self.profiler.disable()
            anyio.to_thread.run_sync = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--cases", type=int, default=10, help="case pages of one worker")
    parser.add_argument("--rounds", type=int, default=5, help="repeat views of each page")
    parser.add_argument("--profile", choices=["first", "repeat"], help="cProfile the first or the repeat views")
    parser.add_argument("--no-cache", action="store_true", help="keep no rendered case page (as before issue 21)")
    parser.add_argument(
        "--first-rounds", type=int, default=1, help="first views of each page (the page cache emptied before each)"
    )
    parser.add_argument(
        "--statements", action="store_true", help="print each statement of one first view and the app line that ran it"
    )
    args = parser.parse_args()
    if args.no_cache and hasattr(case_routes, "page_cache"):
        case_routes.page_cache.pages.size = 0

    # The served app's engine, with what make_engine sets up for the driver (psycopg keeping its
    # conversion of long statements): a bare create_engine measured work a server does not do.
    engine = make_engine(args.database_url)
    connection = engine.connect()
    outer = connection.begin()  # rolled back at the end: nothing this script does is kept
    settings = Settings(homeward_env="test", database_url=args.database_url, secret_key=SECRET)
    try:
        with Session(connection, join_transaction_mode="create_savepoint") as session:
            worker_id, *_ = session.execute(
                text(
                    "SELECT key_worker_id, count(*) FROM \"case\" WHERE status = 'active' "
                    "GROUP BY key_worker_id ORDER BY key_worker_id LIMIT 1"
                )
            ).one()
            case_ids = [
                r[0]
                for r in session.execute(
                    text('SELECT id FROM "case" WHERE key_worker_id = :w ORDER BY id LIMIT :n'),
                    {"w": worker_id, "n": args.cases},
                )
            ]
            cookie = start_session(
                session=session, user=session.get(User, worker_id), settings=settings, user_agent="x"
            )
            session.commit()
        app = create_app(settings, engine=connection)
        profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not waiting
        logging.getLogger().setLevel(logging.WARNING)
        meter = Meter(engine)
        paths = [f"/cases/{c}" for c in case_ids]
        served = Profiled(app, profiler) if profiler else app
        with TestClient(served, cookies={"homeward_session": cookie}) as client:
            client.get("/healthz")
            client.get(paths[0])  # templates compiled, caches warm: not counted
            if args.statements:
                print_statements(engine, client, paths[1])
            PROFILING[0] = args.profile == "first"
            first = measure(client, meter, paths[1:], args.first_rounds, before=case_routes.page_cache.pages.clear)
            PROFILING[0] = args.profile == "repeat"
            repeat = measure(client, meter, paths[1:], args.rounds)
            PROFILING[0] = False
        # /healthz opens a connection of its own (it writes nothing): served from the engine.
        with TestClient(create_app(settings, engine=engine)) as client:
            bare = measure(client, meter, ["/healthz"], 50)
        load = os.getloadavg()[0]
        print(f"load average {load:.2f}; {len(paths) - 1} case pages of worker {worker_id}")
        print(f"{'':<28}{'CPU ms':>8}{'wall ms':>9}{'SQL ms':>8}{'stmts':>7}")
        for name, (cpu, wall, sql, n) in (
            ("case page, first view", first),
            ("case page, repeat view", repeat),
            ("bare endpoint", bare),
        ):
            print(f"{name:<28}{cpu:>8.1f}{wall:>9.1f}{sql:>8.1f}{n:>7}")
        print(f"case page (repeat) CPU / bare CPU: {repeat[0] / bare[0]:.1f}x")
        cache = getattr(case_routes, "page_cache", None)  # absent before issue 21: compare with main
        if cache is not None:
            print(f"page cache: {cache.pages.hits} hits, {cache.pages.misses} misses")
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
            stats.print_stats(int(os.environ.get("PROFILE_LINES", "50")))
            print(out.getvalue())
    finally:
        outer.rollback()
        connection.close()
        engine.dispose()


if __name__ == "__main__":
    main()
