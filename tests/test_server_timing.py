"""SERVER_TIMING=true: every response says how many SQL statements it ran (what `make bench` prints)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.db import make_engine
from app.main import create_app
from tests.factories import login, make_case, make_user
from tests.querycount import count_queries


def _statements(response) -> int:
    match = re.search(r'db;dur=[\d.]+;desc="(\d+) statements", app;dur=[\d.]+$', response.headers["server-timing"])
    assert match, response.headers["server-timing"]
    return int(match.group(1))


def test_the_header_counts_the_statements_a_page_ran(db, settings, database_url):
    worker = make_user(db, email="sam@example.org")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    db.commit()
    engine = make_engine(database_url)  # its own engine: the listeners stay with it
    try:
        app = create_app(settings.model_copy(update={"server_timing": True}), engine=engine)
        with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
            login(client, db, worker, settings)
            with count_queries(engine) as counted:
                page = client.get(f"/cases/{case.id}")
            assert page.status_code == 200
            assert _statements(page) == len(counted) > 5
            # Each request counts its own: the bare endpoint runs one statement.
            assert _statements(client.get("/healthz")) == 1
    finally:
        engine.dispose()


def test_off_by_default_so_an_outsider_learns_nothing_from_it(client):
    assert "server-timing" not in client.get("/healthz").headers
