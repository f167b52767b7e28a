"""Browser tests: Debian's Chromium driven by Playwright against the real server on a free port.

The server runs in a thread of the test process on the same database as the factories, so a test
can set up data directly and then use the app as a person would. Without Chromium these tests skip
with a reason, except in CI (CI=true), where a missing browser fails the run.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from tests.conftest import IN_CI
from tests.factories import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
SCREENSHOTS = Path(__file__).parent / "screenshots"

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 360, "height": 740}


def _chromium_available() -> bool:
    return Path(CHROMIUM).exists()


@pytest.fixture(scope="session")
def browser():
    if not _chromium_available():
        if IN_CI:
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI must run the browser tests")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _ThreadServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the test process owns signals
        pass


@pytest.fixture
def live_server(app):
    """The app served on http://127.0.0.1:<free port>; yields the base URL."""
    port = _free_port()
    server = _ThreadServer(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=TABLET)
    context.set_default_timeout(8000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if msg.type == "error" and "Content-Security-Policy" in msg.text else None,
    )
    yield page
    assert not errors, f"JavaScript errors or CSP violations on the page: {errors}"


_AXE_CACHE: list[str] = []


def _axe_source() -> str:
    if not _AXE_CACHE:
        _AXE_CACHE.append(AXE.read_text(encoding="utf-8"))
    return _AXE_CACHE[0]


def log_in(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Log in through the form, as a person would."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    # Wait for the form's navigation itself: "networkidle" alone can return before it starts.
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")


def assert_accessible(page, name: str | None = None) -> None:
    """Run axe-core (WCAG 2.0-2.2 A and AA rules) on the current page; no violations allowed.

    Pass `name` to also save a screenshot to tests/browser/screenshots/ for people to look at.
    """
    # Evaluated through the DevTools protocol, which the page's strict CSP does not govern.
    page.evaluate(_axe_source())
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa']}})"""
    )
    violations = [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]
    ]
    if name:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert violations == [], f"axe found violations on {page.url}:\n{json.dumps(violations, indent=2)}"


def assert_touch_targets(page, minimum: int = 44) -> None:
    """Every visible button, link-as-button and form control is at least `minimum` px tall."""
    small = page.evaluate(
        """(min) => Array.from(document.querySelectorAll('button, .button, input:not([type=hidden]), select, textarea, nav a'))
            .filter(el => el.offsetParent !== null)
            .map(el => { const r = el.getBoundingClientRect(); return {text: (el.innerText || el.name || el.id || '').slice(0, 40), h: r.height, w: r.width}; })
            .filter(r => (r.h < min && !(r.w >= 20 && r.h >= 20 && r.text === '')) )""",
        minimum,
    )
    assert small == [], f"touch targets smaller than {minimum}px: {small}"
