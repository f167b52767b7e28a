"""Static files as a tablet receives them: minified, gzipped once, cached for good by version."""

from __future__ import annotations

import gzip

from app.assets import BUNDLES, STATIC_DIR, shipped, static_url


def test_a_versioned_script_is_sent_minified_gzipped_and_cached_for_a_year(client):
    url = static_url("js/offline.js")
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "javascript" in response.headers["content-type"]
    source = (STATIC_DIR / "js" / "offline.js").read_bytes()
    # httpx has already undone the gzip: what arrives is the minified script, much smaller than
    # the source, and without the source's comments.
    assert len(response.content) < 0.8 * len(source)
    assert b"the outbox, replay" in source and b"the outbox, replay" not in response.content
    assert int(response.headers["content-length"]) < len(gzip.compress(source))


def test_without_the_current_version_a_file_is_revalidated_not_trusted(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    again = client.get("/static/css/app.css", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    stale = client.get("/static/css/app.css?v=0000000000")
    assert stale.headers["cache-control"] == "no-cache"


def test_a_client_that_does_not_take_gzip_gets_plain_bytes(client):
    response = client.get(static_url("css/app.css"), headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in response.headers
    assert response.content == shipped("css/app.css").body


def test_nothing_outside_the_static_folder_is_served(client):
    for path in ("/static/../config.py", "/static/%2e%2e/config.py", "/static/js/nope.js", "/static/"):
        assert client.get(path).status_code == 404, path
    assert client.post(static_url("js/app.js")).status_code in {403, 405}


def test_pages_link_the_version_that_is_served(client, db):
    page = client.get("/login").text
    assert static_url("css/homeward.css") in page and static_url("js/homeward.js") in page


def test_a_page_asks_for_one_stylesheet_and_one_script_that_hold_every_file_in_order(client, db):
    page = client.get("/login").text
    assert page.count('rel="stylesheet"') == 1 and page.count("<script src=") == 1
    css = client.get(static_url("css/homeward.css")).text
    sheets = sorted(p.name for p in (STATIC_DIR / "css").glob("*.css"))
    assert len(sheets) > 5
    # Each feature's stylesheet is in the bundle, core (app.css) first, and the rest in name order.
    starts = [
        css.index(shipped(f"css/{name}").body.decode()) for name in ["app.css", *(n for n in sheets if n != "app.css")]
    ]
    assert starts == sorted(starts) and starts[0] == 0
    script = client.get(static_url("js/homeward.js")).text
    parts = [shipped(p).body.decode() for p in BUNDLES["js/homeward.js"]()]
    # Each file whole, in order, each in its own try so that one that throws leaves the rest to run.
    starts = [script.index(part) for part in parts]
    assert starts == sorted(starts) and script.count("try {") == len(parts) >= 4
    assert script.startswith("try {\nvar htmx=")
    # The bundle's version follows its content: a change to any one file makes a new URL.
    assert shipped("css/homeward.css").version not in {shipped(f"css/{n}").version for n in sheets}


def test_no_script_lays_a_page_out_by_the_window_s_size():
    """CSS alone adapts a page to a phone or a tablet. The browser tests rely on it: they check a
    screen at both sizes by resizing the page they are on (tests/browser/conftest.py
    assert_at_sizes), which would miss a layout a script chose when the page loaded."""
    from pathlib import Path

    scripts = [p for p in (Path(__file__).parent.parent / "app" / "static" / "js").glob("*.js") if "htmx" not in p.name]
    reading = {
        p.name: word
        for p in scripts
        for word in ("innerWidth", "innerHeight", "outerWidth", "matchMedia", "screen.width", "orientation")
        if word in p.read_text(encoding="utf-8")
    }
    assert scripts and reading == {}
