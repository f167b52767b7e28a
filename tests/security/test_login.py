"""Logging in through the form: success, failure, throttling, lockout and hash upgrades."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from passlib.context import CryptContext
from sqlmodel import select

from app.accounts.models import User
from app.accounts.routes import GENERIC_FAILURE
from app.audit.models import AuditEntry
from app.security import known_device, throttle
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


def _failures(db, email: str, address: str, count: int, *, minutes_ago: float = 0, kind: str = "login"):
    at = utcnow() - timedelta(minutes=minutes_ago)
    db.add_all([LoginAttempt(email=email, address=address, succeeded=False, kind=kind, at=at) for _ in range(count)])
    db.commit()


def test_after_the_free_failures_each_try_from_that_address_waits_longer(client, db, settings):
    make_user(db, email="sam@example.org")
    db.commit()
    for _ in range(settings.login_free_failures):
        assert _log_in(client, "sam@example.org", "wrong guess").status_code == 422
    # The next try, even with the right password, must wait: it is neither checked nor counted.
    response = _log_in(client, "sam@example.org")
    assert response.status_code == 429
    assert "please wait 2 seconds before trying again" in response.text
    assert response.headers["retry-after"] == "2"
    assert COOKIE_NAME not in response.headers.get("set-cookie", "")
    assert len(db.exec(select(LoginAttempt)).all()) == settings.login_free_failures
    # The waits grow with every failure: 2 s, 4 s, 8 s... up to the ceiling.
    waits = [
        throttle.delay_after(n, free=settings.login_free_failures, settings=settings)
        for n in range(settings.login_free_failures - 1, settings.login_free_failures + 12)
    ]
    assert waits[:5] == [0, 2, 4, 8, 16]
    assert waits == sorted(waits) and waits[-1] == settings.login_max_delay_minutes * 60


def test_once_the_wait_is_over_the_right_password_logs_in_and_clears_the_failures(client, db, settings):
    make_user(db, email="sam@example.org")
    # Seven failures (wait 8 s) whose last was ten seconds ago: the wait is over.
    _failures(db, "sam@example.org", "testclient", 7, minutes_ago=10 / 60)
    assert _log_in(client, "sam@example.org").status_code == 303
    client.cookies.clear()
    # Cleared: one more slip does not make the next try wait.
    assert _log_in(client, "sam@example.org", "wrong guess").status_code == 422
    assert _log_in(client, "sam@example.org").status_code == 303


def test_failures_from_another_address_never_stop_the_right_password_here(client, db, settings):
    make_user(db, email="sam@example.org")
    # Someone elsewhere has hammered Sam's account: their tries wait the longest.
    _failures(db, "sam@example.org", "203.0.113.9", settings.login_max_failures_per_account - 1)
    wait = throttle.wait_seconds(session=db, email="sam@example.org", address="203.0.113.9", settings=settings)
    assert wait == settings.login_max_delay_minutes * 60
    # Sam, at an address with no failures, logs in at once.
    assert _log_in(client, "sam@example.org").status_code == 303


def test_wrong_passwords_for_one_account_from_many_addresses_make_new_addresses_wait(client, db, settings):
    """Counted only per address, anyone holding many addresses could guess one account without end.
    Past the account's allowance a new address waits, growing; where the worker has signed in
    lately they still log in at once, so a guesser cannot lock them out of their own places."""
    make_user(db, email="sam@example.org")
    db.add(LoginAttempt(email="sam@example.org", address="testclient", succeeded=True, at=utcnow() - timedelta(days=3)))
    db.commit()
    for n in range(settings.login_max_failures_per_account):
        _failures(db, "sam@example.org", f"198.51.100.{n}", 1)
    # A new address waits, with the right password too, and is told why.
    assert (
        0
        < throttle.account_wait_seconds(session=db, email="sam@example.org", address="192.0.2.99", settings=settings)
        <= settings.login_first_delay_seconds
    )
    assert throttle.wait_seconds(session=db, email="sam@example.org", address="192.0.2.99", settings=settings) == 0
    # Sam's usual address is not held back, and Sam's sign-in starts the count again.
    assert _log_in(client, "sam@example.org").status_code == 303
    assert (
        throttle.account_wait_seconds(session=db, email="sam@example.org", address="192.0.2.99", settings=settings) == 0
    )
    # Past the allowance again, each further failure from anywhere doubles the wait, up to the ceiling.
    _failures(db, "sam@example.org", "198.51.100.200", settings.login_max_failures_per_account + 10)
    assert (
        throttle.account_wait_seconds(session=db, email="sam@example.org", address="192.0.2.99", settings=settings)
        == settings.login_max_delay_minutes * 60
    )


def test_a_new_address_told_to_wait_for_the_account_hears_so(app, db, settings):
    make_user(db, email="sam@example.org")
    _failures(db, "sam@example.org", "198.51.100.1", settings.login_max_failures_per_account)
    elsewhere = TestClient(app, base_url="http://testserver", follow_redirects=False, client=("192.0.2.99", 5000))
    response = _log_in(elsewhere, "sam@example.org")
    assert response.status_code == 429 and response.headers["retry-after"] == "2"
    assert "Too many wrong attempts at this account from other places" in response.text
    assert COOKIE_NAME not in response.headers.get("set-cookie", "")


def test_the_owners_sign_in_ends_the_account_wait_so_a_guesser_cannot_keep_them_out_of_a_new_place(
    app, client, db, settings
):
    """Until the owner's own sign-in counted, anyone knowing a worker's email kept them out of every
    new place: 20 wrong passwords, then one every 15 minutes, and a worker on mobile data at a
    family's home was refused with the right password (429, Retry-After 900)."""
    make_user(db, email="sam@example.org")
    db.add(LoginAttempt(email="sam@example.org", address="testclient", succeeded=True, at=utcnow() - timedelta(days=3)))
    db.commit()
    for n in range(settings.login_max_failures_per_account + 10):
        _failures(db, "sam@example.org", f"198.51.100.{n}", 1)
    assert _log_in(client, "sam@example.org").status_code == 303
    # A family's home, on mobile data: a new address, another browser, the right password.
    home = TestClient(app, base_url="http://testserver", follow_redirects=False, client=("100.64.7.9", 5000))
    assert _log_in(home, "sam@example.org").status_code == 303
    # The guesser starts again from nothing but the allowance: past it, new places wait again.
    _failures(db, "sam@example.org", "198.51.100.250", settings.login_max_failures_per_account + 10)
    assert (
        throttle.account_wait_seconds(session=db, email="sam@example.org", address="192.0.2.99", settings=settings)
        == settings.login_max_delay_minutes * 60
    )


def test_a_browser_that_signed_in_is_not_held_back_by_the_account_wait_on_a_new_network(app, client, db, settings):
    """The guesser keeps going after the worker's morning sign-in; the worker's own tablet, now on
    a family's mobile data, still signs in at once. Another browser there still waits."""
    make_user(db, email="sam@example.org")
    make_user(db, email="ade@example.org")
    db.commit()
    assert _log_in(client, "sam@example.org").status_code == 303
    tablet = client.cookies.get(known_device.COOKIE_NAME)
    assert tablet
    client.cookies.clear()
    assert _log_in(client, "ade@example.org").status_code == 303
    ades_browser = client.cookies.get(known_device.COOKIE_NAME)
    _failures(db, "sam@example.org", "198.51.100.7", settings.login_max_failures_per_account + 10)

    def at_the_family_home(cookie: str | None, octet: int) -> TestClient:
        browser = TestClient(
            app, base_url="http://testserver", follow_redirects=False, client=(f"100.64.7.{octet}", 5000)
        )
        if cookie:
            browser.cookies.set(known_device.COOKIE_NAME, cookie, path="/login")
        return browser

    assert _log_in(at_the_family_home(None, 10), "sam@example.org").status_code == 429
    # The cookie speaks for the account it signed in to, and only with the signature.
    assert _log_in(at_the_family_home(ades_browser, 11), "sam@example.org").status_code == 429
    assert _log_in(at_the_family_home(tablet[:-2] + "xx", 12), "sam@example.org").status_code == 429
    assert _log_in(at_the_family_home(tablet, 9), "sam@example.org").status_code == 303


def test_a_password_reset_after_a_tablet_is_lost_makes_its_browser_new_again(app, client, db, settings):
    """Whoever holds a lost tablet's cookie is held back like anyone else once the password is reset."""
    from app.security.passwords import hash_password

    sam = make_user(db, email="sam@example.org")
    db.commit()
    assert _log_in(client, "sam@example.org").status_code == 303
    tablet = client.cookies.get(known_device.COOKIE_NAME)
    sam.password_hash = hash_password("a-new-password-after-the-loss")
    db.add(sam)
    db.commit()
    _failures(db, "sam@example.org", "198.51.100.7", settings.login_max_failures_per_account + 10)
    lost = TestClient(app, base_url="http://testserver", follow_redirects=False, client=("100.64.7.20", 5000))
    lost.cookies.set(known_device.COOKIE_NAME, tablet, path="/login")
    assert _log_in(lost, "sam@example.org").status_code == 429


def test_tries_from_one_ipv6_network_count_together_whatever_address_in_it_they_use(db, settings):
    """One household or business holds a whole /56 (RIPE-690): a new address, or a new /64, in it
    for every try must not escape the wait (it did: 40 guesses at one account, none waited)."""
    make_user(db, email="sam@example.org")
    db.commit()
    for n in range(settings.login_free_failures + 3):
        throttle.record_attempt(
            session=db, email="sam@example.org", address=f"2001:db8:0:{n:x}::{n + 1:x}", succeeded=False
        )
    db.commit()
    assert (
        throttle.wait_seconds(session=db, email="sam@example.org", address="2001:db8:0:ff::ffff", settings=settings) > 0
    )
    # Another network, and an IPv4 address, are not held back by it.
    assert (
        throttle.wait_seconds(session=db, email="sam@example.org", address="2001:db8:0:100::1", settings=settings) == 0
    )
    assert throttle.wait_seconds(session=db, email="sam@example.org", address="192.0.2.7", settings=settings) == 0


def test_an_unknown_email_waits_the_same_way(client, db, settings):
    """The wait does not reveal whether the account exists."""
    _failures(db, "ghost@example.org", "testclient", settings.login_free_failures)
    response = _log_in(client, "ghost@example.org")
    assert response.status_code == 429 and "please wait" in response.text


def test_failures_older_than_the_window_do_not_count(client, db, settings):
    make_user(db, email="sam@example.org")
    _failures(db, "sam@example.org", "testclient", 20, minutes_ago=settings.login_window_minutes + 1)
    assert _log_in(client, "sam@example.org").status_code == 303


def test_many_failures_from_one_address_over_many_accounts_make_new_accounts_wait_there(client, db, settings):
    make_user(db, email="sam@example.org")
    make_user(db, email="ade@example.org")
    db.add_all(
        [
            LoginAttempt(email=f"guess{n}@example.org", address="testclient", succeeded=False)
            for n in range(settings.login_max_failures_per_address)
        ]
    )
    # Ade logged in from this address last week: someone guessing other accounts does not hold Ade back.
    db.add(LoginAttempt(email="ade@example.org", address="testclient", succeeded=True, at=utcnow() - timedelta(days=7)))
    db.commit()
    assert _log_in(client, "sam@example.org").status_code == 429
    assert _log_in(client, "ade@example.org").status_code == 303


def test_failures_from_other_addresses_do_not_hold_back_this_address(client, db, settings):
    make_user(db, email="sam@example.org")
    db.add_all(
        [
            LoginAttempt(email=f"guess{n}@example.org", address="10.1.1.1", succeeded=False)
            for n in range(settings.login_max_failures_per_address)
        ]
    )
    db.commit()
    assert _log_in(client, "sam@example.org").status_code == 303


def test_the_owner_is_told_of_failed_attempts_at_their_next_login(client, db, settings):
    user = make_user(db, email="sam@example.org")
    db.commit()
    assert _log_in(client, "sam@example.org").status_code == 303
    client.cookies.clear()
    _failures(db, "sam@example.org", "203.0.113.9", 3)
    response = _log_in(client, "sam@example.org")
    assert response.status_code == 303
    page = client.get("/").text
    assert "Since you last logged in, 3 attempts to log in to your account failed" in page
    assert "tell your administrator" in page
    # The notice travels in the (encrypted) flash cookie: no addresses in it, only our wording.
    assert "203.0.113.9" not in page
    # Told once: the login after that has nothing to report.
    client.cookies.clear()
    assert _log_in(client, "sam@example.org").status_code == 303
    assert "attempts to log in to your account failed" not in client.get("/").text
    assert user.id


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
