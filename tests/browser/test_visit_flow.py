"""Record a visit in one flow (issue 18), in a real browser at a tablet held upright and a phone.

The journey: from the top of the case page, the contact (prefilled), the Diamond with two family
members, the worker's own rating and one next step. Every click, fill, check and select the
worker makes is counted; the family's taps are not. The budget is 15 worker interactions.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.cases.models import Contact
from app.diamond.models import DiamondRating
from app.signs_of_safety.models import MapItem
from tests.browser.conftest import assert_accessible, assert_at_sizes, log_in
from tests.browser.offline_support import status, stored, take_offline
from tests.factories import make_case, make_user
from tests.family.factories import PIN, add_person, with_pin, young_person

pytestmark = pytest.mark.browser

TABLET_UPRIGHT = {"width": 800, "height": 1280}
PHONE_844 = {"width": 390, "height": 844}
SIZES = {"tablet": TABLET_UPRIGHT, "phone": PHONE_844}
BUDGET = 15


class Counted:
    """The worker's hands: every interaction goes through here and is counted."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def click(self, locator):
        self.count += 1
        locator.click()

    def fill(self, locator, value):
        self.count += 1
        locator.fill(value)

    def check(self, locator):
        self.count += 1
        locator.check()


def _family_rates(page, numbers):
    """The family's own taps (not counted): Start, four aims, then the done screen."""
    page.get_by_role("link", name="Start").click()
    for index, number in enumerate(numbers):
        page.get_by_role("radio", name=str(number), exact=True).check()
        with page.expect_navigation():
            page.get_by_role("button", name="Finish" if index == 3 else "Next").click()
    page.get_by_role("heading", name="All done").wait_for()


def test_a_visit_takes_at_most_15_worker_interactions(page, live_server, db):
    """Walked once on a tablet held upright; each of the worker's screens is checked at a tablet's
    and a phone's size (the same visit at a phone's size, with no signal, is the test below)."""
    worker = with_pin(make_user(db, email="sam@example.org", full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    add_person(db, case, name="Donna Morgan", relationship="Mother")
    db.commit()
    page.set_viewport_size(TABLET_UPRIGHT)
    log_in(page, live_server, "sam@example.org", to=f"/cases/{case.id}")
    hands = Counted(page)

    # 1. The contact: a home visit today, now, 60 minutes, the young person seen, all prefilled.
    hands.click(page.get_by_role("link", name="Record a visit"))
    page.get_by_role("heading", name="Record a visit").wait_for()
    assert page.get_by_label("Duration in minutes").input_value() == "60"
    assert page.get_by_label("Young person seen", exact=True).is_checked()
    assert page.get_by_label("Kayla Morgan").is_checked()
    assert_at_sizes(page, "visit-1-contact", SIZES)
    hands.click(page.get_by_role("button", name="Save and continue"))

    # 2. Hand to family: the young person first, then their mother.
    page.get_by_role("heading", name="Hand to family").wait_for()
    assert page.get_by_text("Visit: step 2 of 4").is_visible()
    assert_at_sizes(page, "visit-2-hand-over", SIZES)
    hands.fill(page.get_by_label("Worker PIN"), PIN)
    hands.click(page.get_by_role("button", name="Hand to family"))
    page.wait_for_url(f"**/family/{case.id}/*")
    _family_rates(page, [4, 6, 3, 5])
    page.get_by_role("link", name="Someone else's turn").click()
    page.get_by_label("Donna (Mother)").check()
    page.get_by_role("button", name="That's me").click()
    _family_rates(page, [7, 6, 8, 5])
    page.get_by_role("link", name="Hand back").click()
    hands.fill(page.get_by_label("Worker PIN"), PIN)
    hands.click(page.get_by_role("button", name="Hand back"))

    # 3. The worker's own rating, straight after the hand-back.
    page.wait_for_url(f"**/cases/{case.id}/diamond/rate?visit=1")
    # Shown once Homeward has said the family's turn is over (family.js asks, the page hidden meanwhile).
    expect(page.get_by_text("Visit: step 3 of 4")).to_be_visible()
    assert_at_sizes(page, "visit-3-rating", SIZES)
    for aim, number in (("Well-being and happiness", 5), ("Learning", 6), ("Relationships", 5), ("Empowerment", 6)):
        hands.check(page.get_by_role("group", name=aim).get_by_role("radio", name=str(number), exact=True))
    hands.click(page.get_by_role("button", name="Save and continue"))

    # 4. One next step, due in a week unless changed.
    page.wait_for_url("**/signs-of-safety/items/new?category=next_step&visit=1")
    assert page.get_by_text("Visit: step 4 of 4").is_visible()
    assert page.get_by_label("By when").input_value() != ""
    hands.fill(page.get_by_label("The next step"), "Ring the school about Kayla's timetable")
    assert_at_sizes(page, "visit-4-next-step", SIZES)
    hands.click(page.get_by_role("button", name="Save"))

    # Done: what today's visit put on the record.
    page.get_by_role("heading", name="Visit recorded").wait_for()
    assert page.get_by_text("Home visit").first.is_visible()
    assert_at_sizes(page, "visit-5-done", SIZES)

    assert hands.count <= BUDGET, f"{hands.count} worker interactions, budget {BUDGET}"
    db.expire_all()
    assert len(db.exec(select(Contact).where(Contact.case_id == case.id)).all()) == 1
    ratings = db.exec(select(DiamondRating).where(DiamondRating.case_id == case.id)).all()
    assert len(ratings) == 12  # four aims by Kayla, her mother and the worker
    steps = db.exec(select(MapItem).where(MapItem.text == "Ring the school about Kayla's timetable")).all()
    assert len(steps) == 1


def test_case_page_opens_on_what_needs_doing_and_fits_two_tablet_screens(page, live_server, db):
    from datetime import timedelta

    from app.signs_of_safety.models import Category
    from app.timeutil import today, utcnow
    from tests.signs_of_safety.factories import add_item

    worker = with_pin(make_user(db, email="sam@example.org", full_name="Sam Okafor"), db)
    case = make_case(
        db,
        worker=worker,
        young_person_name="Kayla Morgan",
        referral_date=today() - timedelta(days=40),
        opened_at=utcnow() - timedelta(days=40),
    )
    add_person(db, case, name="Donna Morgan", relationship="Mother")
    add_item(
        db,
        case=case,
        by=worker,
        category=Category.next_step,
        text="Ring the school",
        due_on=today() - timedelta(days=2),
    )
    for n in range(60):
        db.add(
            Contact(case_id=case.id, kind="phone", occurred_on=today() - timedelta(days=n + 20), by_user_id=worker.id)
        )
    db.commit()
    page.set_viewport_size(TABLET_UPRIGHT)
    log_in(page, live_server, "sam@example.org", to=f"/cases/{case.id}")
    needs = page.locator("#needs-doing")
    assert needs.get_by_text("Ring the school").is_visible()
    assert needs.get_by_text("Why this case is flagged").is_visible()
    # Every part closed: the page fits in two screens of a tablet held upright.
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 2 * TABLET_UPRIGHT["height"], height
    assert_accessible(page, "case-page-needs-doing-tablet")
    # A part opens on demand, and the timeline loads older items in place.
    page.locator("summary", has_text="Timeline").click()
    assert page.locator("#timeline li").count() == 20
    page.get_by_role("link", name="Show older items").click()
    page.locator("#timeline li").nth(39).wait_for()
    assert_accessible(page, "case-page-timeline-open-tablet")


def test_phone_header_is_compact_and_the_hand_over_reads_well_at_390(page, live_server, db):
    """Defect 4: radios on their own lines, 24 px radios, "Wiśniewska(Young person)", a 232 px header."""
    worker = with_pin(make_user(db, email="sam@example.org", full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Zofia Wiśniewska")
    add_person(db, case, name="Donna Morgan-Wiśniewska", relationship="Mother")
    db.commit()
    page.set_viewport_size(PHONE_844)
    log_in(page, live_server, "sam@example.org", to=f"/cases/{case.id}/hand-to-family")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 110, header
    labels = page.locator("form[data-hand-over] .field-check")
    assert labels.count() == 2
    for i in range(2):
        row = labels.nth(i)
        radio = row.locator("input[type=radio]").bounding_box()
        label = row.locator("label").bounding_box()
        assert radio["width"] >= 28 and radio["height"] >= 28, radio
        # The radio sits beside its label, on the same line, not above it.
        assert (
            label["x"] > radio["x"] + radio["width"]
            and abs((label["y"] + label["height"] / 2) - (radio["y"] + radio["height"] / 2)) < label["height"] / 2
        ), (radio, label)
    assert " ".join(labels.nth(0).inner_text().split()) == "Zofia Wiśniewska (Young person)"
    assert page.get_by_label("Zofia Wiśniewska (Young person)").is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_844["width"]
    assert_accessible(page, "hand-over-phone-390")
    page.goto(f"{live_server}/cases/{case.id}")
    assert page.locator(".site-header").bounding_box()["height"] <= 110
    assert_accessible(page, "case-page-phone-390")


def test_a_visit_with_no_signal_stays_in_budget_and_syncs_once(page, context, live_server, db):
    """The same visit at a phone size with no signal from the first tap to the last: every step is
    kept on the device ("Take offline", done with a signal beforehand) and sent once afterwards."""
    worker = with_pin(make_user(db, email="sam@example.org", full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    add_person(db, case, name="Donna Morgan", relationship="Mother")
    kayla = young_person(db, case)
    db.commit()
    page.set_viewport_size(PHONE_844)
    log_in(page, live_server, "sam@example.org")
    take_offline(page, live_server, case.id)
    context.set_offline(True)
    page.goto(f"{live_server}/cases/{case.id}")
    hands = Counted(page)

    hands.click(page.get_by_role("link", name="Record a visit"))
    page.get_by_role("heading", name="Record a visit").wait_for()
    hands.click(page.get_by_role("button", name="Save and continue"))
    page.wait_for_url(f"**/cases/{case.id}/hand-to-family?visit=1")
    hands.fill(page.get_by_label("Worker PIN"), PIN)
    hands.click(page.get_by_role("button", name="Hand to family"))
    page.wait_for_url(f"**/family/{case.id}/{kayla.id}")
    _family_rates(page, [4, 6, 3, 5])
    page.get_by_role("link", name="Someone else's turn").click()
    page.get_by_label("Donna (Mother)").check()
    page.get_by_role("button", name="That's me").click()
    page.get_by_role("heading", name="Hello, Donna").wait_for()
    _family_rates(page, [7, 6, 8, 5])
    page.get_by_role("link", name="Hand back").click()
    page.wait_for_url(f"**/family/{case.id}/hand-back")
    hands.fill(page.get_by_label("Worker PIN"), PIN)
    hands.click(page.get_by_role("button", name="Hand back"))
    page.wait_for_url(f"**/cases/{case.id}/diamond/rate?visit=1")
    for aim, number in (("Well-being and happiness", 5), ("Learning", 6), ("Relationships", 5), ("Empowerment", 6)):
        hands.check(page.get_by_role("group", name=aim).get_by_role("radio", name=str(number), exact=True))
    hands.click(page.get_by_role("button", name="Save and continue"))
    page.wait_for_url("**/signs-of-safety/items/new?category=next_step&visit=1")
    hands.fill(page.get_by_label("The next step"), "Ring the school about Kayla's timetable")
    hands.click(page.get_by_role("button", name="Save"))
    page.wait_for_url(f"**/cases/{case.id}/visit/done")
    assert_accessible(page, "visit-offline-done-phone")
    assert hands.count <= BUDGET, f"{hands.count} worker interactions, budget {BUDGET}"

    # Nothing reached Homeward yet: the contact, eight family answers, the rating and the step wait.
    assert len(stored(page)) == 11
    db.expire_all()
    assert db.exec(select(Contact).where(Contact.case_id == case.id)).all() == []
    context.set_offline(False)
    expect(status(page)).to_have_text("Online", timeout=30000)
    for _ in range(150):  # the outbox sends in order; wait until it is empty
        if not stored(page):
            break
        page.wait_for_timeout(200)
    assert stored(page) == []
    db.expire_all()
    assert len(db.exec(select(Contact).where(Contact.case_id == case.id)).all()) == 1
    assert len(db.exec(select(DiamondRating).where(DiamondRating.case_id == case.id)).all()) == 12
    assert len(db.exec(select(MapItem).where(MapItem.text == "Ring the school about Kayla's timetable")).all()) == 1
