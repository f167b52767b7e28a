"""Scorecard and evaluator-export benchmark on the county-sized PostgreSQL data set (issue 17).

Builds the data set with bench.page_load.build (unless --reuse), adds a baseline and an ending
outcome record to every case, then times the service scorecard for a year (in-process, best of
three) and streams the whole evaluator export, reporting its size, time, the CPU time of this
process and its peak memory (run with --reuse so building the data set does not count towards it).
Not a timed test; the figures go in docs/performance.md.

    .venv/bin/python -m bench.scorecard --database-url postgresql+psycopg://postgres@127.0.0.1:5432/homeward_bench
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlmodel import Session

from app.cases.models import CaseEvent
from app.endings.models import Ending
from app.outcomes.card import Pair, Period
from app.outcomes.export import stream_zip
from app.outcomes.models import OutcomeRecord
from app.outcomes.scorecard import scorecard
from app.timeutil import utcnow
from bench.page_load import build, chunks


def add_outcome_records(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        rows = connection.execute(text('SELECT id, key_worker_id FROM "case" ORDER BY id')).all()
        today = date.today()
        records = []
        for case_id, worker_id in rows:
            start = today - timedelta(days=30 + case_id % 600)
            common = {"case_id": case_id, "by_user_id": worker_id, "source": "form"}
            records.append(
                {**common, "id": f"b-{case_id}", "point": "baseline", "taken_on": start, "living": "with_parents"}
            )
            records.append({**common, "id": f"e-{case_id}", "point": "ending", "taken_on": min(today, start + timedelta(days=120)),
                            "living": "in_care" if case_id % 9 == 0 else "with_parents"})  # fmt: skip
        defaults = {
            c.name: c.default.arg
            for c in OutcomeRecord.__table__.columns
            if c.default is not None and not callable(c.default.arg)
        }
        defaults["recorded_at"] = utcnow()
        for batch in chunks(records):
            connection.execute(insert(OutcomeRecord), [{**defaults, **r} for r in batch])
    engine.dispose()


REASONS = ["aims_achieved", "aims_achieved", "consent_withdrawn", "moved_away", "stepped_up", "stepped_down"]


def add_endings(url: str) -> None:
    """An ending on the day of each case's ending record, and for the work that ended a year or more
    ago a 12-month follow-up (some in care), so "entered care within 12 months" has work to do."""
    engine = create_engine(url)
    with engine.begin() as connection:
        rows = connection.execute(
            text("SELECT case_id, by_user_id, taken_on FROM outcome_record WHERE point = 'ending' ORDER BY case_id")
        ).all()
        today, now = date.today(), utcnow()
        endings, events, follow_ups = [], [], []
        for case_id, worker_id, ended in rows:
            at = datetime.combine(ended, datetime.min.time(), UTC) + timedelta(hours=12)
            endings.append({"id": f"end-{case_id}", "case_id": case_id, "outcome": "closed" if case_id % 4 else "dormant",
                            "closure_reason": REASONS[case_id % len(REASONS)], "goals": [], "missing": [],
                            "recorded_at": at, "by_user_id": worker_id, "pending": False})  # fmt: skip
            # The case's move out of active work, as applying the ending records it: what the
            # scorecard counts as an ending.
            to = endings[-1]["outcome"]
            events.append({"id": f"moved-{case_id}", "case_id": case_id, "kind": to, "from_status": "active",
                           "to_status": to, "reason": endings[-1]["closure_reason"] if to == "closed" else "",
                           "rationale": "", "occurred_at": at, "recorded_at": at, "by_user_id": worker_id,
                           "destination": ""})  # fmt: skip
            if ended + timedelta(days=365) <= today:
                in_care = case_id % 7 == 0
                follow_ups.append({"id": f"f-{case_id}", "case_id": case_id, "by_user_id": worker_id, "source": "form",
                                   "point": "follow_up_12", "taken_on": ended + timedelta(days=365),
                                   "living": "in_care" if in_care else "with_parents",
                                   "care_status": "cla" if in_care else "none"})  # fmt: skip
        defaults = {
            c.name: c.default.arg
            for c in OutcomeRecord.__table__.columns
            if c.default is not None and not callable(c.default.arg)
        }
        defaults["recorded_at"] = now
        ending_defaults = {
            c.name: c.default.arg
            for c in Ending.__table__.columns
            if c.default is not None and not callable(c.default.arg)
        }
        for batch in chunks(endings):
            connection.execute(insert(Ending), [{**ending_defaults, **r} for r in batch])
        for batch in chunks(events):
            connection.execute(insert(CaseEvent), batch)
        for batch in chunks(follow_ups):
            connection.execute(insert(OutcomeRecord), [{**defaults, **r} for r in batch])
    engine.dispose()


def database_cpu(engine, period, breakdown: str) -> float | None:
    """CPU seconds PostgreSQL's backend spends on one scorecard (read from /proc, so only when the
    database runs on this machine): a figure the load from other processes does not inflate."""
    with engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        connection.execute(text("SET max_parallel_workers_per_gather = 0"))
        stat = f"/proc/{pid}/stat"
        if not os.path.exists(stat):
            return None

        def ticks() -> int:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])  # utime and stime

        before = ticks()
        with Session(bind=connection) as session:
            scorecard(session=session, period=period, team_id=None, breakdown=breakdown)
        return (ticks() - before) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/homeward_bench")
    parser.add_argument("--workers", type=int, default=500)
    parser.add_argument("--cases", type=int, default=50000)
    parser.add_argument("--ratings", type=int, default=1000000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--breakdown", default="age_band", help="the scorecard's breakdown (age_band, gender, ...)")
    parser.add_argument("--scorecard-only", action="store_true", help="time the scorecard, not the export")
    args = parser.parse_args()
    if not args.reuse:
        build(args.database_url, workers=args.workers, cases=args.cases, ratings=args.ratings)
    engine = create_engine(args.database_url)
    with engine.connect() as connection:
        if not connection.execute(text("SELECT count(*) FROM outcome_record")).scalar():
            add_outcome_records(args.database_url)
        if not connection.execute(text("SELECT count(*) FROM ending")).scalar():
            add_endings(args.database_url)
    today = date.today()
    period = Period(today - timedelta(days=364), today)
    print(f"load average at the start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        with Session(engine) as session:
            card = scorecard(session=session, period=period, team_id=None, breakdown=args.breakdown)
        timings.append(time.perf_counter() - started)
    print(f"scorecard, whole service, one year: best {min(timings):.2f} s, worst {max(timings):.2f} s")
    cpu = database_cpu(engine, period, args.breakdown)
    if cpu is not None:
        print(f"  CPU time of the database backend for one scorecard, no parallel workers: {cpu:.2f} s")
    print(
        f"  worked with {card.worked_with.now}, contacts {card.contacts.now}, diamond pairs {sum(c.pairs for c in card.diamond)}"
    )
    care = {answer: (pair.now, pair.before) for answer, pair in card.care_within_12.items()}
    print(f"  endings {card.endings.get('closed', Pair()).now + card.endings.get('dormant', Pair()).now}, "
          f"entered care within 12 months of ending (this year, the year before) {care}, groups {len(card.by_group)}")  # fmt: skip
    if args.scorecard_only:
        print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        return
    started, cpu = time.perf_counter(), time.process_time()
    size = 0
    for chunk in stream_zip(engine=engine, secret_key="bench-secret-key-0123456789-0123456789"):
        size += len(chunk)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"export: {size / 1e6:.1f} MB in {elapsed:.1f} s ({cpu:.1f} s of this process's CPU); peak memory {peak:.0f} MB"
    )
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
