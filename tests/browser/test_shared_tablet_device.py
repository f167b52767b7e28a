"""One tablet, several people: what the device shows and keeps when the tablet changes hands.

- On the family's screens, whoever picks a name on "Someone else's turn" reads nothing another
  person saved there (a young person's private words), offline too: the header's count is all.
- A tab left open by a worker whose session ended neither clears the next worker's kept cases
  (it used to name its worker as the device's last user again every minute) nor sends its items
  as the worker now logged in (an item kept in clear went in under their name).
- A change of worker is noticed with an empty outbox too: the first worker's kept cases go.
- Online too, a page left open goes from the screen once the idle time has passed.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.cases.models import Contact
from app.security.models import UserSession
from app.timeutil import utcnow
from tests.browser.conftest import log_in
from tests.browser.offline_support import status, stored, take_offline, wait_for_service_worker
from tests.factories import make_case, make_user
from tests.family.factories import PIN, add_person, with_pin, young_person

pytestmark = pytest.mark.browser

SECRET = "Dad hits Mum when he drinks"


def _users(db):
    sam = make_user(db, email="sam@example.org", full_name="Sam Okafor")
    # Priya co-works Sam's case: only attribution, not permission, can stop her session sending Sam's items.
    priya = make_user(db, email="priya@example.org", full_name="Priya Shah", team_id=sam.team_id)
    return sam, priya


def _contacts(db):
    db.expire_all()
    return [(c.note, c.by_user_id) for c in db.exec(select(Contact)).all()]


def test_picking_the_young_persons_name_offline_shows_nothing_she_saved(page, context, live_server, db):
    worker = with_pin(make_user(db, email="sam@example.org", full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan", practice_context="cp")
    donna = add_person(db, case, name="Donna Morgan", relationship="Mother")
    kayla = young_person(db, case)
    db.commit()
    log_in(page, live_server, "sam@example.org")
    take_offline(page, live_server, case.id)
    context.set_offline(True)
    page.goto(f"{live_server}/cases/{case.id}/hand-to-family")
    page.get_by_label("Kayla").check()
    page.get_by_label("Worker PIN").fill(PIN)
    page.get_by_role("button", name="Hand to family").click()
    home = f"{live_server}/family/{case.id}/{kayla.id}"
    page.wait_for_url(home)
    page.goto(f"{home}/three-houses/worries")
    page.get_by_label("Write it here, in your own words").fill(SECRET)  # not ticked to share: private
    with page.expect_navigation():
        page.get_by_role("button", name="Save in this house").click()

    # Kayla passes the tablet on: Donna picks herself, then Kayla's name, and opens Kayla's house.
    for who in (donna, kayla):
        page.goto(f"{live_server}/family/{case.id}/who")
        page.locator(f"input[name=person][value='{who.id}']").check()
        page.get_by_role("button", name="That's me").click()
        page.wait_for_url(f"{live_server}/family/{case.id}/{who.id}")
    page.goto(f"{home}/three-houses/worries")
    expect(status(page)).to_have_text("1 waiting")
    expect(page.locator("[data-waiting-here]")).to_have_count(0)
    assert SECRET not in page.locator("body").inner_text()
    # Nothing of her words is kept beside the item either (only sealed inside it, for Homeward).
    (item,) = stored(page)
    assert SECRET not in str({k: v for k, v in item.items() if k != "fields"})

    # The worker, handed back the tablet, is told an answer waits, without its words.
    page.goto(f"{live_server}/family/{case.id}/hand-back")
    page.get_by_label("Worker PIN").fill(PIN)
    page.get_by_role("button", name="Hand back").click()
    page.wait_for_url(f"**/cases/{case.id}/**")
    page.goto(f"{live_server}/outbox")
    waiting = page.locator("[data-outbox-list=waiting]")
    expect(waiting).to_contain_text("The Three Houses, from the family screens")  # which screen, not whose
    assert SECRET not in waiting.inner_text()


def test_a_tab_left_open_by_the_first_worker_neither_clears_the_seconds_cases_nor_sends_as_them(
    page, context, live_server, db
):
    sam, priya = _users(db)
    sams = make_case(db, worker=sam, co_worker=priya, young_person_name="Kayla Morgan")
    priyas = make_case(db, worker=priya, young_person_name="Jordan Lee")
    db.commit()
    log_in(page, live_server, sam.email)
    take_offline(page, live_server, sams.id)
    page.goto(f"{live_server}/cases/{sams.id}/contacts/new")
    context.set_offline(True)
    # Kept in clear, as on a device without WebCrypto or Homeward's outbox key.
    page.evaluate("localStorage.removeItem('homeward.outboxKey')")
    page.get_by_label("Note").fill("Kayla talked about school.")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("Saved on this device — will sync when online")).to_be_visible()
    (item,) = stored(page)
    assert "sealed" not in item and item["fields"]

    # Sam's session ends (not a logout) and his tab stays open; Priya logs in in another tab.
    context.clear_cookies()
    context.set_offline(False)
    tab2 = context.new_page()
    log_in(tab2, live_server, priya.email)
    take_offline(tab2, live_server, priyas.id)
    assert [c["url"] for c in stored(tab2, "cases")] == [f"/cases/{priyas.id}"]

    # Sam's tab does what it does every minute, with Priya's cookie.
    page.evaluate("window.HomewardOffline.sync()")
    expect(page.get_by_text("syncing is paused")).to_be_visible()
    tab2.goto(f"{live_server}/outbox")
    expect(tab2.locator("[data-offline-cases]")).to_contain_text("Jordan Lee")
    assert [c["url"] for c in stored(tab2, "cases")] == [f"/cases/{priyas.id}"]
    assert _contacts(db) == []
    assert [op["id"] for op in stored(tab2)] == [item["id"]]  # still waiting for Sam


def test_a_form_sent_from_the_first_workers_tab_is_not_saved_as_the_second_worker(page, context, live_server, db):
    sam, priya = _users(db)
    case = make_case(db, worker=sam, co_worker=priya, young_person_name="Kayla Morgan")
    db.commit()
    log_in(page, live_server, sam.email, to=f"/cases/{case.id}/contacts/new")
    context.clear_cookies()
    log_in(context.new_page(), live_server, priya.email)

    page.get_by_label("Note").fill("Kayla talked about school.")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("This item was saved by another worker on this device.")).to_be_visible()
    assert _contacts(db) == []
    assert len(stored(page)) == 1  # kept on the device, to be sent when Sam logs in


def test_a_change_of_worker_is_noticed_with_an_empty_outbox(page, context, live_server, db):
    sam, priya = _users(db)
    sams = make_case(db, worker=sam, young_person_name="Kayla Morgan")
    db.commit()
    log_in(page, live_server, sam.email)
    take_offline(page, live_server, sams.id)
    assert stored(page) == []
    context.clear_cookies()  # Sam's session ends (idle), no logout
    log_in(page, live_server, priya.email, to="/outbox")
    expect(page.locator("[data-offline-cases]")).to_have_text("No cases are kept on this device.")
    assert stored(page, "cases") == []


class TestIdleOnline:
    @pytest.fixture
    def settings(self, database_url):
        from app.config import Settings

        return Settings(
            homeward_env="test",
            database_url=database_url,
            secret_key="test-secret-key-long-enough-for-tests-0123456789",
            offline_lock_minutes=0.1,  # six seconds
        )

    def test_after_the_idle_time_an_open_page_goes_from_the_screen_online(self, page, live_server, db):
        sam = make_user(db, email="sam@example.org", full_name="Sam Okafor")
        case = make_case(db, worker=sam, young_person_name="Kayla Zephyrine")
        db.commit()
        log_in(page, live_server, sam.email, to=f"/cases/{case.id}")
        wait_for_service_worker(page)
        page.reload()  # the page gives the worker it now has the device key
        expect(page.get_by_role("heading", name="Kayla Zephyrine")).to_be_visible()
        # Nobody touches the tablet: the session ends on Homeward as the device forgets its key.
        for row in db.exec(select(UserSession).where(UserSession.user_id == sam.id)).all():
            row.ended_at = utcnow()
            db.add(row)
        db.commit()
        expect(page.get_by_role("heading", name="Log in")).to_be_visible(timeout=40000)
        assert "Kayla" not in page.locator("body").inner_text()

    def test_online_a_form_typed_into_stays_after_the_idle_time_and_save_keeps_it(self, page, live_server, db):
        """Visit notes half typed when the worker stops to talk for longer than the idle time: the
        page does not reload them away; Save keeps them in the Outbox until she logs in again."""
        sam = make_user(db, email="sam@example.org", full_name="Sam Okafor")
        case = make_case(db, worker=sam, young_person_name="Kayla Zephyrine")
        db.commit()
        log_in(page, live_server, sam.email, to=f"/cases/{case.id}/contacts/new")
        wait_for_service_worker(page)
        page.reload()
        # Typed without a key press the script counts as use, so the idle time runs from the start.
        page.get_by_label("Note").evaluate(
            "el => { el.value = 'Kayla talked about her new school and the bus.';"
            " el.dispatchEvent(new Event('input', { bubbles: true })); }"
        )
        for row in db.exec(select(UserSession).where(UserSession.user_id == sam.id)).all():
            row.ended_at = utcnow()
            db.add(row)
        db.commit()
        # Past the idle time: the service worker has forgotten the key (its answer is false then),
        # and the page's idle check (every 2 s with this idle time) has come round since.
        forgotten = """() => new Promise((resolve) => { const channel = new MessageChannel();
            channel.port1.onmessage = (e) => resolve(e.data === false);
            navigator.serviceWorker.controller.postMessage({}, [channel.port2]); })"""
        deadline = time.monotonic() + 30  # polled: the CSP refuses wait_for_function's eval
        while not page.evaluate(forgotten):
            assert time.monotonic() < deadline, "the service worker still holds the key"
            page.wait_for_timeout(500)
        page.wait_for_timeout(2500)
        expect(page.get_by_label("Note")).to_have_value("Kayla talked about her new school and the bus.")
        page.get_by_role("button", name="Save contact").click()
        expect(page.get_by_role("link", name="Log in again to send what is waiting")).to_be_visible()
        assert stored(page, "outbox")
