"""`homeward backup` and `homeward restore` round-trip the demo data: every table's row count and
checksum are the same after a restore over a changed database (issue 20)."""

from __future__ import annotations

import hashlib
import os
import subprocess

import pytest
from sqlalchemy import select, text

from app import backup, cli
from app.models import load_all_models
from app.security.models import UserSession
from app.security.sessions import COOKIE_NAME, start_session
from tests.factories import make_user
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


def test_a_restore_ends_every_session_so_none_ended_since_the_backup_lives_again(
    environment,  # noqa: F811
    db,
    engine,
    client,
    settings,
    tmp_path,
    capsys,
):
    """A restore brought the backup's sessions back as they were: a device logged out, or an
    account disabled, after the backup was taken was signed in again."""
    worker = make_user(db, email="sam@example.org")
    cookie = start_session(session=db, user=worker, settings=settings, user_agent="pytest")
    db.commit()
    path = tmp_path / "homeward.backup"
    cli.main(["backup", str(path)])
    client.cookies.set(COOKIE_NAME, cookie)
    assert client.post("/logout").status_code == 303  # after the backup

    db.close()
    engine.dispose()
    cli.main(["restore", str(path)])
    engine.dispose()
    assert "Every session was ended (1 open in the backup): everyone logs in again." in capsys.readouterr().out
    assert [s.ended_at is not None for s in db.scalars(select(UserSession)).all()] == [True]
    client.cookies.set(COOKIE_NAME, cookie)
    assert client.get("/profile").headers["location"].startswith("/login")


def test_restore_from_a_missing_file_says_so(environment, db, tmp_path):  # noqa: F811
    with pytest.raises(SystemExit) as stopped:
        cli.main(["restore", str(tmp_path / "nothing-here")])
    assert "There is no backup" in str(stopped.value)


def test_a_failing_backup_says_why_but_never_shows_the_database_password(environment, tmp_path, capsys):  # noqa: F811
    """The password was on pg_dump's command line, for anyone on the machine to read in `ps`, and
    in the failure's message, for cron mail and logs to keep."""
    environment(DATABASE_URL="postgresql+psycopg://homeward:S3cretPw@127.0.0.1:1/homeward")
    with pytest.raises(SystemExit) as stopped:
        cli.main(["backup", str(tmp_path / "homeward.backup")])
    message = str(stopped.value.code)
    assert message.startswith("Backup failed: pg_dump exited with code 1")
    assert "127.0.0.1" in message  # the tool's own words say where it could not connect
    assert "S3cretPw" not in message + capsys.readouterr().err


def test_the_database_password_reaches_pg_dump_in_its_environment_not_its_arguments(environment, tmp_path, monkeypatch):  # noqa: F811
    ran = []

    def run(arguments, **options):
        ran.append((arguments, options.get("env") or {}))
        return subprocess.CompletedProcess(arguments, 0, "", "")

    monkeypatch.setattr(subprocess, "run", run)
    database_url = "postgresql+psycopg://homeward:S3cretPw@db.example:5432/homeward"
    backup.backup(database_url=database_url, path=tmp_path / "homeward.backup")
    (tmp_path / "homeward.backup").write_bytes(b"a backup")
    backup.restore(database_url=database_url, path=tmp_path / "homeward.backup")
    assert len(ran) == 2
    for arguments, env in ran:
        assert "S3cretPw" not in " ".join(arguments)
        assert "postgresql://homeward@db.example:5432/homeward" in " ".join(arguments)
        assert env["PGPASSWORD"] == "S3cretPw" and env["PATH"] == os.environ["PATH"]
