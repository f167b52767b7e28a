"""The `homeward` command: demo refuses in production; create-user makes a working account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app import cli
from app.accounts.models import User
from app.config import get_settings
from app.db import make_engine
from app.endings.models import Prompt
from app.timeutil import today
from tests.endings.factories import active_case, make_dormant, make_team_people


@pytest.fixture
def environment(monkeypatch, database_url):
    """Point the command at the test database through the environment, as a shell would."""

    def set_env(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    monkeypatch.setenv("DATABASE_URL", database_url)
    set_env()
    yield set_env
    get_settings.cache_clear()


def test_demo_refuses_to_run_in_production(environment, db):
    environment(HOMEWARD_ENV="production", SECRET_KEY="s" * 48)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["demo"])
    assert "production" in str(exit_info.value.code)
    assert db.exec(select(User)).all() == []


def test_create_user_makes_an_account_that_can_log_in(environment, db, client):
    cli.main(
        [
            "create-user",
            "--email",
            "Ruth@Example.org",
            "--name",
            "Ruth Adeyemi",
            "--role",
            "admin",
            "--password",
            "a long enough password",
        ]
    )
    db.expire_all()
    user = db.exec(select(User)).one()
    assert user.email == "ruth@example.org" and user.role == "admin"
    response = client.post("/login", data={"email": "ruth@example.org", "password": "a long enough password"})
    assert response.status_code == 303


def test_create_user_refuses_a_weak_password(environment, db):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["create-user", "--email", "ruth@example.org", "--name", "Ruth", "--password", "short"])
    assert "characters" in str(exit_info.value.code)
    db.expire_all()
    assert db.exec(select(User)).all() == []


def test_demo_if_empty_leaves_an_existing_database_alone(environment, db, capsys):
    from tests.factories import make_user

    make_user(db, email="someone@example.org")
    db.commit()
    cli.main(["demo", "--if-empty"])
    db.expire_all()
    assert [u.email for u in db.exec(select(User)).all()] == ["someone@example.org"]
    assert "already has data" in capsys.readouterr().out


def test_demo_loads_the_demo_service_and_its_accounts_log_in(environment, db, client, capsys):
    cli.main(["demo"])
    out = capsys.readouterr().out
    assert "worker@example.org" in out and "homeward-demo" in out
    db.expire_all()
    emails = {u.email for u in db.exec(select(User)).all()}
    assert set(cli.DEMO_EMAILS) <= emails
    response = client.post("/login", data={"email": "worker@example.org", "password": "homeward-demo"})
    assert response.status_code == 303
    assert ">Kay</a>" in client.get("/").text  # Kayla Morgan's preferred name, on her worker's caseload


def _dormant_case_due_a_tick(db):
    people = make_team_people(db)
    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    db.commit()
    return case


def test_a_tick_that_finds_another_running_does_nothing_and_the_next_does_the_work(environment, db, capsys):
    case = _dormant_case_due_a_tick(db)
    when = (today() + timedelta(days=400)).isoformat() + "T09:00"
    engine = make_engine(get_settings().database_url)
    try:
        # Another container's tick holds the lock (its own connection, as another process would).
        with cli.tick_lock(engine) as mine:
            assert mine
            cli.main(["tick", "--now", when])
            assert capsys.readouterr().out.strip() == cli.TICK_BUSY
            db.expire_all()
            assert db.exec(select(Prompt).where(Prompt.case_id == case.id)).all() == []
            # A lock is held once: a second holder in this same process is refused too.
            with cli.tick_lock(engine) as second:
                assert not second
        cli.main(["tick", "--now", when])
    finally:
        engine.dispose()
    assert capsys.readouterr().out.splitlines()[0] == "Prompts raised: 2; resolved: 0."
    db.expire_all()
    assert len(db.exec(select(Prompt).where(Prompt.case_id == case.id)).all()) == 2
