"""Installable app: manifest, service worker, icons and the offline page."""

from __future__ import annotations

import struct

from app.assets import STATIC_DIR
from app.pwa.routes import shell_urls


def test_manifest_names_the_app_with_icons_standalone_display_and_start_url(client):
    response = client.get("/manifest.webmanifest")
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] == "Homeward" and manifest["short_name"] == "Homeward"
    assert (manifest["display"], manifest["start_url"], manifest["theme_color"]) == ("standalone", "/", "#1d4f63")
    sizes = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        data = (STATIC_DIR / icon["src"].removeprefix("/static/")).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert f"{width}x{height}" == icon["sizes"]


def test_service_worker_is_served_from_the_root_uncached_with_a_version_and_the_shell(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert "javascript" in response.headers["content-type"]
    assert "__VERSION__" not in response.text and "__SHELL__" not in response.text
    assert '"/offline"' in response.text and "MAX_AGE_HOURS=24;" in response.text.replace(" ", "")


def test_new_words_on_the_offline_page_make_a_new_service_worker_version(tmp_path, monkeypatch):
    """The offline and PIN pages are kept in the shell by URL: a release that changes only their
    words must still make devices fetch them again (the version names the shell's cache)."""
    import re
    import shutil

    from app.pwa import routes
    from app.templating import APP_DIR

    def version() -> str:
        routes.service_worker_source.cache_clear()
        return re.search(r'VERSION\s*=\s*"([0-9a-f]+)"', routes.service_worker_source(24)).group(1)

    shutil.copytree(APP_DIR / "templates", tmp_path / "templates")
    monkeypatch.setattr(routes, "APP_DIR", tmp_path)
    try:
        before = version()
        assert version() == before  # the same words, the same version
        offline = tmp_path / "templates" / "pwa" / "offline.html"
        offline.write_text(offline.read_text().replace("You are offline", "No signal here"))
        assert version() != before
    finally:
        routes.service_worker_source.cache_clear()  # no other test is served this copy's worker


def test_every_shell_file_exists_so_the_worker_installs(client):
    for url in shell_urls():
        assert client.get(url).status_code == 200, url


def test_offline_page_carries_no_ones_details(db, client):
    response = client.get("/offline")
    assert response.status_code == 200
    assert "You are offline" in response.text and 'href="/outbox"' in response.text
    assert "data-user-id" not in response.text


def test_pages_in_family_mode_tell_the_offline_script_to_hold_the_workers_items(db, client, settings):
    from sqlmodel import select

    from app.security.models import UserSession
    from tests.factories import login, make_case, make_user

    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    assert "data-family-mode" not in client.get("/outbox").text
    user_session = db.exec(select(UserSession)).one()
    user_session.family_case_id = case.id
    db.add(user_session)
    db.commit()
    page = client.get("/outbox")
    assert page.status_code == 403 and "data-family-mode" in page.text
