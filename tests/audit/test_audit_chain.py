"""The audit log is a hash chain: `homeward audit verify` passes on demo data and names the first
broken link after an entry is edited or deleted (issue 20)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from app import cli
from app.audit.chain import verify
from app.audit.models import AuditEntry
from tests.factories import login, make_case, make_user
from tests.test_cli import environment  # noqa: F401  (the fixture pointing the command at the test database)


def _browse(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    for page in ("", "/people/new", "/consent/all", "/contacts/new"):
        assert client.get(f"/cases/{case.id}{page}").status_code == 200
    db.expire_all()
    return db.exec(select(AuditEntry).order_by(AuditEntry.id)).all()


def _lanes(entries: list[AuditEntry]) -> list[list[AuditEntry]]:
    by_lane: dict[int, list[AuditEntry]] = {}
    for entry in entries:
        by_lane.setdefault(entry.lane, []).append(entry)
    return list(by_lane.values())


def test_each_entry_holds_the_hash_of_the_one_before(client, db, settings):
    entries = _browse(client, db, settings)
    assert len(entries) >= 4
    for lane in _lanes(entries):  # one lane per connection that wrote (app/audit/chain.py)
        assert lane[0].prev_hash == ""
        for before, after in zip(lane, lane[1:], strict=False):
            assert after.prev_hash == before.entry_hash and len(after.entry_hash) == 64
    assert verify(session=db).ok and verify(session=db).checked == len(entries)


def test_an_edited_entry_is_found(client, db, settings):
    entries = _browse(client, db, settings)
    db.execute(text("UPDATE audit_entry SET detail = 'nothing to see' WHERE id = :id"), {"id": entries[2].id})
    db.commit()
    verdict = verify(session=db)
    assert verdict.broken_at == entries[2].id and "changed" in verdict.reason


def test_a_deleted_entry_is_found_at_the_next_link(client, db, settings):
    browsed = _browse(client, db, settings)
    # On PostgreSQL each request may have gone through another pooled connection, each its own
    # lane: three more entries in one transaction make one lane at least three long.
    for _ in range(3):
        db.add(AuditEntry(user_id=browsed[0].user_id, action="login", object_type="session"))
        db.flush()
    db.commit()
    entries = max(_lanes(db.exec(select(AuditEntry).order_by(AuditEntry.id)).all()), key=len)
    db.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": entries[1].id})
    db.commit()
    verdict = verify(session=db)
    assert verdict.broken_at == entries[2].id and "deleted" in verdict.reason


def test_homeward_audit_verify_passes_on_demo_data_and_fails_after_tampering(environment, db, capsys):  # noqa: F811
    cli.main(["demo"])
    cli.main(["audit", "verify"])
    assert "Audit chain holds" in capsys.readouterr().out
    first = db.exec(select(AuditEntry).order_by(AuditEntry.id)).first()
    db.execute(text("UPDATE audit_entry SET user_id = NULL WHERE id = :id"), {"id": first.id})
    db.commit()
    with pytest.raises(SystemExit) as stopped:
        cli.main(["audit", "verify"])
    assert f"broken at entry {first.id}" in str(stopped.value)
