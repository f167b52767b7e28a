"""GET /healthz answers for load balancers: 200 with the database up, 503 when it is unreachable."""

from __future__ import annotations

import socket

from starlette.testclient import TestClient

from app.config import Settings
from app.db import make_engine
from app.main import create_app


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket closes


def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["x-content-type-options"] == "nosniff"


def test_healthz_is_503_when_the_database_is_unreachable():
    url = f"postgresql+psycopg://nobody@127.0.0.1:{_closed_port()}/homeward?connect_timeout=2"
    settings = Settings(homeward_env="test", database_url=url, secret_key="x" * 40)
    engine = make_engine(url)
    with TestClient(create_app(settings, engine=engine)) as client:
        response = client.get("/healthz")
    engine.dispose()
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}
