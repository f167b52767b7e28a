"""The pages a supervisor and a manager live on, timed in-process on a county data set (issue 21).

Not a load test: one request at a time through the real app (FastAPI's TestClient, the real
PostgreSQL database), best of N, with the process CPU time and the SQL statements and their time
beside each page, so a figure can be read on a machine shared with other work. The data set must
be a copy you may write to (pages write the audit log), built once with:

    .venv/bin/python -c "from bench.page_load import build; from bench.run import overseers; \
        u='postgresql+psycopg://postgres@127.0.0.1:5432/bench_mgrpages'; \
        build(u, workers=500, cases=50_000, ratings=1_000_000); overseers(u)"
    .venv/bin/python -m bench.manager_pages --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_mgrpages

`--tick` runs the scheduled work's flag snapshot first (what `homeward tick` keeps hourly), which
the manager's whole-service oversight reads.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from datetime import UTC, datetime

from sqlalchemy import event, text
from sqlmodel import Session
from starlette.testclient import TestClient

from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.review.oversight import keep_week
from app.timeutil import local
from bench.page_load import SECRET, cookies_for, settle
from bench.run import overseers

PAGES = [
    ("team oversight (supervisor's team)", "supervisor", "/review/oversight"),
    ("oversight, whole service (manager)", "manager", "/review/oversight"),
    ("oversight, one team (manager)", "manager", "/review/oversight?team={team}"),
    ("dormant register (manager)", "manager", "/dormant"),
    ("team cases (supervisor)", "supervisor", "/team/cases"),
    ("team cases, whole service (manager)", "manager", "/team/cases"),
    ("team cases, whole service, flagged (manager)", "manager", "/team/cases?flag=any"),
    ("team cases, whole service, by flags (manager)", "manager", "/team/cases?flag=any&sort=attention"),
    ("review queue (manager)", "manager", "/review"),
    ("caseload (worker)", "worker", "/"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--times", type=int, default=5)
    parser.add_argument("--tick", action="store_true", help="keep this week's flag snapshot first")
    parser.add_argument("--only", default="", help="run only pages whose name contains this")
    parser.add_argument("--slowest", type=int, default=0, help="print each page's N slowest statements")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    url = args.database_url
    supervisor_id, manager_id = overseers(url)
    settings = Settings(homeward_env="test", database_url=url, secret_key=SECRET)
    engine = make_engine(url)
    with engine.connect() as connection:
        team_id = connection.execute(text('SELECT team_id FROM "user" WHERE id = :id'), {"id": supervisor_id}).scalar()
        worker_id = connection.execute(
            text("""SELECT key_worker_id FROM "case" WHERE status = 'active' ORDER BY key_worker_id LIMIT 1""")
        ).scalar()
    app = create_app(settings=settings, engine=engine)  # installs the features the tick's flags need
    if args.tick:
        now = datetime.now(UTC)
        started = time.perf_counter()
        with Session(engine) as session:
            kept = keep_week(session=session, settings=settings, today=local(now).date(), now=now)
            session.commit()
        print(f"flag snapshot ({kept} rows) kept in {time.perf_counter() - started:.1f} s")
        settle(url)  # VACUUM (ANALYZE), as autovacuum does to a database in use
    cookies = cookies_for(url, [supervisor_id, manager_id, worker_id])
    who = {"supervisor": supervisor_id, "manager": manager_id, "worker": worker_id}
    statements: list[tuple[float, str]] = []
    started_at: dict[int, float] = {}

    def _before(conn, cursor, statement, parameters, context, executemany):
        started_at[id(cursor)] = time.perf_counter()

    def _after(conn, cursor, statement, parameters, context, executemany):
        statements.append((time.perf_counter() - started_at.pop(id(cursor), time.perf_counter()), statement))

    event.listen(engine, "before_cursor_execute", _before)
    event.listen(engine, "after_cursor_execute", _after)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'page':48} {'best ms':>8} {'cpu ms':>7} {'sql ms':>7} {'stmts':>6} {'KB':>6}")
    with TestClient(app, base_url="https://testserver") as client:
        for name, role, path in PAGES:
            if args.only and args.only not in name:
                continue
            client.cookies.set("homeward_session", cookies[who[role]])
            best = None
            for _ in range(args.times):
                statements.clear()
                wall, cpu = time.perf_counter(), time.process_time()
                response = client.get(path.format(team=team_id))
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                sql = sum(t for t, _ in statements)
                figure = (wall * 1000, cpu * 1000, sql * 1000, len(statements), len(response.content))
                if best is None or figure[0] < best[0]:
                    best, slowest = figure, sorted(statements, reverse=True)[: args.slowest]
            assert response.status_code == 200, (path, response.status_code)
            print(f"{name:48} {best[0]:8.0f} {best[1]:7.0f} {best[2]:7.0f} {best[3]:6d} {best[4] / 1024:6.0f}")
            for took, statement in slowest:
                print(f"    {took * 1000:6.0f} ms  {' '.join(statement.split())[:400]}")
    engine.dispose()


if __name__ == "__main__":
    main()
