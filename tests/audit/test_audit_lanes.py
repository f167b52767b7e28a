"""The audit chain's lanes (app/audit/chain.py): writers on different connections, in one process
or two, write at once without waiting for each other, and every lane is a chain that
`homeward audit verify` walks, finding an entry edited or deleted in any of them."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.audit.chain import verify
from app.audit.models import AuditEntry
from app.db import make_engine
from tests.factories import make_case, make_user
from tests.querycount import indexes_used


def _links_hold(entries: list[AuditEntry]) -> None:
    by_lane: dict[int, list[AuditEntry]] = {}
    for entry in entries:
        by_lane.setdefault(entry.lane, []).append(entry)
    for lane in by_lane.values():
        assert lane[0].prev_hash == ""
        for before, after in zip(lane, lane[1:], strict=False):
            assert after.prev_hash == before.entry_hash and len(after.entry_hash) == 64


def _read(engine, user_id: int, case_id: int, times: int, failures: list) -> None:
    try:
        for _ in range(times):
            with Session(engine) as session:
                session.add(AuditEntry(user_id=user_id, action="read", object_type="case", case_id=case_id))
                session.commit()
    except BaseException as error:
        failures.append(error)


def test_two_processes_writing_at_once_never_fork_the_chain(engine, db, database_url):
    """On SQLite too, where every writer shares one lane: its driver reads outside a transaction
    until the first write, and a lane's end read that way could be linked to twice (until
    December 2026 `verify` then reported the chain broken)."""
    worker = make_user(db)
    case = make_case(db, worker=worker)
    db.commit()
    # Two engines are two app processes' pools: separate connections, separate lanes.
    other = make_engine(database_url)
    failures: list[BaseException] = []
    try:
        threads = [
            threading.Thread(target=_read, args=(each, worker.id, case.id, 25, failures))
            for each in (engine, other, engine, other)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        other.dispose()
    assert failures == []
    entries = db.exec(select(AuditEntry).where(AuditEntry.action == "read").order_by(AuditEntry.id)).all()
    assert len(entries) == 100
    lanes = len({e.lane for e in entries})
    assert lanes >= 2 if engine.dialect.name == "postgresql" else lanes == 1
    _links_hold(entries)
    verdict = verify(session=db)
    assert verdict.ok and verdict.checked >= 100


def test_a_lane_is_held_by_one_connection_while_another_takes_the_next_free_one(engine, db):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer and one lane")
    worker = make_user(db)
    db.commit()
    with Session(engine) as first, Session(engine) as second:
        for session in (first, second):
            session.add(AuditEntry(user_id=worker.id, action="login", object_type="session"))
            session.flush()  # both transactions open at once: neither waits for the other
        lanes = {first.connection().info["audit_lane"], second.connection().info["audit_lane"]}
        first.commit()
        second.commit()
    assert len(lanes) == 2
    assert verify(session=db).ok


def test_an_entry_deleted_from_the_middle_of_a_lane_other_than_the_first_is_found(engine, db):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer and one lane (tests/audit/test_audit_chain.py)")
    worker = make_user(db)
    db.commit()
    with Session(engine) as first, Session(engine) as second:
        first.add(AuditEntry(user_id=worker.id, action="login", object_type="session"))
        first.flush()
        for _ in range(3):  # one transaction, one connection: one lane, not the one `first` holds
            second.add(AuditEntry(user_id=worker.id, action="read", object_type="case"))
            second.flush()
        second.commit()
        first.commit()
    entries = db.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    _links_hold(entries)
    reads = [e for e in entries if e.action == "read"]
    assert len({e.lane for e in reads}) == 1 and reads[0].lane != entries[0].lane
    db.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": reads[1].id})
    db.commit()
    verdict = verify(session=db)
    assert verdict.broken_at == reads[2].id and "deleted" in verdict.reason


def test_a_repeat_case_view_reads_its_lanes_end_with_the_login_session(engine, db, client, settings):
    """On PostgreSQL the request's first statement (the login session) also reads the end of its
    connection's lane, so a cached case page is 2 statements (the session with the case, the audit
    entry), and every view's entry still links to the one before in its lane."""
    from app.cases.page_cache import pages
    from tests.factories import login
    from tests.querycount import count_queries

    worker = make_user(db)
    case = make_case(db, worker=worker)
    db.commit()
    login(client, db, worker, settings)
    pages.clear()
    for _ in range(2):  # the page cached, the connection's lane taken
        assert client.get(f"/cases/{case.id}").status_code == 200
    counted = []
    for _ in range(3):
        with count_queries(engine) as statements:
            assert client.get(f"/cases/{case.id}").status_code == 200
        counted.append(len(statements))
    assert counted == ([2] * 3 if engine.dialect.name == "postgresql" else [4] * 3)  # SQLite: lock, end, entry
    reads = db.exec(select(AuditEntry).where(AuditEntry.action == "read").order_by(AuditEntry.id)).all()
    assert len(reads) == 5
    _links_hold(db.exec(select(AuditEntry).order_by(AuditEntry.id)).all())
    assert verify(session=db).ok


def test_a_lanes_end_is_read_through_its_own_index_however_far_back_it_was_written(engine, db):
    """A lane another process used last ends far back in the log: its end must be found through
    (lane, id), not by walking the whole log backwards from its newest entry (what PostgreSQL chose
    for `lane = :lane ORDER BY id DESC`, 3.5-4.7 ms on the county set, growing with the log)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one lane")
    from app.audit.chain import _LANE_HEAD, LANE_END

    worker = make_user(db)
    db.commit()
    # Lane 20 written long ago, then lanes 0-19 taking turns, as the log of a busy service reads.
    db.execute(
        text(
            "INSERT INTO audit_entry (at, user_id, action, object_type, object_id, request_id, user_agent,"
            " address, detail, lane, prev_hash, entry_hash)"
            " SELECT now(), :user, 'read', 'case', '', '', '', '', '', CASE WHEN n <= 200 THEN 20 ELSE n % 20 END,"
            " '', md5(n::text) FROM generate_series(1, 4200) AS n"
        ),
        {"user": worker.id},
    )
    db.commit()
    db.execute(text("ANALYZE audit_entry"))
    lane_end = select(AuditEntry.id, LANE_END)
    for statement in (_LANE_HEAD.bindparams(lane=20), lane_end.params(audit_lane=20)):
        scans = indexes_used(db, statement)
        assert ("ix_audit_entry_lane_id" in scans) and ("audit_entry_pkey" not in scans), scans
