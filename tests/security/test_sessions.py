"""Server-side sessions: idle and absolute expiry, logout, and logout everywhere."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from starlette.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.security.models import UserSession
from app.security.sessions import COOKIE_NAME
from app.timeutil import utcnow
from tests.factories import PASSWORD, login, make_user


def _only_session(db, user) -> UserSession:
    db.expire_all()
    return db.exec(select(UserSession).where(UserSession.user_id == user.id)).one()


def _shift(db, user_session: UserSession, **times) -> None:
    for name, value in times.items():
        setattr(user_session, name, value)
    db.add(user_session)
    db.commit()


def _sends_to_login(response) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/login")


def test_session_idle_for_thirty_minutes_ends(client, db, settings):
    user = make_user(db)
    login(client, db, user, settings)
    assert client.get("/").status_code == 200
    _shift(
        db, _only_session(db, user), last_seen_at=utcnow() - timedelta(minutes=settings.session_idle_minutes, seconds=1)
    )
    assert _sends_to_login(client.get("/"))


def test_session_used_within_the_idle_limit_stays_and_is_refreshed(client, db, settings):
    user = make_user(db)
    login(client, db, user, settings)
    _shift(db, _only_session(db, user), last_seen_at=utcnow() - timedelta(minutes=settings.session_idle_minutes - 1))
    assert client.get("/").status_code == 200
    assert utcnow() - _only_session(db, user).last_seen_at < timedelta(minutes=1)


def test_session_ends_after_its_absolute_lifetime_even_when_busy(client, db, settings):
    user = make_user(db)
    login(client, db, user, settings)
    _shift(
        db,
        _only_session(db, user),
        created_at=utcnow() - timedelta(hours=12),
        expires_at=utcnow() - timedelta(seconds=1),
        last_seen_at=utcnow(),
    )
    assert _sends_to_login(client.get("/"))


def test_session_lengths_come_from_settings(db, engine, database_url):
    settings = Settings(
        homeward_env="test",
        database_url=database_url,
        secret_key="x" * 40,
        session_absolute_hours=2,
        session_idle_minutes=5,
    )
    user = make_user(db)
    with TestClient(create_app(settings, engine=engine), follow_redirects=False) as client:
        login(client, db, user, settings)
        user_session = _only_session(db, user)
        assert user_session.expires_at - user_session.created_at == timedelta(hours=2)
        _shift(db, user_session, last_seen_at=utcnow() - timedelta(minutes=5, seconds=1))
        assert _sends_to_login(client.get("/"))


def test_logout_ends_the_session_so_the_old_cookie_no_longer_works(client, db, settings):
    user = make_user(db)
    login(client, db, user, settings)
    cookie = client.cookies.get(COOKIE_NAME)
    response = client.post("/logout")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert _only_session(db, user).ended_at is not None
    client.cookies.set(COOKIE_NAME, cookie)
    assert _sends_to_login(client.get("/"))


def test_forged_cookie_is_not_a_session(client, db):
    client.cookies.set(COOKIE_NAME, "made-up.value")
    assert _sends_to_login(client.get("/"))


def test_disabling_an_account_logs_it_out_on_every_device(app, db, settings):
    admin = make_user(db, role="admin")
    worker = make_user(db, email="sam@example.org")
    db.commit()
    with (
        TestClient(app, follow_redirects=False) as tablet,
        TestClient(app, follow_redirects=False) as laptop,
        TestClient(app, follow_redirects=False) as admin_client,
    ):
        for device in (tablet, laptop):
            assert device.post("/login", data={"email": "sam@example.org", "password": PASSWORD}).status_code == 303
            assert device.get("/").status_code == 200
        login(admin_client, db, admin, settings)
        assert admin_client.post(f"/admin/users/{worker.id}/disable").status_code == 303
        for device in (tablet, laptop):
            assert _sends_to_login(device.get("/"))
        db.expire_all()
        sessions = db.exec(select(UserSession).where(UserSession.user_id == worker.id)).all()
        assert len(sessions) == 2 and all(s.ended_at is not None for s in sessions)


def test_session_cookie_is_secure_in_production(db, engine, database_url):
    settings = Settings(homeward_env="production", database_url=database_url, secret_key="p" * 48)
    make_user(db, email="sam@example.org")
    db.commit()
    with TestClient(
        create_app(settings, engine=engine), base_url="https://testserver", follow_redirects=False
    ) as client:
        response = client.post("/login", data={"email": "sam@example.org", "password": PASSWORD})
    cookie = response.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert response.headers["strict-transport-security"].startswith("max-age=")
