"""Issue 6's acceptance: the Diamond with the family, with no signal from hand-over to hand-back.

At a 10-inch tablet held upright and at a phone size: the worker takes the case offline while
there is a signal, then loses it; hands the tablet over with the Worker PIN (checked on the tablet
against its salted check); the young person rates the four aims; the mother rates; the worker hands
back with the PIN and rates. With the signal back, everything syncs exactly once (also when the
device sends it all again) and the Diamond shows three shapes. Screenshots of the family screens
and the Diamond are saved in tests/browser/screenshots/.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlmodel import func, select

from app.diamond.models import DiamondRating
from app.family.models import FamilyHandover
from tests.browser.conftest import assert_accessible, assert_at_sizes, log_in
from tests.browser.offline_support import Faults, assert_sent, put_back, status, stored, take_offline
from tests.factories import make_case, make_user
from tests.family.factories import PIN, add_person, live_session, with_pin, young_person

pytestmark = pytest.mark.browser

SIZES = {"tablet": {"width": 800, "height": 1280}, "phone": {"width": 390, "height": 844}}
# Held upright and turned on its side.
TURNED = {
    **SIZES,
    "tablet-landscape": {"width": 1280, "height": 800},
    "phone-landscape": {"width": 844, "height": 390},
}


def _ratings(db, case) -> list[DiamondRating]:
    db.expire_all()
    return list(db.exec(select(DiamondRating).where(DiamondRating.case_id == case.id)).all())


def _rate_four(page, numbers, shot: str | None = None):
    page.get_by_role("link", name="Start").click()
    for index, number in enumerate(numbers):
        expect(page.get_by_text(f"Question {index + 1} of 4")).to_be_visible()
        page.get_by_role("radio", name=str(number), exact=True).check()
        if shot and index == 0:
            # Held upright, then turned on its side: still no sideways scrolling, big targets, axe clean.
            assert_at_sizes(page, shot, TURNED, 48)
        # Kept on the device, the answer waits in the outbox and the next question opens.
        with page.expect_navigation():
            page.get_by_role("button", name="Finish" if index == 3 else "Next").click()
    page.get_by_role("heading", name="All done").wait_for()


def test_family_rates_the_diamond_with_no_signal_and_it_syncs_exactly_once(page, context, live_server, db):
    """Walked once on a tablet held upright; each family screen is checked at a tablet's and a
    phone's size (the question turned on its side too)."""
    worker = with_pin(make_user(db, email="sam@example.org", full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    mother = add_person(db, case, name="Donna Morgan", relationship="Mother")
    kayla = young_person(db, case)
    db.commit()
    page.set_viewport_size(SIZES["tablet"])
    log_in(page, live_server, "sam@example.org")

    # With a signal: keep the case, its family screens and the Diamond on the tablet.
    take_offline(page, live_server, case.id)

    context.set_offline(True)
    page.goto(f"{live_server}/cases/{case.id}")
    page.get_by_role("link", name="Hand to family").first.click()
    page.wait_for_url(f"**/cases/{case.id}/hand-to-family")
    # The password cannot be checked without a signal; the PIN can.
    page.get_by_label("Worker PIN").fill("1111")
    page.get_by_role("button", name="Hand to family").click()
    expect(page.get_by_text("That is not your Worker PIN. Without a signal, only the PIN works.")).to_be_visible()
    page.get_by_label("Worker PIN").fill(PIN)
    page.get_by_role("button", name="Hand to family").click()
    kayla_home = f"{live_server}/family/{case.id}/{kayla.id}"
    page.wait_for_url(kayla_home)

    expect(page.get_by_role("heading", name="Hello, Kayla")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    expect(page.get_by_role("link", name="Hand back")).to_be_visible()
    assert_at_sizes(page, "family-offline-home", SIZES, 48)
    # The lock holds on the tablet: back stays here, and the worker's pages lead back here.
    page.go_back()
    assert page.url == kayla_home
    page.goto(f"{live_server}/cases/{case.id}")
    page.wait_for_url(kayla_home)
    page.goto(f"{live_server}/")
    page.wait_for_url(kayla_home)
    # Closing the app and opening it again does not end the lock either.
    again = context.new_page()
    again.goto(f"{live_server}/cases/{case.id}/diamond")
    again.wait_for_url(kayla_home)
    again.close()

    _rate_four(page, [4, 6, 3, 5], shot="family-offline-question")
    assert_at_sizes(page, "family-offline-done", SIZES, 48)

    page.get_by_role("link", name="Someone else's turn").click()
    page.wait_for_url(f"**/family/{case.id}/who")
    # Kayla's turn has ended on the tablet too: her screens lead back here until a name is picked.
    page.goto(kayla_home)
    page.wait_for_url(f"**/family/{case.id}/who")
    page.get_by_label("Donna (Mother)").check()
    assert_at_sizes(page, "family-offline-who", SIZES, 48)
    page.get_by_role("button", name="That's me").click()
    page.wait_for_url(f"**/family/{case.id}/{mother.id}")
    expect(page.get_by_role("heading", name="Hello, Donna")).to_be_visible()
    _rate_four(page, [7, 6, 8, 5])

    page.get_by_role("link", name="Hand back").click()
    page.wait_for_url(f"**/family/{case.id}/hand-back")
    # "Not yet" goes back to Donna's own turn, not to the who screen (which would end it).
    page.get_by_role("link", name="Not yet").click()
    page.wait_for_url(f"**/family/{case.id}/{mother.id}")
    page.get_by_role("link", name="Hand back").click()
    page.wait_for_url(f"**/family/{case.id}/hand-back")
    page.get_by_label("Worker PIN").fill("1357")
    page.get_by_role("button", name="Hand back").click()
    expect(page.get_by_text("That is not the right PIN. 4 tries left.")).to_be_visible()
    assert_at_sizes(page, "family-offline-hand-back-error", SIZES, 48)
    page.get_by_label("Worker PIN").fill(PIN)
    page.get_by_role("button", name="Hand back").click()
    page.wait_for_url(f"**/cases/{case.id}/diamond")
    # The worker has the tablet again: their pages stay put.
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.get_by_role("heading", name="Kayla Morgan").first).to_be_visible()

    page.goto(f"{live_server}/cases/{case.id}/diamond/rate")
    for aim, number in (("Well-being and happiness", 5), ("Learning", 6), ("Relationships", 5), ("Empowerment", 6)):
        page.get_by_role("group", name=aim).get_by_role("radio", name=str(number), exact=True).check()
    page.get_by_role("button", name="Save my rating").click()
    expect(page.get_by_text("Saved on this device — will sync when online")).to_be_visible()

    # Nothing reached Homeward: no hand-over, no rating; all nine answers wait on the device.
    ops = stored(page)
    assert len(ops) == 9 and _ratings(db, case) == []
    assert db.exec(select(func.count()).select_from(FamilyHandover)).one() == 0
    assert live_session(db, worker).family_case_id is None

    context.set_offline(False)
    expect(status(page)).to_have_text("Online", timeout=20000)
    assert_sent(page)
    put_back(page, ops)  # the device sends everything again, as after answers lost on the way back
    page.evaluate("window.HomewardOffline.sync()")
    expect(status(page)).to_have_text("Online", timeout=20000)
    assert_sent(page)

    rows = _ratings(db, case)
    assert len(rows) == 12, "3 raters x 4 aims, each exactly once"
    by_rater = {}
    for r in rows:
        by_rater.setdefault(r.person_id or f"user:{r.user_id}", {})[r.aim] = (r.score, r.in_family_mode)
    assert by_rater == {
        kayla.id: {"wellbeing": (4, True), "learning": (6, True), "relationships": (3, True), "empowerment": (5, True)},
        mother.id: {
            "wellbeing": (7, True),
            "learning": (6, True),
            "relationships": (8, True),
            "empowerment": (5, True),
        },
        f"user:{worker.id}": {
            "wellbeing": (5, False),
            "learning": (6, False),
            "relationships": (5, False),
            "empowerment": (6, False),
        },
    }
    assert all(r.recorded_by_user_id == worker.id for r in rows)

    page.goto(f"{live_server}/cases/{case.id}/diamond")
    expect(page.locator("#diamond-latest .rater-shape")).to_have_count(3)
    assert_at_sizes(page, "family-offline-diamond", SIZES)


def test_five_wrong_pins_lock_a_tablet_handed_over_offline_and_end_the_session_once_online(
    page, context, live_server, db
):
    worker = with_pin(make_user(db, email="sam@example.org", full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    db.commit()
    page.set_viewport_size(SIZES["phone"])
    log_in(page, live_server, "sam@example.org")
    take_offline(page, live_server, case.id)
    context.set_offline(True)
    # Opened from the device, a kept page carries Homeward's own headers: the strict CSP, no-store.
    kept = page.goto(f"{live_server}/cases/{case.id}")
    assert kept.from_service_worker and "script-src 'self'" in kept.headers["content-security-policy"]
    assert kept.headers["cache-control"] == "no-store"
    page.goto(f"{live_server}/cases/{case.id}/hand-to-family")
    page.get_by_label("Worker PIN").fill(PIN)
    page.get_by_role("button", name="Hand to family").click()
    page.wait_for_url(f"**/family/{case.id}/*")
    page.get_by_role("link", name="Hand back").click()
    page.wait_for_url(f"**/family/{case.id}/hand-back")
    for left in (4, 3, 2, 1):
        page.get_by_label("Worker PIN").fill("0000")
        page.get_by_role("button", name="Hand back").click()
        expect(
            page.get_by_text(f"That is not the right PIN. {left} {'try' if left == 1 else 'tries'} left.")
        ).to_be_visible()
    page.get_by_label("Worker PIN").fill("0000")
    page.get_by_role("button", name="Hand back").click()
    expect(page.get_by_role("heading", name="The tablet is locked")).to_be_visible()
    assert_accessible(page, "family-offline-locked-phone")
    # Every page stays locked, the worker's too, even the right PIN has nowhere to go.
    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.get_by_role("heading", name="The tablet is locked")).to_be_visible()
    # Whether Homeward has heard yet is not asserted: once in CI the lock reached the server while
    # the browser context was set offline (the emulation's timing; the page checks navigator.onLine
    # before sending). What matters to the worker is below: locked now, session ended once online.
    context.set_offline(False)
    deadline = 50
    while live_session(db, worker).ended_at is None and deadline:
        page.wait_for_timeout(200)
        deadline -= 1
    assert live_session(db, worker).ended_at is not None
    page.goto(f"{live_server}/cases/{case.id}")
    # The worker logs in again; the tablet is no longer locked.
    assert "/login" in page.url
    expect(page.get_by_label("Email")).to_be_visible()


def test_the_workers_kept_pages_are_not_opened_while_the_family_has_the_tablet(page, context, live_server, db):
    """The worker's pages kept on the device may hold a young person's private words (her three
    houses, all of them): while the family has the tablet the service worker opens none of them,
    whatever the page's script then does, and answers with the offline page instead."""
    worker = with_pin(make_user(db, email="sam@example.org", full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    kayla = young_person(db, case)
    db.commit()
    log_in(page, live_server, "sam@example.org")
    take_offline(page, live_server, case.id)
    context.set_offline(True)
    # Opened from the device, a kept page carries Homeward's own headers: the strict CSP, no-store.
    kept = page.goto(f"{live_server}/cases/{case.id}")
    assert kept.from_service_worker and "script-src 'self'" in kept.headers["content-security-policy"]
    assert kept.headers["cache-control"] == "no-store"
    page.goto(f"{live_server}/cases/{case.id}/hand-to-family")
    page.get_by_label("Worker PIN").fill(PIN)
    page.get_by_role("button", name="Hand to family").click()
    page.wait_for_url(f"{live_server}/family/{case.id}/{kayla.id}")
    # The family's screen is for the family: no note in English about the copy kept on the device.
    expect(page.get_by_role("heading", name="Hello, Kayla")).to_be_visible()
    expect(page.get_by_text("copy kept on this device")).to_have_count(0)
    # Someone clears the page's own lock (its note in the browser's storage), so nothing but the
    # service worker stands between them and the worker's kept case page.
    page.evaluate("localStorage.removeItem('homeward.family')")
    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    expect(page.get_by_text("Kayla Morgan")).to_have_count(0)
    # The offline page, like any page without the family's state, does not lift the lock: until
    # December 2026 the second try opened the case.
    page.wait_for_timeout(300)
    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    expect(page.get_by_text("Kayla Morgan")).to_have_count(0)
    # Nor does the browser stopping the idle service worker (the tablet asleep): the next one
    # finds the lock where the last one kept it.
    cdp = context.new_cdp_session(page)
    cdp.send("ServiceWorker.enable")
    cdp.send("ServiceWorker.stopAllWorkers")
    page.goto(f"{live_server}/cases/{case.id}")
    # The offline page again (after the DevTools session the page's navigator.onLine reads true
    # under Playwright's offline switch, so it words itself for a connection: app.js).
    expect(page.locator("main h1:visible")).to_have_text(re.compile("^(You are offline|Homeward did not answer)$"))
    expect(page.get_by_text("Kayla Morgan")).to_have_count(0)


def test_the_outbox_kept_on_the_device_does_not_end_family_mode(page, context, live_server, db):
    """The Outbox's copy on the device is not sealed; it is still a kept copy, not a page Homeward
    has just sent without family mode, so it cannot end the family's turn (until December 2026 it
    did, with no PIN, whenever the service worker's lock was missing)."""
    worker = with_pin(make_user(db, email="sam@example.org", full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    kayla = young_person(db, case)
    db.commit()
    log_in(page, live_server, "sam@example.org")
    take_offline(page, live_server, case.id)
    page.goto(f"{live_server}/outbox")
    _hand_over_online(page, live_server, case, kayla)
    context.set_offline(True)
    # A service worker without the family's lock (an older release's, which kept it in memory only).
    page.evaluate(
        "navigator.serviceWorker.ready.then(r => new Promise(done => {"
        " const c = new MessageChannel(); c.port1.onmessage = done; r.active.postMessage({family: ''}, [c.port2]); }))"
    )
    page.goto(f"{live_server}/outbox")
    page.wait_for_url(f"**/family/{case.id}/{kayla.id}")
    assert page.evaluate("localStorage.getItem('homeward.family')") is not None


def _hand_over_online(page, live_server, case, person):
    page.goto(f"{live_server}/cases/{case.id}/hand-to-family")
    page.get_by_label(person.name).check()
    page.get_by_label("Worker PIN").fill(PIN)
    page.get_by_role("button", name="Hand to family").click()
    page.wait_for_url(f"**/family/{case.id}/{person.id}")


def test_an_online_hand_back_on_a_weak_signal_does_not_send_the_worker_back_to_the_family_screens(
    page, context, live_server, db
):
    """Homeward ends family mode, but the Diamond it sends the worker to does not arrive in time
    (the service worker answers with the offline page), nor does /family/status: the worker stays
    on that page, and the next page Homeward sends ends family mode on the tablet too."""
    worker = with_pin(make_user(db, email="sam@example.org", full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    kayla = young_person(db, case)
    db.commit()
    log_in(page, live_server, "sam@example.org")
    take_offline(page, live_server, case.id)
    _hand_over_online(page, live_server, case, kayla)
    page.get_by_role("link", name="Hand back").click()
    page.wait_for_url(f"**/family/{case.id}/hand-back")
    diamond = f"{live_server}/cases/{case.id}/diamond"
    context.route(diamond, lambda route: route.abort())
    context.route("**/family/status", lambda route: route.abort())
    page.get_by_label("Worker PIN").fill(PIN)
    with page.expect_event("requestfailed", lambda request: request.url.endswith("/family/status")):
        page.get_by_role("button", name="Hand back").click()
    page.wait_for_timeout(300)  # long enough for a redirect to the family's screens to begin
    assert page.url == diamond
    # Online, the page did not come: the offline page says Homeward did not answer (app.js).
    expect(page.get_by_role("heading", name="Homeward did not answer")).to_be_visible()
    assert live_session(db, worker).family_case_id is None
    context.unroute(diamond)
    context.unroute("**/family/status")
    page.reload()
    expect(page.get_by_role("heading", name="Diamond", exact=False).first).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert page.evaluate("localStorage.getItem('homeward.family')") is None


def test_a_hand_over_made_offline_whose_session_ended_lets_the_login_page_open(page, context, live_server, db):
    """The worker's session ends on Homeward while the family has the tablet offline: back online,
    the login page opens and stays (until December 2026 it and the family's screens sent the tablet
    to each other for ever, and no one could log in on it); the worker's kept pages go with it."""
    from datetime import UTC, datetime

    worker = with_pin(make_user(db, email="sam@example.org", full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    kayla = young_person(db, case)
    db.commit()
    log_in(page, live_server, "sam@example.org")
    take_offline(page, live_server, case.id)
    context.set_offline(True)
    page.goto(f"{live_server}/cases/{case.id}/hand-to-family")
    page.get_by_label("Worker PIN").fill(PIN)
    page.get_by_role("button", name="Hand to family").click()
    page.wait_for_url(f"{live_server}/family/{case.id}/{kayla.id}")
    ended = live_session(db, worker)
    ended.ended_at = datetime.now(UTC)
    db.add(ended)
    db.commit()

    context.set_offline(False)
    page.goto(f"{live_server}/login")

    def family_state():
        try:
            return page.evaluate("localStorage.getItem('homeward.family')")
        except PlaywrightError:  # the page reloading once the family's turn has ended
            return "reloading"

    for _ in range(50):
        if family_state() is None:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(1000)  # and it stays there
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert "/login" in page.url and "/family/" not in page.url
    assert family_state() is None


def _kayla_and_her_mother(page, live_server, db):
    """Sam, with a Worker PIN, logged in on the tablet; Kayla's case with her mother Donna."""
    worker = with_pin(make_user(db, email="sam@example.org", full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    kayla = young_person(db, case)
    mum = add_person(db, case, name="Donna Morgan", relationship="Mother")
    db.commit()
    log_in(page, live_server, "sam@example.org")
    return worker, case, kayla, mum


def test_a_turn_changed_with_no_signal_reaches_homeward_when_the_signal_returns(page, context, live_server, db):
    """Kayla has the tablet (handed over online); the signal drops; she passes it on, and her mother
    picks her own name on the kept "Someone else's turn" screen. Homeward heard none of it: until
    December 2026 it went on holding Kayla's turn, so "Back to my screens" opened Kayla's screens,
    private words and all, to her mother, and refused her mother's answers. Now the tablet tells
    Homeward as soon as the signal returns."""
    worker, case, kayla, mum = _kayla_and_her_mother(page, live_server, db)
    take_offline(page, live_server, case.id)
    _hand_over_online(page, live_server, case, kayla)
    assert live_session(db, worker).family_person_id == kayla.id
    context.set_offline(True)
    assert page.evaluate("navigator.onLine") is False
    page.get_by_role("link", name="Someone else's turn").click()
    expect(page.locator("body[data-kept-at]")).to_have_count(1)  # the copy kept on the tablet
    page.get_by_role("radio", name=re.compile("Donna")).check()
    page.get_by_role("button", name="That's me").click()
    page.wait_for_url(f"**/family/{case.id}/{mum.id}")
    assert live_session(db, worker).family_person_id == kayla.id  # Homeward has not heard yet
    context.set_offline(False)
    deadline = time.monotonic() + 15
    while live_session(db, worker).family_person_id != mum.id:
        assert time.monotonic() < deadline, "Homeward still holds Kayla's turn"
        page.wait_for_timeout(200)
    # Kayla's screens are hers alone again: Homeward refuses them to the tablet now.
    kaylas = page.request.get(f"{live_server}/family/{case.id}/{kayla.id}/three-houses/worries", max_redirects=0)
    assert kaylas.status == 404
    page.goto(f"{live_server}/family")
    page.wait_for_url(f"**/family/{case.id}/{mum.id}")


def test_an_answer_homeward_refuses_as_another_persons_turn_is_kept_on_the_tablet_not_lost(
    page, context, live_server, db
):
    """Kayla has the tablet and answers her first Diamond question; Homeward holds her mother's turn
    (a turn changed without a signal, not yet told). Her answer is refused as another person's
    screen: until December 2026 it was then lost on the "hand the tablet back" page. Now it waits
    in the Outbox, to go under Kayla's name after the hand-back."""
    worker, case, kayla, mum = _kayla_and_her_mother(page, live_server, db)
    _hand_over_online(page, live_server, case, kayla)
    page.get_by_role("link", name="Start").click()
    held = live_session(db, worker)
    held.family_person_id = mum.id  # what Homeward holds: not Kayla's turn
    db.add(held)
    db.commit()
    page.get_by_role("radio", name="4", exact=True).check()
    # Kept, the script goes on to the next question; lost, the form's own post showed the refusal:
    # a page is left either way, and the tablet's store is read once the next one has loaded.
    with page.expect_navigation():
        page.get_by_role("button", name="Next").click()
    page.wait_for_load_state()
    (item,) = stored(page)
    assert item["target"].startswith(f"/family/{case.id}/{kayla.id}/") and item["status"] == "waiting"
    assert _ratings(db, case) == []  # not stored under anyone yet


class TestWeakSignalTurn:
    @pytest.fixture
    def app(self, app):
        return Faults(app)

    def test_a_turn_picked_on_a_signal_too_weak_to_carry_it_reaches_homeward_later(self, app, page, live_server, db):
        """The browser says it is online, but the mother's pick on "Someone else's turn" never
        reaches Homeward (the signal drops under it). Until December 2026 the tablet noted nothing
        to send, since it was "online": Homeward held no one's turn and refused her screens for
        good. Now the pick waits on the tablet until Homeward has heard it."""
        worker, case, kayla, mum = _kayla_and_her_mother(page, live_server, db)
        _hand_over_online(page, live_server, case, kayla)
        page.get_by_role("link", name="Someone else's turn").click()
        expect(page.get_by_role("button", name="That's me")).to_be_visible()
        assert live_session(db, worker).family_person_id is None  # Homeward ended Kayla's turn
        app.answer_post(f"/family/{case.id}/who", 502)
        page.get_by_role("radio", name=re.compile("Donna")).check()
        with page.expect_navigation():  # the form's own post, answered by the proxy's 502
            page.get_by_role("button", name="That's me").click()
        assert app.hits.get(f"/family/{case.id}/who") == 1 and live_session(db, worker).family_person_id is None
        app.clear()
        page.goto(f"{live_server}/family/{case.id}/{mum.id}")  # the signal is back: her screens
        deadline = time.monotonic() + 15
        while live_session(db, worker).family_person_id != mum.id:
            assert time.monotonic() < deadline, "Homeward never heard of her turn"
            page.wait_for_timeout(200)
