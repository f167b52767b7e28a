"""Single sign-on routes without a provider: off unless configured, and a callback not started here is refused."""

from __future__ import annotations

from sqlmodel import select

from app.audit.models import AuditEntry
from app.security.models import UserSession


def test_without_settings_there_is_no_button_and_no_sign_in_route(client, db):
    assert "Sign in with" not in client.get("/login").text
    assert client.get("/login/oidc").status_code == 404
    assert client.get("/login/oidc/callback?code=x&state=y").status_code == 404


def test_a_callback_that_was_not_started_here_is_refused_and_audited(client, db, settings, app):
    app.state.settings = settings.model_copy(
        update={"oidc_issuer": "http://127.0.0.1:9/", "oidc_client_id": "homeward", "oidc_provider_name": "Test"}
    )
    assert "Sign in with Test" in client.get("/login").text
    response = client.get("/login/oidc/callback?code=stolen-code&state=guessed")
    assert response.status_code == 400 and "start again" in response.text
    assert db.exec(select(UserSession)).all() == []
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "sso_refused")).one()


def test_an_unreachable_provider_gets_a_plain_message(client, db, settings, app):
    app.state.settings = settings.model_copy(update={"oidc_issuer": "http://127.0.0.1:9", "oidc_client_id": "homeward"})
    response = client.get("/login/oidc")
    assert response.status_code == 502 and "could not be reached" in response.text


def _log_in(client, db, user, settings, method):
    from app.security.sessions import COOKIE_NAME, start_session

    cookie = start_session(session=db, user=user, settings=settings, user_agent="pytest", method=method)
    db.commit()
    client.cookies.set(COOKIE_NAME, cookie)


def test_a_worker_just_signed_in_with_the_council_account_sets_a_worker_pin_without_a_password(client, db, settings):
    from tests.factories import make_user

    worker = make_user(db, email="sam@council.example")
    _log_in(client, db, worker, settings, "sso")
    assert "no password is needed" in client.get("/profile").text
    assert client.post("/profile/pin", data={"pin": "246813"}).status_code == 303
    db.expire_all()
    assert db.get(type(worker), worker.id).pin_hash


def test_a_password_session_still_confirms_the_worker_pin_with_the_password(client, db, settings):
    from tests.factories import make_user

    worker = make_user(db, email="sam@example.org")
    _log_in(client, db, worker, settings, "password")
    assert client.post("/profile/pin", data={"pin": "246813"}).status_code == 422
