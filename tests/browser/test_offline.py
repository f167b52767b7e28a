"""Installing the app, discarding a refused item, and an expired session during sync."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from app.cases.models import Contact
from app.security.models import UserSession
from app.timeutil import utcnow
from tests.browser.conftest import assert_accessible, log_in
from tests.browser.offline_support import assert_sent, status, take_offline, wait_for_service_worker
from tests.factories import PASSWORD, make_case, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def worker_case(db):
    worker = make_user(db, email="sam@example.org", full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    db.commit()
    return worker, case


def _contacts(db, case) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(Contact).where(Contact.case_id == case.id)).one()


def _save_contact_offline(page, *, seen_alone=False):
    if seen_alone:
        page.get_by_label("Young person seen alone").check()
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("Saved on this device — will sync when online")).to_be_visible()


def test_manifest_is_valid_and_the_service_worker_controls_the_page_after_first_load(page, live_server, worker_case):
    worker, _ = worker_case
    log_in(page, live_server, worker.email)
    wait_for_service_worker(page)
    manifest = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert (manifest["name"], manifest["display"], manifest["start_url"]) == ("Homeward", "standalone", "/")
    assert {(i["sizes"], i["purpose"]) for i in manifest["icons"]} >= {("192x192", "any"), ("512x512", "maskable")}
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/sw.js")
    expect(status(page)).to_have_text("Online")


def test_the_offline_page_with_a_connection_says_homeward_did_not_answer_and_offers_to_try_again(
    page, context, live_server, worker_case
):
    """The service worker's stand-in for a page not kept on the device, shown when Homeward does
    not answer in time. With a connection (a signal too weak to carry the page, or Homeward busy)
    it said "You are offline" to a device that was not; it now says Homeward did not answer, with
    Try again (the page asked for); without one, that the device is offline."""
    worker, _ = worker_case
    log_in(page, live_server, worker.email, to="/offline")
    expect(page.get_by_role("heading", name="Homeward did not answer")).to_be_visible()
    expect(page.get_by_role("heading", name="You are offline")).to_have_count(0)
    assert page.title() == "Homeward did not answer · Homeward"
    assert page.get_by_role("link", name="Try again").evaluate("a => a.href") == page.url
    assert_accessible(page, "offline-page-did-not-answer-tablet")
    context.set_offline(True)
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    expect(page.get_by_role("heading", name="Homeward did not answer")).to_have_count(0)
    assert page.title() == "Offline · Homeward"


def test_discarding_a_refused_item_asks_first(page, context, live_server, db, worker_case):
    worker, case = worker_case
    log_in(page, live_server, worker.email, to=f"/cases/{case.id}/contacts/new")
    wait_for_service_worker(page)
    context.set_offline(True)
    _save_contact_offline(page, seen_alone=True)
    context.set_offline(False)
    expect(status(page)).to_have_text("1 need attention", timeout=15000)
    page.goto(f"{live_server}/outbox")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Discard").click()
    expect(status(page)).to_have_text("1 need attention")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Discard").click()
    expect(status(page)).to_have_text("Online")
    expect(page.get_by_text("Nothing needs attention.")).to_be_visible()
    assert _contacts(db, case) == 0


def test_a_discard_is_reported_by_its_own_worker_when_the_tablet_changes_hands(page, live_server, db, worker_case):
    """Sam discards a refused item and hands the tablet to Priya before Sam's device reported the
    discard. Priya's reports must not carry it away: Sam, back on the tablet, is not told the item
    he discarded never reached Homeward (the device's discards are kept per worker)."""
    worker, case = worker_case
    other = make_user(db, email="priya@example.org", full_name="Priya Shah")
    db.commit()
    log_in(page, live_server, worker.email, to=f"/cases/{case.id}/contacts/new")
    wait_for_service_worker(page)
    page.context.set_offline(True)
    _save_contact_offline(page, seen_alone=True)
    page.context.set_offline(False)
    expect(status(page)).to_have_text("1 need attention", timeout=15000)  # reported, sent, refused
    page.goto(f"{live_server}/outbox")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Discard").click()
    expect(status(page)).to_have_text("Online")
    for person in (other, worker):
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("button", name="Log in")).to_be_visible()
        with page.expect_response("**/sync/device-items"):
            log_in(page, live_server, person.email)
        expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
        page.wait_for_timeout(300)  # the answer read and shown, had it named anything
        expect(page.get_by_role("alert").filter(has_text="reached Homeward")).to_have_count(0)


def test_expired_session_pauses_sync_keeps_items_and_sends_them_after_logging_in_again(
    page, context, live_server, db, worker_case
):
    worker, case = worker_case
    log_in(page, live_server, worker.email, to=f"/cases/{case.id}/contacts/new")
    wait_for_service_worker(page)
    context.set_offline(True)
    _save_contact_offline(page)
    for user_session in db.exec(select(UserSession)).all():
        user_session.ended_at = utcnow()
        db.add(user_session)
    db.commit()

    context.set_offline(False)
    expect(page.get_by_text("Your session has ended, so syncing is paused")).to_be_visible(timeout=15000)
    expect(status(page)).to_have_text("1 waiting")
    assert _contacts(db, case) == 0

    page.get_by_role("link", name="Log in again to send what is waiting").click()
    page.get_by_label("Email").fill(worker.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")
    page.evaluate("window.HomewardOffline.sync()")  # waits for the sync the page started
    expect(status(page)).to_have_text("Online")
    assert _contacts(db, case) == 1


def test_logging_out_without_a_signal_is_put_off_and_keeps_the_cases_on_the_device(
    page, context, live_server, worker_case
):
    worker, case = worker_case
    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)
    context.set_offline(True)
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Kayla Morgan")).to_be_visible()
    assert messages == ["You are offline. Log out when you have a signal; until then your cases stay on this device."]
    assert page.evaluate("caches.has('homeward-pages')") is True


def test_saving_offline_asks_for_persistent_storage_and_the_outbox_warns_when_space_runs_low(
    page, context, live_server, worker_case
):
    worker, case = worker_case
    # A nearly full device, and a record of whether persistent storage was asked for.
    page.add_init_script("""
        navigator.storage.estimate = () => Promise.resolve({usage: 95, quota: 100});
        navigator.storage.persist = () => { localStorage.setItem("asked-persist", "yes"); return Promise.resolve(true); };
    """)
    log_in(page, live_server, worker.email, to=f"/cases/{case.id}/contacts/new")
    context.set_offline(True)
    _save_contact_offline(page)
    assert page.evaluate("localStorage.getItem('asked-persist')") == "yes"
    context.set_offline(False)
    page.get_by_role("link", name="Outbox").click()
    expect(page.get_by_text("This device is nearly out of space for Homeward.")).to_be_visible()


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

    def test_case_pages_kept_longer_than_the_configured_hours_are_not_shown(
        self, page, context, live_server, worker_case
    ):
        worker, case = worker_case
        log_in(page, live_server, worker.email)
        take_offline(page, live_server, case.id)
        context.set_offline(True)
        page.reload()
        expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
        context.set_offline(False)
        page.goto(f"{live_server}/outbox")
        expect(page.get_by_text("expired, take it offline again")).to_be_visible()


def test_a_page_load_asks_for_the_outbox_key_and_reports_the_devices_items_only_when_they_changed(
    page, context, live_server, worker_case
):
    """Every logged-in page names the key items are sealed to; the device keeps the key and asks
    Homeward for it only when it holds none or another (a new SECRET_KEY). It reports the items it
    holds when they change, not on every page: on a phone signal each is a round trip."""
    worker, case = worker_case
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url.split("/sync/")[1]) if "/sync/" in r.url else None)
    log_in(page, live_server, worker.email)
    kid = page.evaluate("document.body.dataset.outboxKid")
    assert len(kid) == 16 and asked.count("outbox-key") == 1 and asked.count("device-items") == 1
    assert page.evaluate("JSON.parse(localStorage.getItem('homeward.outboxKey')).kid") == kid
    log_in(page, live_server, worker.email, to=f"/cases/{case.id}")
    log_in(page, live_server, worker.email, to=f"/cases/{case.id}/contacts/new")
    assert asked.count("outbox-key") == 1 and asked.count("device-items") == 1
    # An item saved with no signal changes what the device holds: reported once the signal is back.
    context.set_offline(True)
    _save_contact_offline(page)
    context.set_offline(False)
    assert_sent(page)  # the report goes first, then the item
    assert asked.count("device-items") == 2
    # A key kept from before Homeward's key changed is replaced on the next page.
    page.evaluate("localStorage.setItem('homeward.outboxKey', JSON.stringify({kid: 'an-older-key', jwk: {}}))")
    log_in(page, live_server, worker.email, to=f"/cases/{case.id}")
    assert asked.count("outbox-key") == 2
    assert page.evaluate("JSON.parse(localStorage.getItem('homeward.outboxKey')).kid") == kid
