"""Back-dated ratings with no signal (issue 18): the worker enters last week's visit on the tablet
offline, sets "Ratings given on" before handing over, the family rates (seeing no date), the worker
rates with their own "Rated on"; when the signal returns the ratings keep those days, not the day
they synced, and the moment each was given on the tablet (a correction made meanwhile stands); the
audit keeps the time they reached Homeward."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.diamond.models import DiamondGoal, DiamondRating
from app.timeutil import as_utc, today, utcnow
from tests.browser.conftest import assert_accessible, log_in
from tests.browser.offline_support import assert_sent, status, stored, take_offline
from tests.factories import make_case, make_user
from tests.family.factories import PIN, with_pin, young_person

pytestmark = pytest.mark.browser


def test_ratings_entered_offline_afterwards_keep_the_days_the_worker_gave(page, context, live_server, db):
    worker = with_pin(make_user(db, email="sam@example.org", full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan", referral_date=today() - timedelta(days=40))
    kayla = young_person(db, case)
    # An open goal: the worker's form then has an optional goal field, left empty here.
    db.add(DiamondGoal(case_id=case.id, title="Back at college", created_by_user_id=worker.id))
    db.commit()
    page.set_viewport_size({"width": 800, "height": 1280})
    log_in(page, live_server, "sam@example.org")
    take_offline(page, live_server, case.id)

    visit_day, worker_day = today() - timedelta(days=6), today() - timedelta(days=5)
    context.set_offline(True)
    page.goto(f"{live_server}/cases/{case.id}/hand-to-family")
    expect(page.get_by_label("Ratings given on")).to_have_value(today().isoformat())
    page.get_by_label("Ratings given on").fill(visit_day.isoformat())
    assert_accessible(page, "hand-over-rated-on-tablet")
    page.get_by_label("Worker PIN").fill(PIN)
    page.get_by_role("button", name="Hand to family").click()
    page.wait_for_url(f"{live_server}/family/{case.id}/{kayla.id}")
    page.get_by_role("link", name="Start").click()
    for index, number in enumerate([4, 6, 3, 5, 7]):
        expect(page.get_by_text(f"Question {index + 1} of 5")).to_be_visible()
        expect(page.locator("input[type=date]")).to_have_count(0)  # the family never sees a date
        page.get_by_role("radio", name=str(number), exact=True).check()
        with page.expect_navigation():
            page.get_by_role("button", name="Finish" if index == 4 else "Next").click()
    page.get_by_role("heading", name="All done").wait_for()
    page.get_by_role("link", name="Hand back").click()
    page.get_by_label("Worker PIN").fill(PIN)
    page.get_by_role("button", name="Hand back").click()
    page.wait_for_url(f"**/cases/{case.id}/diamond")

    page.goto(f"{live_server}/cases/{case.id}/diamond/rate")
    page.get_by_label("Rated on").fill(worker_day.isoformat())
    for aim, number in (("Well-being and happiness", 5), ("Learning", 6), ("Relationships", 5), ("Empowerment", 6)):
        page.get_by_role("group", name=aim).get_by_role("radio", name=str(number), exact=True).check()
    page.get_by_role("button", name="Save my rating").click()
    expect(page.get_by_text("Saved on this device — will sync when online")).to_be_visible()
    assert len(stored(page)) == 6

    given_before = utcnow()
    context.set_offline(False)
    expect(status(page)).to_have_text("Online", timeout=20000)
    assert_sent(page)
    db.expire_all()
    rows = db.exec(select(DiamondRating).where(DiamondRating.case_id == case.id)).all()
    assert len(rows) == 9  # five answers from Kayla, the worker's four aims (the goal left empty)
    assert {r.rated_on for r in rows if r.person_id == kayla.id} == {visit_day}
    assert {r.rated_on for r in rows if r.user_id == worker.id} == {worker_day}
    # Each carries when it was given on the tablet (the hidden `recorded_at`, filled when saved), not when it synced.
    assert all(as_utc(r.recorded_at) < given_before for r in rows)

    # The Diamond page dates each rater's latest numbers by the day given.
    page.goto(f"{live_server}/cases/{case.id}/diamond")
    latest = page.get_by_role("table", name="Everyone's latest numbers (0 to 10)").first
    expect(latest.get_by_role("row", name="Kayla")).to_contain_text(f"{visit_day:%-d %b %Y}")
    expect(latest.get_by_role("row", name="Sam Okafor")).to_contain_text(f"{worker_day:%-d %b %Y}")
