"""Request bodies over 2 MB are refused with 413, whether the size is declared or streamed."""

from __future__ import annotations

from sqlmodel import select

from app.accounts.models import Team
from tests.factories import login, make_user

TWO_MB = 2 * 1024 * 1024


def test_body_declared_over_two_megabytes_is_refused(client):
    response = client.post(
        "/login", content=b"a" * (TWO_MB + 1), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413
    assert response.headers["x-content-type-options"] == "nosniff"


def test_chunked_body_over_two_megabytes_is_refused(client, db, settings):
    login(client, db, make_user(db, role="admin"), settings)

    def chunks():
        yield b"name=Big+team&padding="
        for _ in range(40):
            yield b"x" * 64 * 1024

    response = client.post(
        "/admin/teams", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413
    assert db.exec(select(Team).where(Team.name == "Big team")).first() is None


def test_body_just_under_the_limit_is_accepted(client, db, settings):
    login(client, db, make_user(db, role="admin"), settings)
    # Two fields, as Starlette refuses any single form field over 1 MB.
    body = b"name=Big+team&a=" + b"x" * (TWO_MB // 2 - 100) + b"&b=" + b"x" * (TWO_MB // 2 - 100)
    response = client.post("/admin/teams", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 303
