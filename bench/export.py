"""Evaluator-export benchmark on the county-sized PostgreSQL data set (issue 17).

Streams the whole evaluator export from a data set already built (bench.page_load.build, plus the
outcome records bench.scorecard adds), in a fresh process per run so peak memory is the run's own,
and prints for each run: size, wall time, CPU time of this process (user+sys), CPU time of the
PostgreSQL backend that served it (from /proc, when the database runs on this machine) and peak
memory; then best and worst of the runs, with the load average before and after.

    .venv/bin/python -m bench.export --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_export
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import StaticPool

from app.outcomes.export import stream_zip


def _backend_ticks(pid: int) -> int | None:
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return None
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime and stime


def one_run(url: str) -> dict:
    # One connection for the whole export, so its backend's CPU is the export's.
    engine = create_engine(url, poolclass=StaticPool)
    with engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    before = _backend_ticks(pid)
    started, cpu = time.perf_counter(), os.times()
    size = 0
    for chunk in stream_zip(engine=engine, secret_key="bench-secret-key-0123456789-0123456789"):
        size += len(chunk)
    wall, after = time.perf_counter() - started, os.times()
    db = _backend_ticks(pid)
    return {
        "mb": size / 1e6,
        "wall": wall,
        "cpu": (after.user - cpu.user) + (after.system - cpu.system),
        "db_cpu": None if before is None or db is None else (db - before) / os.sysconf("SC_CLK_TCK"),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/homeward_bench")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.database_url)))
        return
    print(f"load average at the start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    runs = []
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, "-m", "bench.export", "--one", "--database-url", args.database_url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        run = json.loads(out.strip().splitlines()[-1])
        runs.append(run)
        db = f"{run['db_cpu']:.1f} s" if run["db_cpu"] is not None else "not measured"
        print(
            f"export: {run['mb']:.1f} MB in {run['wall']:.1f} s wall; CPU {run['cpu']:.1f} s (exporting process), "
            f"{db} (PostgreSQL backend); peak memory {run['peak_mb']:.0f} MB; "
            f"load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    for key, name in (("wall", "wall"), ("cpu", "process CPU"), ("peak_mb", "peak MB")):
        values = [r[key] for r in runs]
        print(f"{name}: best {min(values):.1f}, worst {max(values):.1f}")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
