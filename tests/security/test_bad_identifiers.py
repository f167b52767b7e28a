"""Ids too large for the database are simply not found, on SQLite and PostgreSQL alike (not a 500)."""

from __future__ import annotations

import pytest

from tests.factories import login, make_user

HUGE = "99999999999999999999"


@pytest.mark.parametrize("path", [f"/admin/users/{HUGE}", "/admin/teams/9999999999999", "/admin/users/0"])
def test_admin_lookup_of_an_impossible_id_is_404(client, db, settings, path):
    login(client, db, make_user(db, role="admin"), settings)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", [f"/cases/{HUGE}", f"/cases/{HUGE}/audit", "/cases/2147483648", "/cases/-1"])
def test_case_lookup_of_an_impossible_id_is_404(client, db, settings, path):
    login(client, db, make_user(db, role="manager"), settings)
    assert client.get(path).status_code == 404


def test_non_numeric_case_id_is_refused_plainly(client, db, settings):
    login(client, db, make_user(db, role="manager"), settings)
    response = client.get("/cases/not-a-number")
    assert response.status_code == 422
    assert response.headers["x-request-id"] in response.text


def test_impossible_team_choice_is_refused_beside_the_field(client, db, settings):
    login(client, db, make_user(db, role="admin"), settings)
    worker = make_user(db)
    db.commit()
    response = client.post(f"/admin/users/{worker.id}/role", data={"role": "worker", "team_id": HUGE})
    assert response.status_code == 422
    assert 'id="team_id-error"' in response.text and "choose one of the teams" in response.text


def test_value_the_database_refuses_gives_422_not_500(engine, settings, db):
    from fastapi import APIRouter
    from sqlalchemy.exc import DataError
    from starlette.testclient import TestClient

    from app.main import create_app

    app = create_app(settings, engine=engine)
    router = APIRouter()

    @router.post("/too-long")
    def too_long():
        raise DataError("INSERT ...", {}, Exception("value too long for type character varying(120)"))

    app.include_router(router)
    with TestClient(app) as client:
        response = client.post("/too-long")
    assert response.status_code == 422
    assert "nothing was saved" in response.text and "varying" not in response.text


def test_nul_characters_in_a_field_are_dropped_not_a_database_error(client, db, settings):
    from sqlmodel import select

    from app.accounts.models import Team

    login(client, db, make_user(db, role="admin"), settings)
    assert client.post("/admin/teams", data={"name": "East\x00 Team"}).status_code == 303
    db.expire_all()
    assert [t.name for t in db.exec(select(Team)).all()] == ["East Team"]
