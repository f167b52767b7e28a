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
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from sqlmodel import Session, select

from app.accounts.models import User
from app.security import passwords
from app.security.sessions import COOKIE_NAME, start_session
from tests.conftest import IN_CI
from tests.factories import PASSWORD

# Chromium's old headless shell (Debian's chromium-headless-shell; what Playwright itself runs
# headless) when installed: the same engine without the full browser's processes around it, the
# browser tests took 29% less time with it (docs/performance.md, twenty-second session). The
# full browser otherwise.
CHROMIUM = (
    os.environ.get("CHROMIUM_PATH")
    or shutil.which("chromium-headless-shell")
    or shutil.which("chromium")
    or "/usr/bin/chromium"
)
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
SCREENSHOTS = Path(__file__).parent / "screenshots"
# The screenshots README.md opens with: saved again by the browser tests that take them, so the
# README shows the product as it is (commit them when they change).
README_SHOTS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"
README_SHOT_NAMES = {"case-page-needs-doing-tablet", "visit-1-contact-phone", "family-pl-question-tablet"}
# In CI no one looks at them (a clean clone, thrown away) and the full-page captures cost about a
# fifth of a second each, 150 of them a run; HOMEWARD_SCREENSHOTS=1 takes them there too.
SAVE_SCREENSHOTS = not IN_CI or os.environ.get("HOMEWARD_SCREENSHOTS") == "1"

# --disable-background-networking and friends: this machine's closed network refuses Chromium's
# own connections, many at a time.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 360, "height": 740}


def _chromium_available() -> bool:
    return Path(CHROMIUM).exists()


@pytest.fixture(scope="session")
def browser():
    if not _chromium_available():
        if IN_CI:
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI must run the browser tests")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium chromium-headless-shell)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
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


class _CurrentApp:
    """The ASGI app the shared server hands each request to: the running test's own app.

    Starting uvicorn for every test cost more than many of the tests' own steps; one server per
    test process serves each test's app (its own settings, database state and wrappers) in turn.
    """

    def __init__(self) -> None:
        self.app = None

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":  # the apps have no start-up work; answer uvicorn's lifespan
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if self.app is None:
            raise RuntimeError("a request reached the shared test server between tests")
        await self.app(scope, receive, send)


@pytest.fixture(scope="session")
def _shared_server():
    current = _CurrentApp()
    port = _free_port()
    server = _ThreadServer(uvicorn.Config(current, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    yield current, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


# The app each base URL serves now, so log_in can start a session on the test's own database.
_APPS: dict[str, object] = {}


@pytest.fixture
def live_server(app, _shared_server):
    """The test's app served on http://127.0.0.1:<port>; yields the base URL."""
    current, base_url = _shared_server
    current.app = app
    _APPS[base_url] = app
    yield base_url
    current.app = None
    _APPS.pop(base_url, None)


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


def log_in_with_form(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Log in through the form, as a person would (for the tests about logging in itself)."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    # Wait for the form's navigation itself: "networkidle" alone can return before it starts.
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")


def log_in(page, base_url: str, email: str, password: str = PASSWORD, to: str = "/") -> None:
    """Log in by starting a session on the server and giving the browser its cookie, then open
    home, or the page `to` names (a path) where the test starts: a page opened first does what
    home would (the device's keys), and the test is spared a page it would only pass through.

    The form itself is tested by the login tests (log_in_with_form); elsewhere it only cost time.
    The password is still checked, so a test cannot log in with one that would be refused.
    """
    app = _APPS[base_url]
    while not hasattr(app, "state"):  # a test wrapper around the app (offline_support.Flaky)
        app = app.app
    with Session(app.state.engine, expire_on_commit=False) as session:
        user = session.exec(select(User).where(User.email == email.lower())).first()
        assert user is not None and user.is_active, f"no active account for {email}"
        assert passwords.verify_password(password, user.password_hash)[0], f"wrong password for {email}"
        cookie = start_session(session=session, user=user, settings=app.state.settings, user_agent="browser test")
        session.commit()
    page.context.add_cookies(
        [{"name": COOKIE_NAME, "value": cookie, "url": base_url, "httpOnly": True, "sameSite": "Lax"}]
    )
    with quiet_network(page):
        page.goto(f"{base_url}{to}")


def switch_user(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Log the tablet out and someone else in. Off the page first, as a person logging out would:
    a page left open keeps polling (the notifications badge), and its next poll, sent with no
    session, takes it to the login screen, interrupting the next navigation if it lands then."""
    page.goto("about:blank")
    page.context.clear_cookies()
    log_in(page, base_url, email, password)


@contextmanager
def quiet_network(page, quiet: float = 0.15, timeout: float = 30):
    """After the block, wait until every request the page started has finished and none has
    started for `quiet` seconds (the home page's device key, outbox key, badge and returned items).

    Playwright's "networkidle" waits for half a second of silence after the last answer, 0.5 s of
    nothing on each of about a hundred log-ins a run, and within the page's 8-second timeout,
    which a loaded machine's home page can take to answer its five requests (every failure of a
    CI run at load 20 was that wait); this waits on the requests themselves, up to `timeout`.
    """
    pending: set = set()
    last_change = [time.monotonic()]

    def started(request):
        pending.add(request)
        last_change[0] = time.monotonic()

    def ended(request):
        pending.discard(request)
        last_change[0] = time.monotonic()

    page.on("request", started)
    page.on("requestfinished", ended)
    page.on("requestfailed", ended)
    try:
        yield
        deadline = time.monotonic() + timeout
        while pending or time.monotonic() - last_change[0] < quiet:
            if time.monotonic() > deadline:
                raise AssertionError(f"requests still running after {timeout} s: {[r.url for r in pending]}")
            page.wait_for_timeout(25)  # lets Playwright deliver the page's request events
    finally:
        page.remove_listener("request", started)
        page.remove_listener("requestfinished", ended)
        page.remove_listener("requestfailed", ended)


def _axe_violations(page) -> list:
    """axe-core's violations on the page as it stands once it has loaded.

    A click on a link returns once the navigation has committed, before the new document has any
    content (`document.documentElement` is still null then); axe waits for the load. If a
    navigation still replaces the document mid-run (a redirect after the load), the run is made
    again on the page it arrived at, once.
    """
    from playwright.sync_api import Error as PlaywrightError

    for attempt in (1, 2):
        page.wait_for_load_state("load")
        try:
            # Evaluated through the DevTools protocol, which the page's strict CSP does not govern;
            # once a document (the same page turned on its side, say): 550 KB, 0.1 s a time.
            if not page.evaluate("() => typeof window.axe === 'object'"):
                page.evaluate(_axe_source())
            # resultTypes: every rule still runs and every violation is reported with all its
            # nodes; axe only stops building selectors for the passes and the rest, which nobody
            # reads (on the demo's richest case page 0.4–0.9 s a run instead of 1.3–2.1 s).
            return page.evaluate(
                """async () => (await axe.run(document, {
                    runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa']},
                    resultTypes: ['violations'],
                })).violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target)}))"""
            )
        except PlaywrightError as error:
            navigated = "documentElement" in str(error) or "context was destroyed" in str(error)
            if attempt == 2 or not navigated:
                raise
    raise AssertionError("unreachable")


def assert_accessible(page, name: str | None = None) -> None:
    """Run axe-core (WCAG 2.0-2.2 A and AA rules) on the current page; no violations allowed.

    Pass `name` to also save a screenshot to tests/browser/screenshots/ for people to look at
    (not in CI, unless HOMEWARD_SCREENSHOTS=1).
    """
    violations = _axe_violations(page)
    if name and SAVE_SCREENSHOTS:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        if name in README_SHOT_NAMES:
            README_SHOTS.mkdir(exist_ok=True)
            (README_SHOTS / f"{name}.png").write_bytes((SCREENSHOTS / f"{name}.png").read_bytes())
    assert violations == [], f"axe found violations on {page.url}:\n{json.dumps(violations, indent=2)}"


def assert_at_sizes(page, name: str, sizes: dict[str, dict], minimum: int = 44) -> None:
    """The page as it stands, laid out at each of `sizes` in turn: no sideways scrolling, axe
    clean, every target at least `minimum` px; screenshots named `name-<size>`. Then back to the
    size it had.

    One journey checks each screen at a tablet's and a phone's size instead of walking the whole
    journey twice: CSS alone lays the pages out (no script reads the window's size, which
    tests/test_static_assets.py holds to), so a page made narrower is the page a phone opens.
    """
    page.wait_for_load_state()  # a link just clicked: its page, not the one being left
    before = page.viewport_size
    for label, size in sizes.items():
        page.set_viewport_size(size)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{name} scrolls sideways at {label}: {width} px wide"
        assert_accessible(page, f"{name}-{label}")
        assert_touch_targets(page, minimum)
    page.set_viewport_size(before)


def open_case_parts(page) -> None:
    """Open every part of the case page, as a worker taps each closed summary (issue 18: the page
    opens on what needs doing, the frameworks' parts closed)."""
    page.locator("details.case-part").first.wait_for(state="attached")
    page.evaluate("document.querySelectorAll('details.case-part').forEach(d => { d.open = true; })")


def assert_touch_targets(page, minimum: int = 44) -> None:
    """Every visible button, link-as-button and form control is at least `minimum` px tall.

    A radio button or checkbox is tapped anywhere on its label too, so its target is the larger
    of the two boxes."""
    small = page.evaluate(
        """(min) => Array.from(document.querySelectorAll('button, .button, input:not([type=hidden]), select, textarea, nav a'))
            .filter(el => el.offsetParent !== null)
            .map(el => {
                let r = el.getBoundingClientRect();
                const label = (el.type === 'radio' || el.type === 'checkbox') && el.labels && el.labels[0];
                if (label && label.getBoundingClientRect().height > r.height) r = label.getBoundingClientRect();
                return {text: (el.innerText || el.name || el.id || '').slice(0, 40), h: r.height, w: r.width}; })
            .filter(r => (r.h < min && !(r.w >= 20 && r.h >= 20 && r.text === '')) )""",
        minimum,
    )
    assert small == [], f"touch targets smaller than {minimum}px: {small}"
