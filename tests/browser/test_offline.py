"""Offline-first in Chromium against the real server: install, outbox, exactly-once sync, conflicts.

The forms used here are tests/sync/routes_for_tests.py's person forms, written exactly as a
feature's offline-capable form is (docs/offline.md).
"""
from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select
from starlette.responses import PlainTextResponse

from app.cases.models import Person
from app.main import create_app
from app.security.models import UserSession
from app.sync.models import SyncConflict
from app.timeutil import utcnow
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import login as login_client
from tests.factories import make_case, make_user
from tests.sync.routes_for_tests import router

pytestmark = pytest.mark.browser


class Flaky:
    """Wraps the app to play a failing server: `lose` answers are lost after the change was
    applied (the worst case for duplicates), `refuse` requests fail before anything is applied.
    Only outbox requests (those with an Idempotency-Key) are touched; `skip` let through first."""

    def __init__(self, app):
        self.app, self.skip, self.lose, self.refuse = app, 0, 0, False

    async def __call__(self, scope, receive, send):
        outbox = scope["type"] == "http" and any(k == b"idempotency-key" for k, _ in scope["headers"])
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


@pytest.fixture
def app(settings, engine, db):
    app = create_app(settings, engine=engine)
    app.include_router(router)
    return Flaky(app)


def _status(page):
    return page.get_by_role("status").first


def _ready(page):
    """Wait until the service worker controls the page (it claims pages on activation)."""
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=10000)


def _people(db, case):
    db.expire_all()
    return db.exec(select(func.count()).select_from(Person).where(Person.case_id == case.id)).one()


def _worker_with_case(db, name="Kayla Morgan"):
    worker = make_user(db, email=f"{uuid.uuid4().hex[:8]}@example.org", full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name=name)
    db.commit()
    return worker, case


def _add_offline(page, name, relationship="Family friend"):
    page.get_by_label("Name").fill(name)
    page.get_by_label("Relationship").fill(relationship)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved on this device — will sync when online")).to_be_visible()


def _outbox(page):
    return page.evaluate("""() => new Promise((resolve) => {
        const req = indexedDB.open("homeward", 1);
        req.onsuccess = () => { const r = req.result.transaction("outbox").objectStore("outbox").getAll();
            r.onsuccess = () => { req.result.close(); resolve(r.result); }; };
    })""")


def test_manifest_is_valid_and_the_service_worker_controls_the_page_after_first_load(page, live_server, db):
    worker, _ = _worker_with_case(db)
    log_in(page, live_server, worker.email)
    _ready(page)
    manifest = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert manifest["display"] == "standalone" and any(i["purpose"] == "maskable" for i in manifest["icons"])
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/sw.js")
    expect(_status(page)).to_have_text("Online")


def test_two_items_saved_offline_sync_exactly_once_and_a_replay_changes_nothing(page, context, live_server, db):
    worker, case = _worker_with_case(db)
    log_in(page, live_server, worker.email)
    page.goto(f"{live_server}/test/cases/{case.id}/people/new")
    _ready(page)

    context.set_offline(True)
    expect(_status(page)).to_have_text("Offline")
    _add_offline(page, "Donna Morgan", "Mother")
    _add_offline(page, "Pat Morgan", "Grandmother")
    expect(_status(page)).to_have_text("2 waiting")
    ops = _outbox(page)
    assert [op["fields"][0] for op in ops] and len({op["id"] for op in ops}) == 2
    assert _people(db, case) == 1

    context.set_offline(False)
    expect(_status(page)).to_have_text("Online", timeout=10000)
    assert _people(db, case) == 3
    assert sorted(p.name for p in db.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person == False)).all()) == ["Donna Morgan", "Pat Morgan"]  # noqa: E712
    # Each new person's id is the operation's id, made on the tablet.
    assert {op["id"] for op in ops} <= {p.id for p in db.exec(select(Person)).all()}

    # The same operations replayed again (a retry after a lost answer): nothing new.
    page.evaluate("""(ops) => new Promise((resolve) => {
        const req = indexedDB.open("homeward", 1);
        req.onsuccess = () => { const t = req.result.transaction("outbox", "readwrite");
            ops.forEach(op => t.objectStore("outbox").put(op)); t.oncomplete = () => { req.result.close(); resolve(); }; };
    })""", ops)
    page.evaluate("window.HomewardOffline.sync()")
    expect(_status(page)).to_have_text("Online")
    assert _outbox(page) == []
    assert _people(db, case) == 3


def test_server_failing_in_the_middle_of_a_sync_loses_nothing_and_duplicates_nothing(page, context, live_server, db, app):
    worker, case = _worker_with_case(db)
    log_in(page, live_server, worker.email)
    page.goto(f"{live_server}/test/cases/{case.id}/people/new")
    _ready(page)
    context.set_offline(True)
    for name in ("Donna Morgan", "Pat Morgan", "Jordan Morgan"):
        _add_offline(page, name)
    expect(_status(page)).to_have_text("3 waiting")

    # The first item goes through; the second is applied but its answer is lost (500).
    app.skip, app.lose = 1, 1
    context.set_offline(False)
    expect(_status(page)).to_have_text("2 waiting", timeout=10000)
    assert _people(db, case) == 3  # the young person, Donna, and Pat (applied, answer lost)

    # Homeward recovers; the next sync replays Pat (answered from the ledger) and sends Jordan.
    page.evaluate("window.HomewardOffline.sync()")
    expect(_status(page)).to_have_text("Online", timeout=10000)
    assert _people(db, case) == 4
    names = [p.name for p in db.exec(select(Person).where(Person.case_id == case.id)).all()]
    assert sorted(names) == ["Donna Morgan", "Jordan Morgan", "Kayla Morgan", "Pat Morgan"]


def test_person_edited_offline_and_online_becomes_a_conflict_the_worker_settles_keeping_history(page, context, live_server, db, client, settings):
    worker, case = _worker_with_case(db)
    person = db.exec(select(Person).where(Person.case_id == case.id)).one()
    log_in(page, live_server, worker.email)
    page.goto(f"{live_server}/test/cases/{case.id}/people/{person.id}/edit")
    _ready(page)

    context.set_offline(True)
    page.get_by_label("Phone").fill("07700 900999")
    page.get_by_role("button", name="Save").click()
    expect(_status(page)).to_have_text("1 waiting")

    # Meanwhile a colleague in the office changes the same person online.
    supervisor = make_user(db, role="supervisor", team_id=worker.team_id)
    login_client(client, db, supervisor, settings)
    office = client.post(f"/test/cases/{case.id}/people/{person.id}", data={"base_version": "1", "name": "Kayla Morgan", "relationship": "Young person", "phone": "07700 900111"})
    assert office.status_code == 303

    context.set_offline(False)
    expect(_status(page)).to_have_text("1 need attention", timeout=10000)
    db.expire_all()
    assert db.get(Person, person.id).phone == "07700 900111"  # not overwritten

    page.get_by_role("link", name="Outbox").click()
    expect(page.get_by_text("Changed on Homeward as well: choose what to keep.")).to_be_visible()
    assert_accessible(page, "outbox-conflict")
    page.get_by_role("link", name="Settle the conflict").click()
    expect(page.get_by_role("heading", name="Conflict: Kayla Morgan")).to_be_visible()
    expect(page.get_by_label("Keep yours: 07700 900999")).to_be_checked()
    expect(page.get_by_label("Keep Homeward's: 07700 900111")).to_be_visible()
    assert_accessible(page, "conflict")
    page.get_by_role("button", name="Save my choices").click()
    page.wait_for_url(f"{live_server}/cases/{case.id}")

    db.expire_all()
    now = db.get(Person, person.id)
    assert (now.version, now.phone) == (3, "07700 900999")
    page.goto(f"{live_server}/conflicts/{db.exec(select(SyncConflict)).one().op_id}")
    expect(page.get_by_text("Both versions are kept here as history.")).to_be_visible()
    expect(page.get_by_role("cell", name="07700 900111")).to_be_visible()
    expect(_status(page)).to_have_text("Online")
    assert_accessible(page, "conflict-settled")


def test_refused_item_is_set_aside_with_its_message_and_does_not_block_the_next(page, context, live_server, db):
    worker, case = _worker_with_case(db)
    log_in(page, live_server, worker.email)
    page.goto(f"{live_server}/test/cases/{case.id}/people/new")
    _ready(page)
    context.set_offline(True)
    page.get_by_role("button", name="Save").click()  # no name: the server will refuse it
    expect(page.get_by_text("Saved on this device — will sync when online")).to_be_visible()
    _add_offline(page, "Donna Morgan")

    context.set_offline(False)
    expect(_status(page)).to_have_text("1 need attention", timeout=10000)
    assert _people(db, case) == 2  # Donna went through

    page.get_by_role("link", name="Outbox").click()
    expect(page.get_by_text("Add a person").first).to_be_visible()
    assert_accessible(page, "outbox-quarantined")
    page.get_by_role("link", name="Edit and retry").click()
    expect(page.get_by_text("This was not saved")).to_be_visible()
    page.get_by_label("Name").fill("Pat Morgan")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server}/cases/{case.id}")
    assert _people(db, case) == 3
    expect(_status(page)).to_have_text("Online")


def test_discarding_a_refused_item_asks_first(page, context, live_server, db):
    worker, case = _worker_with_case(db)
    log_in(page, live_server, worker.email)
    page.goto(f"{live_server}/test/cases/{case.id}/people/new")
    _ready(page)
    context.set_offline(True)
    page.get_by_role("button", name="Save").click()
    context.set_offline(False)
    expect(_status(page)).to_have_text("1 need attention", timeout=10000)
    page.goto(f"{live_server}/outbox")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Discard").click()
    expect(_status(page)).to_have_text("1 need attention")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Discard").click()
    expect(_status(page)).to_have_text("Online")
    expect(page.get_by_text("Nothing needs attention.")).to_be_visible()


def test_expired_session_pauses_sync_keeps_items_and_sends_them_after_logging_in(page, context, live_server, db):
    worker, case = _worker_with_case(db)
    log_in(page, live_server, worker.email)
    page.goto(f"{live_server}/test/cases/{case.id}/people/new")
    _ready(page)
    context.set_offline(True)
    _add_offline(page, "Donna Morgan")
    for user_session in db.exec(select(UserSession)).all():
        user_session.ended_at = utcnow()
        db.add(user_session)
    db.commit()

    context.set_offline(False)
    expect(page.get_by_text("Your session has ended, so syncing is paused")).to_be_visible(timeout=10000)
    expect(_status(page)).to_have_text("1 waiting")
    assert _people(db, case) == 1

    page.get_by_role("link", name="Log in again to send what is waiting").click()
    page.get_by_label("Email").fill(worker.email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(_status(page)).to_have_text("Online", timeout=10000)
    assert _people(db, case) == 2


def test_case_taken_offline_opens_without_a_signal_and_other_pages_show_the_offline_page(page, context, live_server, db):
    worker, case = _worker_with_case(db)
    other = make_case(db, worker=worker, young_person_name="Tyler Brooks")
    db.commit()
    log_in(page, live_server, worker.email)
    page.goto(f"{live_server}/cases/{case.id}")
    _ready(page)
    page.get_by_role("button", name="Take offline").click()
    expect(page.get_by_text("Kept on this device since")).to_be_visible()
    expect(page.get_by_role("button", name="Remove from device")).to_be_visible()

    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Kayla Morgan")).to_be_visible()
    page.goto(f"{live_server}/cases/{other.id}")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    assert_accessible(page, "offline-page")
    page.goto(f"{live_server}/outbox")
    expect(page.get_by_role("link", name="Kayla Morgan")).to_be_visible()
    assert_accessible(page, "outbox-offline")


def test_logout_clears_cached_case_pages_and_stores_but_keeps_the_outbox(page, context, live_server, db, app):
    worker, case = _worker_with_case(db)
    log_in(page, live_server, worker.email)
    page.goto(f"{live_server}/cases/{case.id}")
    _ready(page)
    page.get_by_role("button", name="Take offline").click()
    expect(page.get_by_text("Kept on this device since")).to_be_visible()
    page.goto(f"{live_server}/test/cases/{case.id}/people/new")
    context.set_offline(True)
    _add_offline(page, "Donna Morgan")
    app.refuse = True  # Homeward is failing, so the item cannot be sent before logging out
    context.set_offline(False)

    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server}/login")
    assert dialogs[0] == "1 waiting to sync. Sync now, before logging out?"
    assert dialogs[1].startswith("1 still waiting. Log out anyway?")
    assert page.evaluate("caches.has('homeward-pages')") is False
    cases = page.evaluate("""() => new Promise((resolve) => {
        const req = indexedDB.open("homeward", 1);
        req.onsuccess = () => { const r = req.result.transaction("cases").objectStore("cases").count();
            r.onsuccess = () => { req.result.close(); resolve(r.result); }; };
    })""")
    assert cases == 0
    assert [op["label"] for op in _outbox(page)] == ["Add a person"]
