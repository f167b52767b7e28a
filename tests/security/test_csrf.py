"""Cross-site request protection from Sec-Fetch-Site and Origin (no tokens, so offline replays pass)."""

from __future__ import annotations

import pytest
from sqlmodel import select
from starlette.datastructures import Headers

from app.accounts.models import Team
from app.security.middleware import is_cross_site
from tests.factories import login, make_user


@pytest.fixture
def admin_client(client, db, settings):
    login(client, db, make_user(db, role="admin"), settings)
    return client


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
    ],
    ids=["sec-fetch-cross-site", "sec-fetch-same-site", "foreign-origin", "null-origin"],
)
def test_cross_site_post_is_refused_and_changes_nothing(admin_client, db, headers):
    response = admin_client.post("/admin/teams", data={"name": "Forged team"}, headers=headers)
    assert response.status_code == 403
    assert "another site" in response.text
    assert response.headers["content-security-policy"]
    assert db.exec(select(Team).where(Team.name == "Forged team")).first() is None


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "same-origin"}, {"Origin": "http://testserver"}, {}],
    ids=["sec-fetch-same-origin", "same-origin-header", "no-browser-headers"],
)
def test_same_origin_post_passes(admin_client, db, headers):
    response = admin_client.post("/admin/teams", data={"name": "South team"}, headers=headers)
    assert response.status_code == 303
    assert db.exec(select(Team).where(Team.name == "South team")).first() is not None


def test_cross_site_login_post_is_refused(client, db):
    make_user(db, email="sam@example.org")
    db.commit()
    response = client.post(
        "/login", data={"email": "sam@example.org", "password": "x"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 403


def test_cross_site_get_is_allowed_because_it_changes_nothing(client):
    assert client.get("/login", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200


def test_sec_fetch_site_wins_over_origin():
    headers = Headers({"sec-fetch-site": "same-origin", "origin": "https://evil.example"})
    assert not is_cross_site("POST", headers, "testserver")
    assert is_cross_site("DELETE", Headers({"origin": "https://evil.example:443"}), "homeward.example")
    assert not is_cross_site("PUT", Headers({"sec-fetch-site": "none"}), "homeward.example")
