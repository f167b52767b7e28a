"""Helpers for the offline browser tests: Take offline, failing-server wrappers and looks into IndexedDB."""

from __future__ import annotations

import asyncio
import time

from starlette.responses import PlainTextResponse


class Flaky:
    """Wraps the app to play a failing server for outbox requests (those with an Idempotency-Key).

    `skip` requests pass first; then `lose` requests are applied but answered 500 (the answer is
    lost: the worst case for duplicates); while `refuse` is set they fail before anything applies.
    """

    def __init__(self, app):
        self.app, self.skip, self.lose, self.refuse = app, 0, 0, False

    async def __call__(self, scope, receive, send):
        # Outbox requests: sent with an Idempotency-Key, or sealed items sent to /sync/sealed.
        outbox = scope["type"] == "http" and (
            scope["path"] == "/sync/sealed" or any(k == b"idempotency-key" for k, _ in scope["headers"])
        )
        if outbox and self.refuse:
            await PlainTextResponse("Server error", status_code=500)(scope, receive, send)
            return
        if outbox and self.skip:
            self.skip -= 1
        elif outbox and self.lose:
            self.lose -= 1

            async def swallow(message):
                pass

            await self.app(scope, receive, swallow)
            await PlainTextResponse("Server error", status_code=500)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class SignalLost(Exception):
    """Raised part-way through an answer: uvicorn then closes the connection, as a lost signal does."""


class Faults:
    """Wraps the app so that GETs of chosen paths fail or lag in the server, as a weak signal makes them.

    `answer(path, status)` answers that status (a proxy's 502); `cut(path)` starts a page and
    closes the connection part-way, so the page's fetch fails reading it; `slow(path, seconds)`
    answers late. `hits` counts each.
    Done in the server, not with Playwright's routing: a page's fetch that passes through the
    service worker was once, in CI, not routed, and a take meant to fail then succeeded.
    """

    def __init__(self, app):
        self.app, self.faults, self.hits = app, {}, {}

    def answer(self, path: str, status: int) -> None:
        self.faults[path] = status

    def answer_post(self, path: str, status: int) -> None:
        """A POST to `path` answered with `status` (a form sent on a signal too weak to carry it)."""
        self.faults[("POST", path)] = status

    def cut(self, path: str) -> None:
        self.faults[path] = "cut"

    def slow(self, path: str, seconds: float) -> None:
        """Homeward answers, but only after `seconds` (a PDF made on a busy server)."""
        self.faults[path] = seconds

    def clear(self) -> None:
        self.faults.clear()

    async def __call__(self, scope, receive, send):
        fault = None
        if scope["type"] == "http":
            key = scope["path"] if scope["method"] == "GET" else (scope["method"], scope["path"])
            fault = self.faults.get(key)
        if fault is None:
            await self.app(scope, receive, send)
            return
        self.hits[scope["path"]] = self.hits.get(scope["path"], 0) + 1
        if isinstance(fault, float):
            await asyncio.sleep(fault)
            await self.app(scope, receive, send)
            return
        if fault != "cut":
            await PlainTextResponse("Bad gateway", status_code=fault)(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": b"<!doctype html><main>", "more_body": True})
        raise SignalLost(scope["path"])


def status(page):
    """The header's role="status" element."""
    return page.get_by_role("status").first


def wait_for_service_worker(page) -> None:
    """Wait until the service worker controls the page (it claims pages when it activates).

    A page whose load began while the worker was still installing is not claimed by it (claim()
    takes only pages already running), so a page still not controlled half a second after the
    worker is active is reloaded, as a worker opening the next page would be controlled. A worker
    whose install was cut short (a shell file fetched while the machine is saturated) is installed
    again by a reload too, so after ten seconds the page is reloaded once more before giving up.
    """
    # Polled from here: wait_for_function's string predicates are evaluated with eval() inside
    # the page, which the strict CSP refuses ("unsafe-eval"), while page.evaluate is not.
    controlled = "() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)"
    active = """() => navigator.serviceWorker.getRegistration()
        .then(r => !!(r && r.active && r.active.state === 'activated'))"""
    started = time.monotonic()
    active_since = None
    reloads = 0
    while not page.evaluate(controlled):
        now = time.monotonic()
        if active_since is None and page.evaluate(active):
            active_since = now
        if (active_since is not None and now - active_since > 0.5 and reloads == 0) or (
            now - started > 10 and reloads < 2
        ):
            page.reload()
            reloads, active_since = reloads + 1, None
        if now - started > 40:
            raise AssertionError("the service worker did not take control of the page within 40 s")
        page.wait_for_timeout(100)


def stored(page, name: str = "outbox") -> list[dict]:
    """Everything in one IndexedDB store of the app's database."""
    return page.evaluate(
        """(name) => new Promise((resolve) => {
            const req = indexedDB.open("homeward", 1);
            req.onsuccess = () => { const r = req.result.transaction(name).objectStore(name).getAll();
                r.onsuccess = () => { req.result.close(); resolve(r.result); }; };
        })""",
        name,
    )


def put_back(page, ops: list[dict]) -> None:
    """Put operations back in the outbox as they were, as a device retrying after a lost answer."""
    page.evaluate(
        """(ops) => new Promise((resolve) => {
            const req = indexedDB.open("homeward", 1);
            req.onsuccess = () => { const t = req.result.transaction("outbox", "readwrite");
                ops.forEach(op => t.objectStore("outbox").put(op)); t.oncomplete = () => { req.result.close(); resolve(); }; };
        })""",
        ops,
    )


def take_offline(page, live_server: str, case_id: int) -> None:
    """Press "Take offline" on the case page and wait until this take (not an earlier one) is kept."""
    from playwright.sync_api import expect

    page.goto(f"{live_server}/cases/{case_id}")
    wait_for_service_worker(page)
    before = [c["taken_at"] for c in stored(page, "cases")]
    page.get_by_role("button", name="Take offline").click()
    expect(page.get_by_text("Kept on this device since")).to_be_visible(timeout=30000)
    deadline = time.monotonic() + 30
    while [c["taken_at"] for c in stored(page, "cases")] == before:
        if time.monotonic() > deadline:
            raise AssertionError("Take offline did not finish within 30 s")
        page.wait_for_timeout(100)


def assert_sent(page, timeout: float = 30) -> None:
    """Back online, the outbox empties and the header then says "Online".

    Polled: the header can read "Online" a moment before the outbox's first send starts (the
    browser's online event reaches the header before the device has unlocked its outbox).
    """
    from playwright.sync_api import expect

    deadline = time.monotonic() + timeout
    while stored(page):
        if time.monotonic() > deadline:
            raise AssertionError(f"the outbox still held {len(stored(page))} items after {timeout} s online")
        page.wait_for_timeout(100)
    expect(status(page)).to_have_text("Online")
