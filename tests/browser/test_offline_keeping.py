"""What "Take offline" keeps and what the device warns about before anything can be lost (issue 15)."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.assets import static_url
from app.cases.models import Person
from tests.browser.conftest import assert_accessible, log_in
from tests.browser.offline_support import Faults, assert_sent, status, stored, take_offline
from tests.factories import make_case, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def worker_case(db):
    worker = make_user(db, email="sam@example.org", full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    db.commit()
    return worker, case


def _save_contact_offline(page, context, live_server, case):
    page.goto(f"{live_server}/cases/{case.id}/contacts/new")
    context.set_offline(True)
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("Saved on this device — will sync when online")).to_be_visible()


def test_the_richest_demo_case_keeps_record_a_contact_every_person_and_the_ending_for_an_offline_visit(
    page, context, live_server, db, settings
):
    from app.demo import DEMO_PASSWORD
    from tests.demo_copy import demo_service

    demo = demo_service(session=db, settings=settings)
    db.commit()
    case = demo.cases["Amira"]
    worker = next(u for u in demo.users.values() if u.id == case.key_worker_id)
    people = db.exec(select(Person).where(Person.case_id == case.id)).all()
    log_in(page, live_server, worker.email, DEMO_PASSWORD)
    take_offline(page, live_server, case.id)
    expect(page.get_by_text("Kept on this device since")).to_contain_text("pages; not kept:")
    context.set_offline(True)
    page.goto(f"{live_server}/cases/{case.id}/contacts/new")
    expect(page.get_by_role("button", name="Save contact")).to_be_visible()
    for person in people:
        page.goto(f"{live_server}/cases/{case.id}/people/{person.id}/edit")
        expect(page.get_by_role("heading", name=f"Edit {person.name}")).to_be_visible()
    page.goto(f"{live_server}/cases/{case.id}/end")
    expect(page.get_by_role("heading", name="You are offline")).to_have_count(0)
    expect(page.locator("form[action$='/end']")).to_have_count(1)


def test_a_browser_that_refuses_persistent_storage_is_named_on_the_outbox_and_the_case_page(
    page, context, live_server, worker_case
):
    worker, case = worker_case
    page.add_init_script("navigator.storage.persist = () => Promise.resolve(false);")
    log_in(page, live_server, worker.email)
    _save_contact_offline(page, context, live_server, case)
    context.set_offline(False)
    refused = "This browser has not agreed to keep Homeward's storage"
    page.get_by_role("link", name="Outbox").click()
    expect(page.get_by_text(refused)).to_be_visible()
    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.get_by_text(refused)).to_be_visible()


def test_removing_a_case_from_the_device_with_items_waiting_says_how_many_and_can_be_put_off(
    page, context, live_server, worker_case
):
    worker, case = worker_case
    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)
    _save_contact_offline(page, context, live_server, case)
    page.goto(f"{live_server}/cases/{case.id}")
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))  # the worker keeps it
    page.get_by_role("button", name="Remove from device").click()
    for _ in range(50):
        if messages:
            break
        page.wait_for_timeout(100)
    assert messages and messages[0].startswith("1 saved for this case still waiting to sync.")
    expect(page.get_by_text("Kept on this device since")).to_be_visible()
    expect(status(page)).to_have_text("1 waiting")
    assert len(stored(page, "cases")) == 1


def test_a_page_an_earlier_take_kept_and_a_later_one_no_longer_lists_leaves_the_device(
    page, context, live_server, worker_case, db
):
    """The ending is kept while the case is in active work; once the case is dormant, taking it
    offline again keeps reactivation instead, and the ending no longer opens offline as if current."""
    worker, case = worker_case
    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)
    kept = "caches.open('homeward-pages').then(c => c.keys()).then(k => k.map(r => new URL(r.url).pathname))"
    assert f"/cases/{case.id}/end" in page.evaluate(kept)

    case.status = "dormant"
    db.add(case)
    db.commit()
    take_offline(page, live_server, case.id)
    for _ in range(50):  # the earlier take's pages go just after this one is recorded
        if f"/cases/{case.id}/end" not in page.evaluate(kept):
            break
        page.wait_for_timeout(100)
    pages = page.evaluate(kept)
    assert f"/cases/{case.id}/end" not in pages
    assert f"/cases/{case.id}/dormant-review" in pages and f"/cases/{case.id}" in pages


class TestBadAnswers:
    @pytest.fixture
    def app(self, app):
        return Faults(app)

    def test_a_page_a_later_take_could_not_fetch_keeps_its_earlier_copy(
        self, app, page, context, live_server, worker_case
    ):
        """One bad answer on a weak signal (a proxy's 502) during a second take leaves the earlier copy
        of that page, still listed, rather than taking it off the device."""
        worker, case = worker_case
        log_in(page, live_server, worker.email)
        take_offline(page, live_server, case.id)
        end = f"/cases/{case.id}/end"
        assert end in stored(page, "cases")[0]["urls"]

        app.answer(end, 502)
        take_offline(page, live_server, case.id)
        app.clear()
        assert app.hits[end] == 1
        assert end in stored(page, "cases")[0]["urls"]

        # Nor does a bad answer to the list that names the family's screens (found only through it).
        family = [u for u in stored(page, "cases")[0]["urls"] if u.startswith(f"/family/{case.id}/")]
        assert family
        listed = f"/cases/{case.id}/offline-pages"
        app.answer(listed, 502)
        page.get_by_role("button", name="Take offline").click()
        expect(page.get_by_text("Could not keep this case on the device")).to_be_visible()
        app.clear()
        assert app.hits[listed] == 1
        assert set(family) <= set(stored(page, "cases")[0]["urls"])

        context.set_offline(True)
        for path in (end, family[0]):
            page.goto(f"{live_server}{path}")
            expect(page.get_by_role("heading", name="You are offline")).not_to_be_visible()
            expect(page.locator("body[data-kept-at]")).to_have_count(1)  # the kept copy, opened


class TestExpiry:
    @pytest.fixture
    def settings(self, database_url):
        from app.config import Settings

        return Settings(
            homeward_env="test",
            database_url=database_url,
            secret_key="test-secret-key-long-enough-for-tests-0123456789",
            offline_cache_hours=0,
        )

    def test_expired_case_copies_are_deleted_unopened_and_the_outbox_still_opens_offline(
        self, page, context, live_server, worker_case
    ):
        worker, case = worker_case
        log_in(page, live_server, worker.email)
        take_offline(page, live_server, case.id)
        page.goto(f"{live_server}/outbox")  # any page: the service worker sweeps on its own
        page.wait_for_timeout(500)
        kept = page.evaluate(
            "caches.open('homeward-pages').then(c => c.keys()).then(k => k.map(r => new URL(r.url).pathname))"
        )
        assert kept == ["/outbox"]
        context.set_offline(True)
        page.goto(f"{live_server}/outbox")
        expect(page.get_by_role("heading", name="Outbox")).to_be_visible()


class TestLostStorage:
    @pytest.fixture
    def app(self, app):
        from tests.browser.offline_support import Flaky

        return Flaky(app)

    def _waiting_after_a_report(self, app, page, context, live_server, worker, case):
        log_in(page, live_server, worker.email)
        _save_contact_offline(page, context, live_server, case)
        app.refuse = True  # Homeward is failing: the item stays waiting after the device reported it
        context.set_offline(False)
        page.reload()
        expect(status(page)).to_have_text("1 waiting")
        page.evaluate("window.HomewardOffline.sync()")
        expect(status(page)).to_have_text("1 waiting")

    @pytest.mark.parametrize(
        "evicted", ["indexeddb,local_storage,cache_storage,service_workers", "indexeddb,cache_storage,service_workers"]
    )
    def test_items_lost_when_the_browser_evicts_its_storage_are_named_on_the_next_load(
        self, app, page, context, live_server, worker_case, evicted
    ):
        """Evicted for space: the pages, the outbox and the keys go (with or without localStorage,
        where the device notes what it last reported), the cookies stay."""
        worker, case = worker_case
        self._waiting_after_a_report(app, page, context, live_server, worker, case)
        cdp = context.new_cdp_session(page)
        cdp.send("Storage.clearDataForOrigin", {"origin": live_server, "storageTypes": evicted})
        app.refuse = False
        page.goto(f"{live_server}/")
        lost = page.get_by_role("alert").filter(has_text="never reached Homeward")
        expect(lost).to_contain_text("1 saved on this device (")
        expect(lost).to_contain_text("Please enter them again.")

    def test_items_on_a_browser_cleared_whole_may_be_elsewhere_and_are_named_once(
        self, app, page, context, live_server, worker_case
    ):
        """Site data cleared, cookies and all: Homeward cannot tell this browser from a new one."""
        worker, case = worker_case
        self._waiting_after_a_report(app, page, context, live_server, worker, case)
        cdp = context.new_cdp_session(page)
        cdp.send("Storage.clearDataForOrigin", {"origin": live_server, "storageTypes": "all"})
        context.clear_cookies()
        app.refuse = False
        log_in(page, live_server, worker.email)
        told = page.get_by_role("alert").filter(has_text="has not reached Homeward")
        expect(told).to_contain_text("1 item saved on a device (")
        expect(told).to_contain_text("If it was saved in this browser, its data was cleared and it is lost")
        expect(told).to_contain_text("If it was saved on another tablet or phone, open Homeward there")
        assert_accessible(page, "outbox-items-elsewhere")
        # Said once: this browser is known now. (The device would not report an unchanged list;
        # forgetting what it said makes it report, so Homeward's answer is what is tested.)
        page.evaluate("localStorage.removeItem('homeward.reported')")
        with page.expect_response("**/sync/device-items"):
            page.reload()
        expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
        page.wait_for_timeout(300)  # the answer read and shown, had it named anything
        expect(page.get_by_role("alert").filter(has_text="reached Homeward")).to_have_count(0)

    def test_a_second_device_of_the_worker_is_not_told_the_first_ones_items_were_lost(
        self, app, browser, page, context, live_server, worker_case
    ):
        """The tablet holds an item it could not send; the worker opens Homeward on a phone (a
        browser of its own). The phone is told the item may be elsewhere, once, never that it is
        lost; the tablet still holds it and sends it when Homeward answers again."""
        worker, case = worker_case
        self._waiting_after_a_report(app, page, context, live_server, worker, case)
        phone = browser.new_context(viewport={"width": 390, "height": 844})
        try:
            other = phone.new_page()
            log_in(other, live_server, worker.email)
            expect(other.get_by_role("alert").filter(has_text="has not reached Homeward")).to_have_count(1)
            expect(other.get_by_role("alert").filter(has_text="never reached Homeward")).to_have_count(0)
            other.evaluate("localStorage.removeItem('homeward.reported')")  # so it reports again
            with other.expect_response("**/sync/device-items"):
                other.reload()
            expect(other.get_by_role("heading", name="My caseload")).to_be_visible()
            other.wait_for_timeout(300)  # the answer read and shown, had it named anything
            expect(other.get_by_role("alert").filter(has_text="reached Homeward")).to_have_count(0)
        finally:
            phone.close()
        app.refuse = False
        page.reload()
        page.evaluate("window.HomewardOffline.sync()")
        assert_sent(page)
        expect(page.get_by_role("alert").filter(has_text="reached Homeward")).to_have_count(0)


class TestFamilyInAnotherTab:
    @pytest.fixture
    def app(self, app):
        from tests.browser.offline_support import Flaky

        return Flaky(app)

    def test_a_worker_tab_left_open_while_the_family_has_the_tablet_keeps_its_items_for_the_hand_back(
        self, app, page, context, live_server, db, worker_case
    ):
        """The worker hands over in a second tab; the first, a worker's page, syncs on its own.
        Its item is refused while the family has the tablet: it must wait, not be set aside as
        needing attention, and go when the tablet is handed back."""
        from tests.family.factories import PIN, with_pin

        worker, case = worker_case
        with_pin(worker, db)
        db.commit()
        log_in(page, live_server, worker.email)
        _save_contact_offline(page, context, live_server, case)
        app.refuse = True  # Homeward is failing while the signal returns: the item stays waiting
        context.set_offline(False)
        page.evaluate("window.HomewardOffline.sync()")
        expect(status(page)).to_have_text("1 waiting")

        family = context.new_page()
        family.goto(f"{live_server}/cases/{case.id}/hand-to-family")
        family.get_by_label("Worker PIN").fill(PIN)
        family.get_by_role("button", name="Hand to family").click()
        family.wait_for_url(f"**/family/{case.id}/*")
        app.refuse = False
        with page.expect_response("**/sync/sealed") as sent:
            page.evaluate("window.HomewardOffline.sync()")
        assert sent.value.status == 403
        page.evaluate("window.HomewardOffline.refresh()")
        expect(status(page)).to_have_text("1 waiting")

        family.get_by_role("link", name="Hand back").click()
        family.get_by_label("Worker PIN").fill(PIN)
        family.get_by_role("button", name="Hand back").click()
        family.wait_for_url(f"**/cases/{case.id}/**")
        # The worker's page the hand-back opened syncs too (the outbox is the browser's, shared by
        # its tabs); closed here, so this tab's header is the one that tells, after its reload.
        family.close()
        page.reload()
        page.evaluate("window.HomewardOffline.sync()")
        assert_sent(page)
        db.expire_all()
        from sqlmodel import func, select

        from app.cases.models import Contact

        assert db.exec(select(func.count()).select_from(Contact).where(Contact.case_id == case.id)).one() == 1


def test_a_waiting_item_keeps_no_family_name_or_note_readable_in_storage(page, context, live_server, worker_case):
    worker, case = worker_case
    log_in(page, live_server, worker.email, to=f"/cases/{case.id}")  # fetches the outbox key for sealing
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server}/cases/{case.id}/contacts/new")
    context.set_offline(True)
    page.get_by_label("Note").fill("Kayla's mum was upset about the school.")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("Saved on this device — will sync when online")).to_be_visible()
    at_rest = json.dumps(stored(page))
    assert "Kayla" not in at_rest and "upset" not in at_rest and '"sealed"' in at_rest
    context.set_offline(False)


@pytest.fixture
def new_release(monkeypatch):
    """Call to play a new release of Homeward: the stylesheet and the offline script change, so
    every page links new versions of both bundles and the service worker's version changes."""
    from app import assets
    from app.pwa import routes as pwa_routes

    def release():
        minify = assets.minify
        monkeypatch.setattr(
            assets,
            "minify",
            lambda name, source: minify(name, source) + {"app.css": b".released{}", "offline.js": b";"}.get(name, b""),
        )
        assets.shipped.cache_clear()
        pwa_routes.service_worker_source.cache_clear()

    yield release
    monkeypatch.undo()
    assets.shipped.cache_clear()
    pwa_routes.service_worker_source.cache_clear()


def test_a_case_kept_before_a_new_release_still_opens_offline_styled_and_able_to_save(
    page, context, live_server, worker_case, new_release
):
    """A case taken offline on Monday, Homeward updated on Tuesday, the tablet online on Wednesday
    morning (its service worker updates) and then in the living room with no signal: the kept page
    links Monday's stylesheet and script, so the old shell stays until those copies have expired;
    the Outbox page, kept with no age limit, is fetched again with the new version."""
    worker, case = worker_case
    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)
    page.goto(f"{live_server}/outbox")
    shell = "() => caches.keys().then(k => k.filter(n => n.startsWith('homeward-shell-')))"
    [monday] = page.evaluate(shell)

    new_release()
    log_in(page, live_server, worker.email)  # online: the browser finds and installs the new worker
    deadline = time.monotonic() + 30
    while len(page.evaluate(shell)) < 2 or page.evaluate(
        "() => navigator.serviceWorker.getRegistration().then(r => !!(r.installing || r.waiting))"
    ):
        assert time.monotonic() < deadline, "the new service worker was not installed"
        page.wait_for_timeout(100)
    log_in(page, live_server, worker.email)  # the page hands the device key to the new worker
    assert monday in page.evaluate(shell)  # kept: Monday's case copy links it

    # The browser's own HTTP cache may still hold Monday's files, but nothing promises it (a
    # tablet short of space empties it first): only what the service worker keeps counts.
    context.new_cdp_session(page).send("Network.clearBrowserCache")
    context.set_offline(True)
    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.get_by_role("heading", name="Kayla Morgan")).to_be_visible()
    styled = "() => getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    assert page.evaluate(styled) not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.evaluate("() => typeof window.HomewardOffline") == "object"  # forms still save offline
    page.goto(f"{live_server}/cases/{case.id}/contacts/new")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("Saved on this device — will sync when online")).to_be_visible()

    page.goto(f"{live_server}/outbox")
    linked = page.evaluate("() => document.querySelector('link[rel=stylesheet]').href")
    assert linked.endswith(static_url("css/homeward.css"))  # the new release's, fetched again
    assert page.evaluate(styled) not in ("rgba(0, 0, 0, 0)", "transparent")
