"""Take offline and the kept copies, as a worker sees them (the offline review's defects)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select
from starlette.responses import PlainTextResponse

from app.accounts.service import set_offline_pin_check
from app.audit.models import AuditEntry
from tests.browser.conftest import assert_accessible, log_in
from tests.browser.offline_support import Faults, status, stored, take_offline, wait_for_service_worker
from tests.factories import make_case, make_user
from tests.network.factories import make_family_case, meeting_form

pytestmark = pytest.mark.browser

PIN = "482913"
KEPT = "() => caches.open('homeward-pages').then(c => c.keys()).then(ks => ks.map(k => new URL(k.url).pathname))"


def test_take_offline_neither_downloads_the_family_letter_pdf_nor_audits_an_export(page, live_server, db):
    worker, case, people = make_family_case(db)
    db.commit()
    log_in(page, live_server, worker.email)
    made = page.request.post(
        f"{live_server}/cases/{case.id}/network/meetings",
        form=meeting_form(people),
        headers={"Origin": live_server},
        max_redirects=0,
    )
    assert made.status == 303
    take_offline(page, live_server, case.id)
    kept = page.evaluate(KEPT)
    assert any(path.endswith("/letter") for path in kept)  # the letter itself is kept to read
    assert not [path for path in kept if path.endswith(".pdf")]
    db.expire_all()
    exports = db.exec(select(AuditEntry).where(AuditEntry.action == "export", AuditEntry.case_id == case.id)).all()
    assert exports == []


def _kept_paths(page) -> list[str]:
    return page.evaluate(KEPT)


class TestTakeCutShort:
    @pytest.fixture
    def app(self, app):
        return Faults(app)

    def test_a_take_offline_that_fails_part_way_leaves_no_page_of_the_case_openable_offline(
        self, app, page, context, live_server, db
    ):
        worker, case, _people = make_family_case(db)
        db.commit()
        log_in(page, live_server, worker.email)
        page.goto(f"{live_server}/cases/{case.id}")
        wait_for_service_worker(page)
        # The signal drops while the network map is on its way; the essentials came before it.
        network = f"/cases/{case.id}/network"
        app.cut(network)
        page.get_by_role("button", name="Take offline").click()
        expect(page.get_by_text("Could not keep this case on the device")).to_be_visible(timeout=30000)
        app.clear()
        assert app.hits[network] >= 1  # the take asked for the network map and lost it
        assert [p for p in _kept_paths(page) if p.startswith(f"/cases/{case.id}")] == []
        page.reload()
        expect(page.get_by_text("Not kept on this device.")).to_be_visible()
        context.set_offline(True)
        page.goto(f"{live_server}/cases/{case.id}/contacts/new")
        expect(page.get_by_role("heading", name="You are offline")).to_be_visible()


def test_remove_from_device_takes_every_kept_page_of_the_case_listed_or_not(page, context, live_server, db):
    worker, case, _people = make_family_case(db)
    db.commit()
    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)
    # A page kept by an earlier take that the case's list no longer names.
    page.evaluate(
        """(url) => new Promise((resolve) => {
            const req = indexedDB.open("homeward", 1);
            req.onsuccess = () => { const s = req.result.transaction("cases", "readwrite").objectStore("cases");
                const get = s.get(url); get.onsuccess = () => { const e = get.result;
                    e.urls = e.urls.filter(u => u !== url + "/contacts/new"); s.put(e).onsuccess = () => resolve(); }; };
        })""",
        f"/cases/{case.id}",
    )
    assert f"/cases/{case.id}/contacts/new" in _kept_paths(page)
    assert any(p.startswith(f"/family/{case.id}/") for p in _kept_paths(page))
    page.reload()
    page.get_by_role("button", name="Remove from device").click()
    expect(page.get_by_text("Not kept on this device.")).to_be_visible()
    assert [p for p in _kept_paths(page) if p != "/outbox"] == []
    context.set_offline(True)
    page.goto(f"{live_server}/cases/{case.id}/contacts/new")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()


def test_whoever_holds_a_locked_tablet_cannot_discard_a_workers_refused_item_or_remove_their_case(
    page, context, live_server, db, settings
):
    worker = make_user(db, email="sam@example.org", full_name="Sam Okafor")
    set_offline_pin_check(worker, PIN, settings.pin_kdf_iterations)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    db.commit()
    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)
    page.goto(f"{live_server}/cases/{case.id}/contacts/new")
    context.set_offline(True)
    page.get_by_label("Young person seen alone").check()  # refused: nobody is named as seen
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("Saved on this device — will sync when online")).to_be_visible()
    context.set_offline(False)
    expect(status(page)).to_have_text("1 need attention", timeout=15000)
    # The worker leaves the tablet; it locks; someone else opens the Outbox with no signal.
    context.set_offline(True)
    page.evaluate("navigator.serviceWorker.controller.postMessage({lock: 1})")
    page.goto(f"{live_server}/outbox")
    expect(page.get_by_text("Nothing needs attention.")).to_have_count(0)
    expect(page.get_by_role("button", name="Discard")).to_have_count(0)
    expect(page.get_by_role("button", name="Remove from device")).to_have_count(0)
    expect(page.get_by_role("link", name="Unlock with your PIN first")).to_have_count(2)
    assert len(stored(page)) == 1 and len(stored(page, "cases")) == 1
    # The worker unlocks: both are offered again.
    page.get_by_role("link", name="Unlock with your PIN first").first.click()
    page.get_by_label("Worker PIN").fill(PIN)
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_role("button", name="Discard")).to_be_visible()
    expect(page.get_by_role("button", name="Remove from device")).to_be_visible()


class Failing:
    """Wraps the app to play Homeward failing (503) for page loads while `on` is set."""

    def __init__(self, app):
        self.app, self.on = app, False

    async def __call__(self, scope, receive, send):
        if self.on and scope["type"] == "http" and scope["path"].startswith("/cases/"):
            await PlainTextResponse("Service unavailable", status_code=503)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class TestKeptCopyShown:
    @pytest.fixture
    def app(self, app):
        return Failing(app)

    def test_a_kept_copy_served_while_homeward_fails_says_it_is_a_copy_and_when_it_was_kept(
        self, app, page, live_server, db
    ):
        worker = make_user(db, email="sam@example.org", full_name="Sam Okafor")
        case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
        db.commit()
        log_in(page, live_server, worker.email)
        take_offline(page, live_server, case.id)
        notice = page.get_by_role("status").filter(has_text="This is the copy kept on this device at")
        expect(notice).to_have_count(0)  # Homeward's own page
        app.on = True
        page.goto(f"{live_server}/cases/{case.id}")
        expect(page.get_by_role("heading", name="Kayla Morgan")).to_be_visible()
        expect(status(page)).to_have_text("Online")
        expect(notice).to_have_text(
            re.compile(r"^This is the copy kept on this device at \d\d:\d\d; it may be out of date\.$")
        )
        assert_accessible(page, "kept-copy-notice")
        app.on = False
        page.reload()
        expect(notice).to_have_count(0)
