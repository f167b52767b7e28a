"""Logging in through the form: success, failure, throttling, lockout and hash upgrades."""

from __future__ import annotations

from datetime import timedelta

from passlib.context import CryptContext
from sqlmodel import select

from app.accounts.models import User
from app.accounts.routes import GENERIC_FAILURE
from app.audit.models import AuditEntry
from app.security.models import LoginAttempt, UserSession
from app.security.passwords import pwd_context
from app.security.sessions import COOKIE_NAME
from app.timeutil import utcnow
from tests.factories import PASSWORD, make_user


def _log_in(client, email: str, password: str = PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_login_with_right_password_starts_a_session_and_goes_home(client, db):
    user = make_user(db, email="sam@example.org")
    db.commit()
    response = _log_in(client, "Sam@Example.org")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert COOKIE_NAME in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert client.get("/").status_code == 200
    assert db.exec(select(UserSession).where(UserSession.user_id == user.id)).one().ended_at is None
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "login", AuditEntry.user_id == user.id)).one()


def test_login_returns_to_the_page_asked_for_but_never_to_another_site(client, db):
    make_user(db, email="sam@example.org")
    db.commit()
    assert _log_in(client, "sam@example.org", next="/cases/4").headers["location"] == "/cases/4"
    assert _log_in(client, "sam@example.org", next="//evil.example/").headers["location"] == "/"
    assert _log_in(client, "sam@example.org", next="https://evil.example/").headers["location"] == "/"


def test_unknown_email_and_wrong_password_get_the_same_message(client, db):
    make_user(db, email="sam@example.org")
    db.commit()
    wrong_password = _log_in(client, "sam@example.org", "not the password")
    unknown_email = _log_in(client, "nobody@example.org", PASSWORD)
    for response in (wrong_password, unknown_email):
        assert response.status_code == 422
        assert GENERIC_FAILURE in response.text
        assert COOKIE_NAME not in response.headers.get("set-cookie", "")
    assert wrong_password.text.count(GENERIC_FAILURE) == unknown_email.text.count(GENERIC_FAILURE)
    assert db.exec(select(UserSession)).all() == []


def test_disabled_account_cannot_log_in_and_is_told_nothing_more(client, db):
    make_user(db, email="sam@example.org", is_active=False)
    db.commit()
    response = _log_in(client, "sam@example.org")
    assert response.status_code == 422
    assert GENERIC_FAILURE in response.text


def test_empty_fields_are_refused_beside_each_field(client, db):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert "Your email is needed." in response.text and "Your password is needed." in response.text


def test_ten_failures_in_fifteen_minutes_lock_the_account_even_with_the_right_password(client, db):
    make_user(db, email="sam@example.org")
    db.commit()
    for _ in range(10):
        assert _log_in(client, "sam@example.org", "wrong guess").status_code == 422
    response = _log_in(client, "sam@example.org")
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert COOKIE_NAME not in response.headers.get("set-cookie", "")
    # The lock does not reveal whether the account exists: an unknown email locks the same way.
    db.add_all([LoginAttempt(email="ghost@example.org", address="10.0.0.9", succeeded=False) for _ in range(10)])
    db.commit()
    assert _log_in(client, "ghost@example.org").status_code == 429


def test_nine_failures_do_not_lock_the_account(client, db):
    make_user(db, email="sam@example.org")
    db.add_all([LoginAttempt(email="sam@example.org", address="10.0.0.9", succeeded=False) for _ in range(9)])
    db.commit()
    assert _log_in(client, "sam@example.org").status_code == 303


def test_failures_older_than_the_window_do_not_count(client, db):
    make_user(db, email="sam@example.org")
    long_ago = utcnow() - timedelta(minutes=16)
    db.add_all(
        [LoginAttempt(email="sam@example.org", address="10.0.0.9", succeeded=False, at=long_ago) for _ in range(10)]
    )
    db.commit()
    assert _log_in(client, "sam@example.org").status_code == 303


def test_locked_account_unlocks_fifteen_minutes_after_the_last_failure(client, db):
    make_user(db, email="sam@example.org")
    # Ten failures spread over the last few minutes: locked now.
    recent = [utcnow() - timedelta(minutes=m) for m in range(10)]
    db.add_all([LoginAttempt(email="sam@example.org", address="10.0.0.9", succeeded=False, at=at) for at in recent])
    db.commit()
    assert _log_in(client, "sam@example.org").status_code == 429
    # Move every stored failure back, as if fifteen minutes had passed since the last one.
    for attempt in db.exec(select(LoginAttempt)).all():
        attempt.at -= timedelta(minutes=15, seconds=1)
        db.add(attempt)
    db.commit()
    assert _log_in(client, "sam@example.org").status_code == 303


def test_many_failures_from_one_address_lock_logins_from_that_address(client, db, settings):
    make_user(db, email="sam@example.org")
    # testclient's address; the failures are spread over many different emails.
    db.add_all(
        [
            LoginAttempt(email=f"guess{n}@example.org", address="testclient", succeeded=False)
            for n in range(settings.login_max_failures_per_address)
        ]
    )
    db.commit()
    assert _log_in(client, "sam@example.org").status_code == 429


def test_failures_from_other_addresses_do_not_lock_this_address(client, db, settings):
    make_user(db, email="sam@example.org")
    db.add_all(
        [
            LoginAttempt(email=f"guess{n}@example.org", address="10.1.1.1", succeeded=False)
            for n in range(settings.login_max_failures_per_address)
        ]
    )
    db.commit()
    assert _log_in(client, "sam@example.org").status_code == 303


def test_password_hash_is_upgraded_on_login_when_parameters_change(client, db):
    weaker = CryptContext(schemes=["argon2"], argon2__memory_cost=1024, argon2__rounds=1)
    old_hash = weaker.hash(PASSWORD)
    assert pwd_context.needs_update(old_hash)
    user = make_user(db, email="sam@example.org", password_hash=old_hash)
    db.commit()
    assert _log_in(client, "sam@example.org").status_code == 303
    db.expire_all()
    new_hash = db.get(User, user.id).password_hash
    assert new_hash != old_hash
    assert not pwd_context.needs_update(new_hash)
    assert pwd_context.verify(PASSWORD, new_hash)


def test_password_with_spaces_at_the_ends_works_as_set(client, db):
    make_user(db, email="sam@example.org", password_hash=pwd_context.hash("  spaced out words  "))
    db.commit()
    assert _log_in(client, "sam@example.org", "spaced out words").status_code == 422
    assert _log_in(client, "sam@example.org", "  spaced out words  ").status_code == 303


def test_password_is_never_echoed_back(client, db):
    response = _log_in(client, "sam@example.org", "my-secret-attempt")
    assert response.status_code == 422 and "my-secret-attempt" not in response.text
