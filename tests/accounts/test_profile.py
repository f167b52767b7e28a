"""Every user's profile: change their own password (current one required) and set the Worker PIN."""

from __future__ import annotations

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from app.accounts.models import User
from app.audit.models import AuditEntry
from app.security.models import LoginAttempt, UserSession
from app.security.passwords import pwd_context
from app.security.sessions import start_session
from tests.factories import PASSWORD, login, make_user

NEW = "a brand new passphrase"


@pytest.fixture
def worker(db):
    return make_user(db, email="sam@example.org", full_name="Sam Okafor")


@pytest.fixture
def worker_client(client, db, settings, worker):
    login(client, db, worker, settings)
    return client


@pytest.mark.parametrize("role", ["worker", "supervisor", "manager", "admin"])
def test_every_role_has_a_profile_page(client, db, settings, role):
    user = make_user(db, role=role, full_name="Pat Example")
    login(client, db, user, settings)
    response = client.get("/profile")
    assert response.status_code == 200
    assert "Your profile" in response.text and "Pat Example" in response.text
    assert "Change your password" in response.text
    assert ("Worker PIN" in response.text) == (role != "admin")


def test_profile_needs_login(client):
    response = client.get("/profile")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_change_password_keeps_this_device_and_logs_out_the_others(worker_client, db, settings, worker, app):
    start_session(session=db, user=worker, settings=settings, user_agent="other tablet")
    db.commit()
    response = worker_client.post(
        "/profile/password", data={"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW}
    )
    assert response.status_code == 303
    db.expire_all()
    assert pwd_context.verify(NEW, db.get(User, worker.id).password_hash)
    sessions = {
        s.user_agent: s.ended_at for s in db.exec(select(UserSession).where(UserSession.user_id == worker.id)).all()
    }
    assert sessions["pytest"] is None and sessions["other tablet"] is not None
    assert worker_client.get("/profile").status_code == 200
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "change_password")).one().user_id == worker.id
    with TestClient(app, follow_redirects=False) as fresh:
        assert fresh.post("/login", data={"email": "sam@example.org", "password": NEW}).status_code == 303
        assert fresh.post("/login", data={"email": "sam@example.org", "password": PASSWORD}).status_code == 422


@pytest.mark.parametrize(
    "fields,field,message",
    [
        (
            {"current_password": "wrong password!", "new_password": NEW, "confirm_password": NEW},
            "current_password",
            "not your current password",
        ),
        (
            {"current_password": "", "new_password": NEW, "confirm_password": NEW},
            "current_password",
            "Enter your current password",
        ),
        (
            {"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
            "new_password",
            "at least 10 characters",
        ),
        (
            {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW + "x"},
            "confirm_password",
            "different",
        ),
        (
            {"current_password": PASSWORD, "new_password": PASSWORD, "confirm_password": PASSWORD},
            "new_password",
            "different from the current",
        ),
    ],
    ids=["wrong-current", "missing-current", "too-short", "mismatch", "unchanged"],
)
def test_bad_password_change_is_refused_beside_the_field_and_nothing_changes(
    worker_client, db, worker, fields, field, message
):
    old_hash = worker.password_hash
    response = worker_client.post("/profile/password", data=fields)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text and message in response.text
    assert NEW not in response.text and PASSWORD not in response.text
    db.expire_all()
    assert db.get(User, worker.id).password_hash == old_hash
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "change_password")).all() == []


def test_wrong_current_password_counts_towards_the_lockout_audited_and_the_limit_ends_the_session(
    worker_client, db, worker
):
    # Eight failures for this account from this same address (testclient's); elsewhere's do not count.
    db.add_all([LoginAttempt(email=worker.email, address="testclient", succeeded=False) for _ in range(8)])
    db.add_all([LoginAttempt(email=worker.email, address="10.0.0.1", succeeded=False) for _ in range(30)])
    db.commit()
    bad = {"current_password": "wrong password!", "new_password": NEW, "confirm_password": NEW}
    assert worker_client.post("/profile/password", data=bad).status_code == 422
    # The tenth wrong try from here reaches the limit: the session ends, the worker logs in again.
    response = worker_client.post("/profile/password", data=bad)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    good = {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW}
    assert worker_client.post("/profile/password", data=good).headers["location"] == "/login"
    assert worker_client.get("/profile").headers["location"].startswith("/login")
    failed = db.exec(select(AuditEntry).where(AuditEntry.action == "secret_check_failed")).all()
    assert [e.detail for e in failed] == ["profile_password: password"] * 2
    assert all("wrong password" not in e.detail for e in db.exec(select(AuditEntry)).all())
    db.expire_all()
    assert pwd_context.verify(PASSWORD, db.get(User, worker.id).password_hash)


def test_worker_sets_a_pin_stored_hashed(worker_client, db, worker):
    response = worker_client.post("/profile/pin", data={"pin": "482913", "pin_password": PASSWORD})
    assert response.status_code == 303
    db.expire_all()
    pin_hash = db.get(User, worker.id).pin_hash
    assert pin_hash and "482913" not in pin_hash and pwd_context.verify("482913", pin_hash)
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "set_pin")).one()
    assert "You have a Worker PIN" in worker_client.get("/profile").text


@pytest.mark.parametrize(
    "pin",
    ["2468", "12345", "123456789", "12a456", "", "١٢٣٤٥٦"],
    ids=["four-digits", "five-digits", "too-long", "letters", "blank", "non-ascii-digits"],
)
def test_pin_must_be_six_to_eight_digits(worker_client, db, worker, pin):
    response = worker_client.post("/profile/pin", data={"pin": pin, "pin_password": PASSWORD})
    assert response.status_code == 422
    assert 'id="pin-error"' in response.text and "6 to 8 digits" in response.text
    db.expire_all()
    assert db.get(User, worker.id).pin_hash is None


def test_pin_needs_the_users_password(worker_client, db, worker):
    response = worker_client.post("/profile/pin", data={"pin": "482913", "pin_password": "not my password"})
    assert response.status_code == 422 and 'id="pin_password-error"' in response.text
    assert 'value="482913"' not in response.text
    db.expire_all()
    assert db.get(User, worker.id).pin_hash is None
