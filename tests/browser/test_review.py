"""Supervision round trip in the browser: a worker submits a map; the supervisor returns it with a
comment on one section; the worker sees the comment and resubmits; the supervisor sees what
changed and approves; the oversight dashboard's counts change. A worker asks to reopen a closed
case and the supervisor approves it from the queue. axe on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.signs_of_safety.models import Category
from app.timeutil import utcnow
from tests.browser.conftest import assert_accessible, assert_touch_targets, log_in, open_case_parts, switch_user
from tests.factories import make_case, make_team, make_user
from tests.signs_of_safety.factories import add_item

pytestmark = pytest.mark.browser


def _switch(page, live_server, email):
    switch_user(page, live_server, email)


def test_map_returned_with_a_section_comment_resubmitted_and_approved(page, live_server, db):
    team = make_team(db, name="North Adolescent Support Team")
    worker = make_user(db, team=team, email="sam@example.org", full_name="Sam Okafor")
    make_user(db, team=team, role="supervisor", email="helen@example.org", full_name="Helen Marsh")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan", practice_context="cin")
    add_item(db, case=case, by=worker, category=Category.strength, text="Nan collects Kayla from school.")
    db.commit()
    sos = f"{live_server}/cases/{case.id}/signs-of-safety"

    log_in(page, live_server, "sam@example.org")
    page.goto(sos)
    with page.expect_navigation():  # saved through the offline script, then the next page
        page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state()

    _switch(page, live_server, "helen@example.org")
    page.get_by_role("link", name="Review queue").first.click()
    page.wait_for_url("**/review")
    assert page.get_by_role("heading", name="Review queue").is_visible()
    assert_accessible(page, "review-queue")
    assert_touch_targets(page)
    page.get_by_role("link", name="Team oversight").first.click()  # the header has it too (issue 19)
    expect(page.get_by_role("heading", name="Team oversight")).to_be_visible()
    waiting_before = page.locator(".oversight-table tfoot td").nth(5).inner_text()
    assert waiting_before == "1"
    assert_accessible(page, "review-oversight-before")
    page.go_back()
    page.get_by_role("link", name="Signs of Safety map, version 1").click()
    page.locator("summary", has_text="Comment on Strengths").click()
    page.get_by_label("Comment on Strengths").fill("How often does Nan do this? Put the days in.")
    page.get_by_role("button", name="Add comment on Strengths").click()
    page.wait_for_load_state()
    assert page.get_by_text("How often does Nan do this? Put the days in.").is_visible()
    assert_accessible(page, "review-screen")
    page.get_by_label("Why it is returned").fill("Strengths need detail before sign-off.")
    page.get_by_role("button", name="Return").click()
    page.wait_for_url("**/review")

    _switch(page, live_server, "sam@example.org")
    returned = page.locator("#returned-work")
    returned.wait_for()
    assert "Strengths need detail before sign-off." in returned.inner_text()
    assert "How often does Nan do this?" in returned.inner_text()
    assert_accessible(page, "review-returned-on-caseload")
    page.goto(sos)
    page.goto(f"{sos}/items/new?category=strength")
    page.locator("#text").fill("Nan collects Kayla every Tuesday and Thursday.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    with page.expect_navigation():  # saved through the offline script, then the next page
        page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state()
    page.goto(live_server)
    page.locator("#returned-work").wait_for()
    assert "Nothing has been returned to you" in page.locator("#returned-work").inner_text()

    _switch(page, live_server, "helen@example.org")
    page.goto(f"{live_server}/review")
    page.get_by_role("link", name="Signs of Safety map, version 2").click()
    added = page.locator(".review-added")
    assert "Nan collects Kayla every Tuesday and Thursday." in added.first.inner_text()
    assert page.get_by_role("link", name="Version 1").is_visible()
    assert_accessible(page, "review-screen-changes")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url("**/review")
    assert page.get_by_text("Nothing is waiting for review.").is_visible()
    page.goto(f"{live_server}/review/oversight")
    assert page.locator(".oversight-table tfoot td").nth(5).inner_text() == "0"
    assert_accessible(page, "review-oversight-after")
    page.goto(f"{live_server}/notifications")
    assert_accessible(page, "review-notifications")
    page.goto(f"{live_server}/cases/{case.id}/supervision")
    page.get_by_label("What was discussed").fill("Safety plan and Nan's role.")
    page.get_by_label("Decision").fill("Keep twice-weekly visits.")
    page.get_by_label("Why").fill("The plan is new.")
    page.get_by_role("button", name="Add supervision note").click()
    page.wait_for_load_state()
    assert page.get_by_text("Keep twice-weekly visits.").is_visible()
    assert_accessible(page, "review-case-notes")
    page.goto(f"{live_server}/supervision/{worker.id}")
    assert_accessible(page, "review-worker-supervision")


def test_worker_asks_to_reopen_a_closed_case_and_the_supervisor_approves_it_from_the_queue(page, live_server, db):
    team = make_team(db, name="North Adolescent Support Team")
    priya = make_user(db, team=team, email="priya@example.org", full_name="Priya Shah")
    make_user(db, team=team, role="supervisor", email="helen@example.org", full_name="Helen Marsh")
    case = make_case(
        db,
        worker=priya,
        young_person_name="Ellie Shaw",
        status="closed",
        closed_at=utcnow() - timedelta(days=10),
        closure_reason="aims_achieved",
    )
    db.commit()

    log_in(page, live_server, "priya@example.org", to=f"/cases/{case.id}")
    open_case_parts(page)
    page.get_by_role("link", name="Ask to reopen").click()
    expect(page.get_by_role("heading", name="Ask to reopen")).to_be_visible()
    assert_accessible(page, "reopen-request-form")
    assert_touch_targets(page)
    page.get_by_label("What has changed").fill(
        "Tracy rang: Ellie has missed college since half-term and stayed out two nights."
    )
    page.get_by_role("button", name="Ask to reopen").click()
    page.wait_for_load_state()
    # Nothing lost, and each message beside its field.
    assert page.locator("#asked_by-error").inner_text().endswith("Please choose one.")
    assert page.locator("#reason-error").inner_text().endswith("Why it should reopen is needed.")
    assert "stayed out two nights" in page.get_by_label("What has changed").input_value()
    assert_accessible(page, "reopen-request-form-errors")
    page.get_by_label("Who asked").select_option("parent")
    page.get_by_label("Urgency").select_option("soon")
    page.get_by_label("Why it should reopen").fill("The worries are back and Tracy asked for Priya by name.")
    page.get_by_role("button", name="Ask to reopen").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Waiting for your supervisor").is_visible()
    assert_accessible(page, "reopen-request-waiting")

    _switch(page, live_server, "helen@example.org")
    page.goto(f"{live_server}/review")
    # Choosing a kind filters the queue in place (htmx); the Filter button is for pages without
    # JavaScript. Wait for the swap and its address to settle: a link followed while htmx is still
    # pushing the filtered address would have its navigation cancelled by that push.
    with page.expect_response(lambda response: "kind=reopen_request" in response.url):
        page.get_by_label("Kind of work").select_option("reopen_request")
    page.wait_for_url("**/review?*kind=reopen_request*")
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-swapping")).to_have_count(0)
    page.get_by_role("link", name="Reopen request, version 1").click()
    expect(page.get_by_role("heading", name="Reopen request, version 1")).to_be_visible()
    assert page.get_by_text("A parent or carer").is_visible()
    assert page.get_by_text("The worries are back and Tracy asked for Priya by name.").is_visible()
    assert_accessible(page, "reopen-request-review")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url("**/review")
    assert page.get_by_text("Nothing is waiting for review.").is_visible()
    page.goto(f"{live_server}/cases/{case.id}")
    open_case_parts(page)
    assert page.locator(".status-screening").first.is_visible()
    assert page.get_by_text("Re-referral: The worries are back").first.is_visible()

    _switch(page, live_server, "priya@example.org")
    page.goto(f"{live_server}/cases/{case.id}/reopen-request")
    assert page.get_by_text("The last request was approved").is_visible()
    assert page.get_by_role("button", name="Ask to reopen").count() == 0
    assert_accessible(page, "reopen-request-approved")
