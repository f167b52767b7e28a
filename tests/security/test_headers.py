"""Security headers on every response: pages, static files, errors and refusals."""

from __future__ import annotations

import pytest

from tests.factories import login, make_user


def assert_security_headers(response) -> None:
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "camera=()" in response.headers["permissions-policy"]
    assert response.headers["x-request-id"]


def test_login_page_has_security_headers(client):
    assert_security_headers(client.get("/login"))


def test_logged_in_page_has_security_headers_and_varies_on_htmx(client, db, settings):
    login(client, db, make_user(db), settings)
    response = client.get("/")
    assert response.status_code == 200
    assert_security_headers(response)
    assert "HX-Request" in response.headers["vary"]


def test_static_file_has_security_headers(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.parametrize("path", ["/no-such-page", "/static/no-such-file.css"])
def test_not_found_has_security_headers_and_request_id(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert_security_headers(response)


def test_error_page_shows_the_same_request_id_as_its_header(client, db, settings):
    login(client, db, make_user(db), settings)
    response = client.get("/cases/987654")
    assert response.status_code == 404
    assert_security_headers(response)
    assert response.headers["x-request-id"] in response.text


def test_forbidden_page_has_security_headers(client, db, settings):
    login(client, db, make_user(db), settings)
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert_security_headers(response)
    assert response.headers["x-request-id"] in response.text


def test_unexpected_error_gives_500_page_with_request_id_and_headers(db, engine, settings):
    from fastapi import APIRouter
    from starlette.testclient import TestClient

    from app.main import create_app

    app = create_app(settings, engine=engine)
    router = APIRouter()

    @router.get("/boom")
    def boom():
        raise RuntimeError("something only a developer could cause")

    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert_security_headers(response)
    assert "Something went wrong" in response.text
    assert response.headers["x-request-id"] in response.text
    assert "something only a developer" not in response.text


def test_htmx_request_for_a_missing_page_gets_a_fragment(client, db, settings):
    login(client, db, make_user(db), settings)
    response = client.get("/cases/987654", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert "<html" not in response.text and "Not found" in response.text


def test_pages_are_kept_out_of_the_browsers_http_cache_but_static_files_are_not(client, db, settings):
    login(client, db, make_user(db), settings)
    for path in ("/", "/outbox", "/login"):
        assert client.get(path).headers["cache-control"] == "no-store", path
    assert "no-store" not in client.get("/static/css/app.css").headers.get("cache-control", "")
    assert client.get("/sw.js").headers["cache-control"] == "no-cache"
