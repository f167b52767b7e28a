"""Issues 5 and 6: the young person's three houses and safety scale on the family screens, with no
signal from hand-over to hand-back.

At a 10-inch tablet held upright and at a phone size: the worker takes the case offline while
there is a signal, loses it, and hands the tablet over with the Worker PIN (checked on the
tablet). The young person fills the three houses one at a time (one with a finger drawing, the
others in words) and rates how safe things feel; the worker hands back with the PIN. With the
signal back everything syncs, also when the device sends it all again, and each entry is stored
exactly once in the young person's name, in their own words, with the drawing as a PNG and the
rating with the young person's anchors. Screenshots are saved in tests/browser/screenshots/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.signs_of_safety import rules
from app.signs_of_safety.models import ScaleRating, ThreeHousesEntry
from app.signs_of_safety.service import PNG_SIGNATURE
from tests.browser.conftest import assert_at_sizes, log_in
from tests.browser.offline_support import assert_sent, put_back, status, stored, take_offline
from tests.factories import make_case, make_user
from tests.family.factories import PIN, add_person, with_pin, young_person

pytestmark = pytest.mark.browser

SIZES = {"tablet": {"width": 800, "height": 1280}, "phone": {"width": 390, "height": 844}}
HOUSES = [
    ("worries", "House of worries", "When Mum and her boyfriend shout at night."),
    ("good_things", "House of good things", "My dog Biscuit and Gran's house."),
    ("dreams", "House of dreams", "Living with Mum and going to college."),
]


def _draw(page) -> None:
    """A finger's stroke on the canvas (pointer events, as a finger on the tablet makes)."""
    canvas = page.locator("canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 30)
    page.mouse.down()
    for step in range(1, 10):
        page.mouse.move(box["x"] + 30 + step * 15, box["y"] + 30 + (step % 3) * 20)
    page.mouse.up()


def test_young_person_fills_three_houses_and_rates_with_no_signal_and_it_syncs_once(page, context, live_server, db):
    """Walked once at a phone's size (the drawing made with a finger on a phone's canvas); each
    screen is checked at a phone's and a tablet's size."""
    worker = with_pin(make_user(db, email="sam@example.org", full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan", practice_context="cp")
    add_person(db, case, name="Donna Morgan", relationship="Mother")
    kayla = young_person(db, case)
    db.commit()
    page.set_viewport_size(SIZES["phone"])
    log_in(page, live_server, "sam@example.org")

    take_offline(page, live_server, case.id)

    context.set_offline(True)
    page.goto(f"{live_server}/cases/{case.id}/hand-to-family")
    page.get_by_label("Kayla").check()
    page.get_by_label("Worker PIN").fill(PIN)
    page.get_by_role("button", name="Hand to family").click()
    home = f"{live_server}/family/{case.id}/{kayla.id}"
    page.wait_for_url(home)

    page.get_by_role("link", name="Three houses: worries, good things, dreams").click()
    for number, (key, title, words) in enumerate(HOUSES, start=1):
        page.wait_for_url(f"{home}/three-houses/{key}")
        expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
        expect(page.get_by_text(f"House {number} of 3")).to_be_visible()
        expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
        if key == "good_things":
            # Drawn with a finger, with a few words of what it shows.
            _draw(page)
            assert page.locator("[data-drawing-value]").input_value().startswith("data:image/png;base64,")
            page.get_by_label("If you drew something, what is it?").fill("My dog Biscuit in the park")
            page.get_by_label("It is OK to share this with the people who help my family").check()
            assert_at_sizes(page, "sos-family-offline-house-drawing", SIZES, 48)
        else:
            page.get_by_label("Write it here, in your own words").fill(words)
            if key == "worries":
                assert_at_sizes(page, "sos-family-offline-house", SIZES, 48)
        # Kept on the device, the next house (then the young person's screen) opens at once.
        with page.expect_navigation():
            page.get_by_role("button", name="Save in this house").click()
    page.wait_for_url(home)

    # What was saved waits on the device: the header says how many, in the family's language, and
    # no screen shows their words (whoever picks a name next would read them).
    page.goto(f"{home}/three-houses/worries")
    expect(status(page)).to_have_text("3 waiting")
    expect(page.locator("[data-waiting-here]")).to_have_count(0)
    assert "When Mum and her boyfriend shout" not in page.locator("body").inner_text()
    page.goto(home)

    page.get_by_role("link", name="How safe do things feel? (0 to 10)").click()
    page.wait_for_url(f"{home}/safety-scale")
    low, high = rules.anchors(rater_role="young_person", practice_context="cp")
    expect(page.get_by_text(low)).to_be_visible()
    expect(page.get_by_text(high)).to_be_visible()
    overall = page.get_by_role("group", name=rules.FAMILY_OVERALL_QUESTION["young_person"])
    overall.get_by_role("radio", name="7", exact=True).check()
    page.get_by_text("Say more (you can skip this)").first.click()
    page.get_by_label("Why this number, and not a lower one?").fill("Gran picks me up when I ask.")
    assert_at_sizes(page, "sos-family-offline-scale", SIZES, 48)
    with page.expect_navigation():
        page.get_by_role("button", name="Save my number").click()
    page.wait_for_url(home)

    page.get_by_role("link", name="Hand back").click()
    page.wait_for_url(f"**/family/{case.id}/hand-back")
    page.get_by_label("Worker PIN").fill(PIN)
    page.get_by_role("button", name="Hand back").click()
    page.wait_for_url(f"**/cases/{case.id}/diamond")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()

    # Nothing has reached Homeward yet: four answers wait on the device.
    ops = stored(page)
    assert len(ops) == 4
    db.expire_all()
    assert db.exec(select(ThreeHousesEntry)).all() == [] and db.exec(select(ScaleRating)).all() == []

    context.set_offline(False)
    expect(status(page)).to_have_text("Online", timeout=20000)
    assert_sent(page)
    put_back(page, ops)  # sent again, as after answers lost on the way back
    page.evaluate("window.HomewardOffline.sync()")
    expect(status(page)).to_have_text("Online", timeout=20000)
    assert_sent(page)

    db.expire_all()
    entries = {e.house: e for e in db.exec(select(ThreeHousesEntry).where(ThreeHousesEntry.case_id == case.id)).all()}
    assert len(db.exec(select(ThreeHousesEntry)).all()) == 3, "one entry per house, each exactly once"
    assert {k: (e.person_id, e.own_words, e.recorded_by_id) for k, e in entries.items()} == {
        k: (kayla.id, True, worker.id) for k, _t, _w in HOUSES
    }
    assert entries["worries"].text == HOUSES[0][2] and entries["dreams"].text == HOUSES[2][2]
    drawn = entries["good_things"]
    assert (
        drawn.drawing_png.startswith(PNG_SIGNATURE)
        and drawn.drawing_description == "My dog Biscuit in the park"
        and drawn.consent_to_share
    )
    assert entries["worries"].drawing_png is None and not entries["worries"].consent_to_share
    ratings = db.exec(select(ScaleRating).where(ScaleRating.case_id == case.id)).all()
    assert len(ratings) == 1
    r = ratings[0]
    assert (r.rater_person_id, r.rater_name, r.rater_role, r.score, r.anchor_low, r.anchor_high, r.pair_key) == (
        kayla.id,
        "Kayla Morgan",
        "young_person",
        7,
        low,
        high,
        None,
    )
    assert r.why_not_lower == "Gran picks me up when I ask." and r.recorded_by_id == worker.id

    # The worker's three houses show them as the young person's own words, the drawing with them.
    page.goto(f"{live_server}/cases/{case.id}/signs-of-safety/three-houses?house=good_things")
    entry = page.locator(".sos-entries li").filter(has_text="In their own words")
    expect(entry).to_have_count(1)
    expect(page.get_by_role("img", name="Drawing: My dog Biscuit in the park")).to_be_visible()
