"""`homeward backup` and `homeward restore` round-trip the demo data: every table's row count and
checksum are the same after a restore over a changed database (issue 20)."""

from __future__ import annotations

import hashlib

from sqlalchemy import select, text

from app import cli
from app.models import load_all_models
from tests.test_cli import environment  # noqa: F401  (the fixture pointing the command at the test database)


def fingerprint(engine) -> dict[str, tuple[int, str]]:
    """Each table's row count and a checksum of its rows in primary-key order."""
    tables = {}
    with engine.connect() as connection:
        for table in load_all_models().metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(select(table).order_by(*order)).all()
            digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
            tables[table.name] = (len(rows), digest)
    return tables


def test_backup_and_restore_round_trip_the_demo_data(environment, db, engine, tmp_path, capsys):  # noqa: F811
    cli.main(["demo"])
    db.commit()
    before = fingerprint(engine)
    assert before["case"][0] > 5 and before["audit_entry"][0] > 0
    path = tmp_path / "homeward.backup"
    cli.main(["backup", str(path)])
    assert path.stat().st_size > 0

    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_entry"))
        connection.execute(text("UPDATE team SET name = 'Changed after the backup'"))
    assert fingerprint(engine) != before

    db.close()
    engine.dispose()
    cli.main(["restore", str(path)])
    engine.dispose()
    assert fingerprint(engine) == before
    cli.main(["audit", "verify"])
    assert "Audit chain holds" in capsys.readouterr().out


def test_restore_from_a_missing_file_says_so(environment, db, tmp_path):  # noqa: F811
    import pytest

    with pytest.raises(SystemExit) as stopped:
        cli.main(["restore", str(tmp_path / "nothing-here")])
    assert "There is no backup" in str(stopped.value)
