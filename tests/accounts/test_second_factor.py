"""The second factor for password sign-ins: enrolment, codes, replay, recovery codes, admin reset, audit."""

from __future__ import annotations

import re
import time

import pyotp
from fastapi.testclient import TestClient
from sqlmodel import select

from app.audit.models import AuditEntry
from app.config import ROOT
from app.security import throttle, totp
from app.security.models import LoginAttempt, UserSession
from app.security.sessions import COOKIE_NAME
from tests.factories import PASSWORD, login, make_user


def _actions(db, user) -> list[str]:
    db.expire_all()
    return [e.action for e in db.exec(select(AuditEntry).where(AuditEntry.user_id == user.id).order_by(AuditEntry.id))]


def _password(client, email):
    return client.post("/login", data={"email": email, "password": PASSWORD})


def _secret_from_setup_page(html: str) -> str:
    return re.search(r"Setup key: <code>([A-Z2-7 ]+)</code>", html).group(1).replace(" ", "")


def _enrolled(db, settings, user, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"):
    totp.enrol_with_secret(session=db, user=user, settings=settings, secret=secret)
    db.commit()
    return pyotp.TOTP(secret)


def test_manager_without_a_factor_sets_one_up_right_after_the_password_and_gets_ten_recovery_codes(client, db):
    manager = make_user(db, role="manager", email="david@example.org")
    db.commit()
    response = _password(client, "david@example.org")
    assert response.status_code == 303 and response.headers["location"] == "/login/second-factor/setup"
    assert COOKIE_NAME not in response.headers.get("set-cookie", "")
    page = client.get("/login/second-factor/setup")
    assert page.status_code == 200 and "<svg" in page.text and "<script" not in page.text.split("</header>")[-1]
    secret = _secret_from_setup_page(page.text)
    wrong = client.post("/login/second-factor/setup", data={"code": "000000"})
    assert wrong.status_code == 422 and "not right" in wrong.text
    done = client.post("/login/second-factor/setup", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and COOKIE_NAME in done.headers["set-cookie"]
    codes = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", done.text)
    assert len(set(codes)) == 10
    assert client.get("/profile").status_code == 200
    assert secret not in str(db.exec(select(AuditEntry.detail)).all())
    assert _actions(db, manager) == [
        "login_password_accepted",
        "second_factor_failed",
        "second_factor_enrolled",
        "login",
    ]


def test_worker_without_a_factor_logs_in_with_the_password_alone(client, db):
    make_user(db, email="sam@example.org")
    db.commit()
    assert _password(client, "sam@example.org").headers["location"] == "/"


def test_setting_for_everyone_requires_it_of_workers_too(client, db, settings, app):
    app.state.settings = settings.model_copy(update={"second_factor_for_everyone": True})
    make_user(db, email="sam@example.org")
    db.commit()
    assert _password(client, "sam@example.org").headers["location"] == "/login/second-factor/setup"


def test_sign_in_with_a_code_then_the_same_code_is_refused_within_its_window(client, db, settings):
    admin = make_user(db, role="admin", email="ruth@example.org")
    app_code = _enrolled(db, settings, admin)
    assert _password(client, "ruth@example.org").headers["location"] == "/login/code"
    code = app_code.now()
    response = client.post("/login/code", data={"code": code})
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert client.get("/profile").status_code == 200
    client.cookies.clear()
    _password(client, "ruth@example.org")
    replay = client.post("/login/code", data={"code": code})
    assert replay.status_code == 422 and "used already" in replay.text
    assert COOKIE_NAME not in replay.headers.get("set-cookie", "")
    assert _actions(db, admin)[-3:] == ["login", "login_password_accepted", "second_factor_failed"]


def test_wrong_code_is_refused_counted_and_audited_and_then_throttled(client, db, settings):
    admin = make_user(db, role="admin", email="ruth@example.org")
    _enrolled(db, settings, admin)
    _password(client, "ruth@example.org")
    for _ in range(settings.login_free_failures):
        assert client.post("/login/code", data={"code": "123456"}).status_code == 422
    # Wrong codes count with wrong passwords, per account and address: the next try waits.
    waiting = client.post("/login/code", data={"code": "123456"})
    assert waiting.status_code == 429 and "please wait 2 seconds" in waiting.text
    assert db.exec(select(UserSession)).all() == []
    actions = _actions(db, admin)
    assert actions.count("second_factor_failed") == settings.login_free_failures
    assert actions[-1] == "second_factor_refused_locked"
    kinds = {a.kind for a in db.exec(select(LoginAttempt)).all()}
    assert kinds == {"second_factor"}


def test_wrong_codes_are_told_to_the_owner_at_the_next_login(client, db, settings):
    admin = make_user(db, role="admin", email="ruth@example.org")
    app_code = _enrolled(db, settings, admin)
    _password(client, "ruth@example.org")
    assert client.post("/login/code", data={"code": "123456"}).status_code == 422
    response = client.post("/login/code", data={"code": app_code.now()})
    assert response.status_code == 303
    assert "1 attempt to log in to your account failed" in client.get("/", follow_redirects=True).text


def _from(app, address: str) -> TestClient:
    return TestClient(app, base_url="http://testserver", follow_redirects=False, client=(address, 5000))


def test_wrong_codes_for_one_account_from_many_networks_turn_its_app_codes_off_until_a_recovery_code(app, db, settings):
    """Counted only per address, 300 wrong codes for one account from 60 /64s of one /48 were all
    checked and none waited. Whoever types codes knows the password, so a lock here cannot be used
    by strangers to keep anyone out."""
    admin = make_user(db, role="admin", email="ruth@example.org")
    app_code = _enrolled(db, settings, admin)
    codes = totp.new_recovery_codes(session=db, user=admin, settings=settings)
    db.commit()
    statuses = []
    for n in range(settings.second_factor_max_failures):
        guesser = _from(app, f"2001:db8:{n:x}::1")  # a new /48 every time: no per-address wait applies
        assert _password(guesser, "ruth@example.org").headers["location"] == "/login/code"
        statuses.append(guesser.post("/login/code", data={"code": "000001"}).status_code)
    assert statuses == [422] * (settings.second_factor_max_failures - 1) + [429]

    # Even the right code from the app, at an address with no failures, is refused now.
    ruth = _from(app, "192.0.2.10")
    _password(ruth, "ruth@example.org")
    refused = ruth.post("/login/code", data={"code": app_code.now()})
    assert refused.status_code == 429 and "codes from the authenticator app are turned off" in refused.text
    assert db.exec(select(UserSession)).all() == []

    # A recovery code still works, and turns the app's codes back on.
    done = ruth.post("/login/code", data={"code": codes[0]})
    assert done.status_code == 303 and COOKIE_NAME in done.headers["set-cookie"]
    assert not throttle.codes_locked(session=db, email="ruth@example.org", settings=settings)
    assert "change your password now" in ruth.get("/", follow_redirects=True).text


def test_an_administrator_clearing_failed_logins_turns_the_app_codes_back_on(client, app, db, settings):
    manager = make_user(db, role="manager", email="david@example.org")
    app_code = _enrolled(db, settings, manager)
    db.add_all(
        [
            LoginAttempt(email="david@example.org", address=f"198.51.100.{n}", succeeded=False, kind="second_factor")
            for n in range(settings.second_factor_max_failures)
        ]
    )
    db.commit()
    _password(client, "david@example.org")
    assert client.post("/login/code", data={"code": app_code.now()}).status_code == 429
    admin = make_user(db, role="admin")
    admin_client = _from(app, "192.0.2.20")
    login(admin_client, db, admin, settings)
    assert admin_client.post(f"/admin/users/{manager.id}/unlock").status_code == 303
    client.cookies.clear()
    _password(client, "david@example.org")
    assert client.post("/login/code", data={"code": app_code.now()}).headers["location"] == "/"


def test_code_page_without_a_right_password_goes_back_to_login(client, db):
    assert client.get("/login/code").headers["location"] == "/login"
    assert client.post("/login/code", data={"code": "123456"}).headers["location"] == "/login"


def test_recovery_code_works_once(client, db, settings):
    admin = make_user(db, role="admin", email="ruth@example.org")
    _enrolled(db, settings, admin)
    codes = totp.new_recovery_codes(session=db, user=admin, settings=settings)
    db.commit()
    _password(client, "ruth@example.org")
    assert client.post("/login/code", data={"code": codes[3].upper()}).headers["location"] == "/"
    client.cookies.clear()
    _password(client, "ruth@example.org")
    assert client.post("/login/code", data={"code": codes[3]}).status_code == 422
    assert totp.recovery_codes_left(session=db, user=admin) == 9
    entries = db.exec(select(AuditEntry).where(AuditEntry.action == "login", AuditEntry.user_id == admin.id)).all()
    assert [e.detail for e in entries] == ["password and recovery code"]


def test_codes_from_the_previous_and_next_step_count_but_not_older_ones(db, settings):
    admin = make_user(db, role="admin")
    app_code = _enrolled(db, settings, admin)
    now = time.time()
    assert totp.check_code(session=db, user=admin, settings=settings, code=app_code.at(now - 30), now=now) == "code"
    try:
        totp.check_code(session=db, user=admin, settings=settings, code=app_code.at(now - 90), now=now)
        raise AssertionError("an old code was accepted")
    except totp.WrongCode:
        pass


def test_administrator_resets_a_second_factor_and_the_person_sets_up_again(client, db, settings):
    admin = make_user(db, role="admin", email="ruth@example.org")
    manager = make_user(db, role="manager", email="david@example.org")
    _enrolled(db, settings, manager)
    login(client, db, admin, settings)
    response = client.post(f"/admin/users/{manager.id}/second-factor/reset")
    assert response.status_code == 303
    assert totp.confirmed_factor(session=db, user=manager) is None
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "second_factor_reset")).one()
    assert entry.user_id == admin.id and entry.object_id == str(manager.id)
    client.cookies.clear()
    assert _password(client, "david@example.org").headers["location"] == "/login/second-factor/setup"


def test_only_administrators_reset_a_second_factor(client, db, settings):
    manager = make_user(db, role="manager")
    other = make_user(db, role="admin")
    _enrolled(db, settings, other)
    login(client, db, manager, settings)
    assert client.post(f"/admin/users/{other.id}/second-factor/reset").status_code == 403
    assert totp.confirmed_factor(session=db, user=other) is not None


def test_worker_chooses_a_second_factor_on_the_profile(client, db, settings):
    worker = make_user(db, email="sam@example.org")
    login(client, db, worker, settings)
    page = client.get("/profile/second-factor")
    assert "Your password, to confirm" in page.text
    secret = _secret_from_setup_page(page.text)
    done = client.post("/profile/second-factor", data={"code": pyotp.TOTP(secret).now(), "password": PASSWORD})
    assert done.status_code == 200 and "shown only this once" in done.text
    assert "second_factor_enrolled" in _actions(db, worker)
    client.cookies.clear()
    assert _password(client, "sam@example.org").headers["location"] == "/login/code"


def test_setting_up_an_authenticator_on_the_profile_needs_the_password_and_a_wrong_one_loses_nothing(
    client, db, settings
):
    """Anyone at an unlocked session could put their own phone on the account as its second factor."""
    worker = make_user(db, email="sam@example.org")
    login(client, db, worker, settings)
    secret = _secret_from_setup_page(client.get("/profile/second-factor").text)
    app_code = pyotp.TOTP(secret)
    for password, message in (
        ("", "Enter your password to confirm."),
        ("not my password", "not your current password"),
    ):
        refused = client.post("/profile/second-factor", data={"code": app_code.now(), "password": password})
        assert refused.status_code == 422
        assert 'id="password-error"' in refused.text and message in refused.text
        assert "not my password" not in refused.text
        # Nothing is lost: the same set-up key, and the code typed, are still there.
        assert _secret_from_setup_page(refused.text) == secret and app_code.now() in refused.text
    assert totp.confirmed_factor(session=db, user=worker) is None
    failed = db.exec(select(AuditEntry).where(AuditEntry.action == "secret_check_failed")).all()
    assert [e.detail for e in failed] == ["profile_second_factor: password"]
    done = client.post("/profile/second-factor", data={"code": app_code.now(), "password": PASSWORD})
    assert done.status_code == 200 and "shown only this once" in done.text
    assert totp.confirmed_factor(session=db, user=worker) is not None


def test_a_worker_just_signed_in_with_the_council_account_sets_up_an_authenticator_without_a_password(
    client, db, settings
):
    from app.security.sessions import start_session

    worker = make_user(db, email="sam@council.example")
    client.cookies.set(
        COOKIE_NAME, start_session(session=db, user=worker, settings=settings, user_agent="pytest", method="sso")
    )
    db.commit()
    page = client.get("/profile/second-factor")
    assert "no password is needed" in page.text and "Your password, to confirm" not in page.text
    code = pyotp.TOTP(_secret_from_setup_page(page.text)).now()
    assert client.post("/profile/second-factor", data={"code": code}).status_code == 200


def test_demo_manager_logs_in_with_the_documented_authenticator_key(client, db, settings):
    from app.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
    from tests.demo_copy import demo_service

    demo_service(session=db, settings=settings)
    db.commit()
    response = client.post("/login", data={"email": "manager@example.org", "password": DEMO_PASSWORD})
    assert response.headers["location"] == "/login/code"
    code = pyotp.TOTP(DEMO_TOTP_SECRET).now()
    assert client.post("/login/code", data={"code": code}).headers["location"] == "/"
    assert DEMO_TOTP_SECRET in (ROOT / "README.md").read_text()


def test_the_page_after_logging_in_is_a_path_of_homeward_never_a_link_a_browser_reads_as_another_site():
    """A browser drops tabs and newlines from a link: "/\\t/evil.example" would be followed as
    "//evil.example" from the recovery codes page's Continue link."""
    from app.accounts.second_factor import safe_next

    assert safe_next("/cases/12?kind=contact") == "/cases/12?kind=contact"
    for bad in (
        "/\t/evil.example",
        "/\n/evil.example",
        "/ /evil.example",
        "//evil.example",
        "/\\evil",
        "https://x",
        None,
    ):
        assert safe_next(bad) == "/", bad


def test_the_reset_message_names_nobody_as_admin_flash_messages_never_do(client, db, settings):
    admin = make_user(db, role="admin", email="ruth@example.org")
    manager = make_user(db, role="manager", email="david@example.org", full_name="David Privatename")
    _enrolled(db, settings, manager)
    login(client, db, admin, settings)
    response = client.post(f"/admin/users/{manager.id}/second-factor/reset")
    page = client.get(response.headers["location"]).text
    (said,) = re.findall(r'<p class="flash flash-success"[^>]*>([^<]*)</p>', page)
    assert said == "Second factor removed. They set up a new one when they next log in."
