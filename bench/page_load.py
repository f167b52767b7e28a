"""Case-page benchmark against a county-sized PostgreSQL data set (DESIGN.md "Budgets").

Not a timed test: it builds the data set, serves the real app with uvicorn, drives it with
`CONCURRENCY` simulated users (httpx on asyncio, one keep-alive connection each), and prints
p50/p95/p99 latency and throughput for the case page and for a bare endpoint (`/healthz`) in the
same run. Budgets: case page throughput >= 50% of the bare one (issue 21). `--warm 40` first runs the
loop unmeasured until both server processes hold every page, so what is measured is repeat views.

    .venv/bin/python -m bench.page_load --database-url postgresql+psycopg://postgres@127.0.0.1:5432/homeward_bench \
        --workers 500 --cases 50000 --ratings 1000000

The database named in the URL is dropped and re-created. Smaller sizes (--cases 5000) are
quicker for a first look; the figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta

import httpx
from sqlalchemy import create_engine, insert, text
from sqlmodel import Session

from app.accounts.models import Team, User
from app.cases.models import Case, CaseEvent, Contact, Person
from app.cli import migrate
from app.config import Settings
from app.diamond.models import DiamondRating
from app.security.passwords import hash_password
from app.security.sessions import start_session
from app.timeutil import utcnow

SECRET = "bench-secret-key-that-is-long-enough-0123456789abcdef"
AIMS = ("wellbeing", "learning", "relationships", "empowerment")


def recreate_database(url: str) -> None:
    base, name = url.rsplit("/", 1)
    admin = create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()


def chunks(rows, size=5000):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def settle(url: str) -> None:
    """VACUUM (ANALYZE) every table, as autovacuum does to a database in use: a set just loaded has
    no visibility map, so every index-only scan visits the table too and the planner, knowing it,
    prefers scanning whole tables (EXPLAIN ANALYZE on the county set: a team's contact figures 56 ms
    by a hash join over all 200,000 contacts, 7 ms by the index once vacuumed), and autovacuum
    would otherwise do it in the middle of the timings (issue 21). Then a CHECKPOINT: loading and
    vacuuming the set leave gigabytes of dirty pages, and a checkpoint flushing them during the
    timings makes every commit (each audited page view is one) wait on the disk (pg_stat_bgwriter
    counted 79 requested checkpoints in one session of builds here)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM (ANALYZE)"))
        connection.execute(text("CHECKPOINT"))
    engine.dispose()


def build(url: str, *, workers: int, cases: int, ratings: int) -> list[tuple[int, list[int]]]:
    """Load the data set; returns (worker id, their case ids) for the load generator."""
    recreate_database(url)
    migrate(url)
    engine = create_engine(url)
    rng = random.Random(42)
    started = time.perf_counter()
    password = hash_password("bench-password")
    with engine.begin() as connection:
        teams = max(1, workers // 8)
        connection.execute(insert(Team), [{"name": f"Team {t}", "created_at": utcnow()} for t in range(teams)])
        team_ids = [r[0] for r in connection.execute(text("SELECT id FROM team ORDER BY id"))]
        connection.execute(
            insert(User),
            [
                {
                    "email": f"w{n}@bench.example",
                    "full_name": f"Worker {n}",
                    "role": "worker",
                    "team_id": team_ids[n % teams],
                    "password_hash": password,
                    "is_active": True,
                    "created_at": utcnow(),
                }
                for n in range(workers)
            ],
        )
        users = [(r[0], r[1]) for r in connection.execute(text('SELECT id, team_id FROM "user" ORDER BY id'))]
        case_rows = []
        today = date.today()
        for n in range(cases):
            worker_id, team_id = users[n % workers]
            status = rng.choices(["active", "dormant", "closed", "screening"], weights=[60, 15, 20, 5])[0]
            case_rows.append(
                {
                    "reference": f"HW-B-{n:06d}",
                    "young_person_name": f"Young Person {n}",
                    "preferred_name": "",
                    "date_of_birth": today - timedelta(days=365 * 15 + n % 1500),
                    "status": status,
                    "practice_context": "early_help",
                    "key_worker_id": worker_id,
                    "team_id": team_id,
                    "referral_date": today - timedelta(days=n % 400),
                    "opened_at": utcnow(),
                    "version": 1,
                    "updated_at": utcnow(),
                }
            )
        for chunk in chunks(case_rows):
            connection.execute(insert(Case), chunk)
        case_ids = [(r[0], r[1]) for r in connection.execute(text('SELECT id, key_worker_id FROM "case" ORDER BY id'))]
        people, events, contacts = [], [], []
        for case_id, worker_id in case_ids:
            yp = f"00000000-0000-4000-8000-{case_id:012d}"
            people.append(
                {
                    "id": yp,
                    "case_id": case_id,
                    "name": f"Young Person {case_id}",
                    "relationship": "Young person",
                    "is_young_person": True,
                    "in_household": True,
                }
            )
            people.append(
                {
                    "id": f"00000000-0000-4000-9000-{case_id:012d}",
                    "case_id": case_id,
                    "name": f"Parent {case_id}",
                    "relationship": "Mother",
                    "is_young_person": False,
                    "in_household": True,
                }
            )
            events.append(
                {
                    "id": f"00000000-0000-4000-a000-{case_id:012d}",
                    "case_id": case_id,
                    "kind": "referral",
                    "to_status": "referred",
                    "rationale": "Referral received.",
                    "occurred_at": utcnow(),
                    "recorded_at": utcnow(),
                    "by_user_id": worker_id,
                }
            )
            for k in range(4):
                contacts.append(
                    {
                        "id": f"00000000-0000-4{k:03d}-b000-{case_id:012d}",
                        "case_id": case_id,
                        "kind": "visit",
                        "occurred_on": today - timedelta(days=7 * k),
                        "duration_minutes": 60,
                        "place": "home",
                        "present": [],
                        "attended": k != 2,
                        "direct_minutes": 0 if k == 2 else 60,
                        "admin_minutes": 0,
                        "note": "",
                        "recorded_at": utcnow(),
                        "by_user_id": worker_id,
                    }
                )
        defaults = {
            "is_young_person": False,
            "in_household": False,
            "knows_the_worries": False,
            "phone": "",
            "email": "",
            "address": "",
            "notes": "",
            "created_at": utcnow(),
            "version": 1,
            "updated_at": utcnow(),
        }
        for chunk in chunks([{**defaults, **p} for p in people]):
            connection.execute(insert(Person), chunk)
        for chunk in chunks(events):
            connection.execute(insert(CaseEvent), chunk)
        contact_defaults = {"start_time": None, "young_person_seen": True, "seen_alone": False}
        for chunk in chunks([{**contact_defaults, **c} for c in contacts]):
            connection.execute(insert(Contact), chunk)
        # Ratings: spread over the cases, four aims per sitting, young person rating on the same day.
        rating_rows = []
        per_case = max(1, ratings // len(case_ids))
        for case_id, worker_id in case_ids:
            for r in range(per_case):
                rating_rows.append(
                    {
                        "id": f"{case_id:08x}-{r:04x}-4000-8000-{r:012x}",
                        "case_id": case_id,
                        "person_id": f"00000000-0000-4000-8000-{case_id:012d}",
                        "user_id": None,
                        "aim": AIMS[r % 4],
                        "goal_id": None,
                        "score": rng.randint(0, 10),
                        "positive_experiences": "",
                        "next_step": "",
                        "rated_on": today - timedelta(days=42 * (r // 4)),
                        "recorded_at": utcnow(),
                        "recorded_by_user_id": worker_id,
                        "in_family_mode": True,
                    }
                )
            if len(rating_rows) >= 20000:
                connection.execute(insert(DiamondRating), rating_rows)
                rating_rows = []
        if rating_rows:
            connection.execute(insert(DiamondRating), rating_rows)
    engine.dispose()
    settle(url)
    by_worker: dict[int, list[int]] = {}
    for case_id, worker_id in case_ids:
        by_worker.setdefault(worker_id, []).append(case_id)
    print(
        f"built {workers} workers, {len(case_ids)} cases, {per_case * len(case_ids)} ratings in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return list(by_worker.items())


def cookies_for(url: str, worker_ids: list[int]) -> dict[int, str]:
    settings = Settings(homeward_env="test", database_url=url, secret_key=SECRET)
    engine = create_engine(url)
    out = {}
    with Session(engine) as session:
        for worker_id in worker_ids:
            user = session.get(User, worker_id)
            out[worker_id] = start_session(session=session, user=user, settings=settings, user_agent="bench")
        session.commit()
    engine.dispose()
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU time so far (user and system, in seconds) of the app (the server process started as
    `server_pid` and its children), of PostgreSQL (every process named postgres on this machine)
    and of this process (the load generator), read from /proc (Linux): the difference over a
    timed loop, divided by its requests, is what one request costs each of them."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    spent: dict[int, float] = {}
    names: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                line = stat.read()
        except OSError:  # ended while we looked
            continue
        name = line[line.index("(") + 1 : line.rindex(")")]
        fields = line[line.rindex(")") + 2 :].split()
        pid = int(entry)
        names[pid], parents[pid] = name, int(fields[1])
        spent[pid] = (int(fields[11]) + int(fields[12])) / tick

    def in_server(pid: int) -> bool:
        while pid > 1:
            if pid == server_pid:
                return True
            pid = parents.get(pid, 0)
        return False

    return {
        "app": sum(t for pid, t in spent.items() if in_server(pid)),
        "postgres": sum(t for pid, t in spent.items() if names[pid] == "postgres"),
        "generator": spent.get(os.getpid(), 0.0),
    }


def cpu_per_request(before: dict[str, float], after: dict[str, float], requests: int) -> dict[str, float]:
    """Milliseconds of CPU one request cost the app, PostgreSQL and the load generator."""
    return {part: 1000 * (after[part] - before[part]) / max(requests, 1) for part in before}


def statements(response: httpx.Response) -> str:
    """The SQL statements the server ran for `response`, from its Server-Timing header (app/timing.py)."""
    match = re.search(r'desc="(\d+) statements"', response.headers.get("server-timing", ""))
    return match.group(1) if match else "?"


def built_page(response: httpx.Response) -> bool:
    """Whether the server built the case page it answered (dozens of statements) rather than
    sending it as kept (two or three): from Server-Timing, so SERVER_TIMING must be on."""
    counted = statements(response)
    return counted.isdigit() and int(counted) > 5


async def drive(
    base: str, targets: list[tuple[str, list[str]]], seconds: float, timeout: float = 30, built: list[int] | None = None
) -> tuple[list[float], int]:
    """Each (cookie, paths) is one user looping over their pages for `seconds`; returns latencies in ms.
    With `built` (a list), the requests whose page was built rather than kept are counted into its
    one item (from Server-Timing's statement count: SERVER_TIMING on; a kept page reads two or three).

    The users connect one by one, 20 ms apart, before the clock starts: connections arriving at
    once were all accepted by whichever server process woke first (asyncio accepts a whole backlog
    in one go), so a loop could be measured on one process of two, and the same loop read a third
    apart from run to run."""
    latencies: list[float] = []
    errors = 0
    connected = 0
    everyone = asyncio.Event()
    deadline = 0.0

    async def user(number: int, cookie: str, paths: list[str]) -> None:
        nonlocal errors, connected, deadline
        async with httpx.AsyncClient(base_url=base, cookies={"homeward_session": cookie}, timeout=timeout) as client:
            await asyncio.sleep(number * 0.02)
            await client.get("/healthz")  # the connection this user keeps
            connected += 1
            if connected == len(targets):
                deadline = time.perf_counter() + seconds
                everyone.set()
            await everyone.wait()
            i = 0
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get(paths[i % len(paths)])
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    errors += 1
                if built is not None:
                    built[0] += built_page(response)
                i += 1

    await asyncio.gather(*(user(n, c, p) for n, (c, p) in enumerate(targets)))
    return latencies, errors


def report(name: str, latencies: list[float], errors: int, seconds: float) -> float:
    q = statistics.quantiles(latencies, n=100)
    rate = len(latencies) / seconds
    print(
        f"{name:10s} requests={len(latencies):6d} errors={errors} throughput={rate:7.1f}/s p50={q[49]:6.1f} ms p95={q[94]:6.1f} ms p99={q[98]:6.1f} ms",
        flush=True,
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/homeward_bench")
    parser.add_argument("--workers", type=int, default=500)
    parser.add_argument("--cases", type=int, default=50000)
    parser.add_argument("--ratings", type=int, default=1000000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--server-processes", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="skip building; use the data already there")
    parser.add_argument("--pages", type=int, default=10, help="case pages each user loops over")
    parser.add_argument(
        "--warm",
        type=float,
        default=0,
        help="seconds of the same loop before measuring, so both processes hold every page (repeat views)",
    )
    args = parser.parse_args()

    if args.reuse:
        engine = create_engine(args.database_url)
        with engine.connect() as connection:
            rows = connection.execute(text('SELECT key_worker_id, id FROM "case" ORDER BY id')).all()
        engine.dispose()
        grouped: dict[int, list[int]] = {}
        for worker_id, case_id in rows:
            grouped.setdefault(worker_id, []).append(case_id)
        by_worker = list(grouped.items())
    else:
        by_worker = build(args.database_url, workers=args.workers, cases=args.cases, ratings=args.ratings)
    chosen = by_worker[: args.concurrency]
    cookies = cookies_for(args.database_url, [w for w, _ in chosen])

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "SECRET_KEY": SECRET,
        "HOMEWARD_ENV": "test",
        "PORT": str(port),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", str(args.server_processes)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # importing the app takes many seconds on a busy machine
            try:
                if httpx.get(base + "/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        case_targets = [(cookies[w], [f"/cases/{c}" for c in cases[: args.pages]]) for w, cases in chosen]
        bare_targets = [(cookies[w], ["/healthz"]) for w, _ in chosen]
        asyncio.run(drive(base, case_targets[:5], 3))  # warm up
        if args.warm:
            asyncio.run(drive(base, case_targets, args.warm, timeout=600))  # first views queue long
        latencies, errors = asyncio.run(drive(base, case_targets, args.seconds))
        case_rate = report("case page", latencies, errors, args.seconds)
        latencies, errors = asyncio.run(drive(base, bare_targets, args.seconds))
        bare_rate = report("bare", latencies, errors, args.seconds)
        print(f"case page throughput is {100 * case_rate / bare_rate:.0f}% of the bare endpoint's", flush=True)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
