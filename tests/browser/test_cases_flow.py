"""A worker takes a referral through screening into active work on a tablet, as issue 3 asks:
creates the case, screens it, adds the mother and a grandmother, records consent and a home
visit, and sees all of it on the timeline. axe checks every page on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, assert_accessible, assert_touch_targets, log_in, open_case_parts
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_worker_creates_case_screens_it_adds_family_records_consent_and_visit(page, live_server, db):
    make_user(db, email="sam@example.org", full_name="Sam Okafor")
    db.commit()
    log_in(page, live_server, "sam@example.org")
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    assert_accessible(page, "cases-caseload-empty")

    page.get_by_role("link", name="New referral").click()
    assert_accessible(page, "cases-referral-form")
    page.get_by_label("Full name").fill("Kayla Morgan")
    page.get_by_label("Preferred name").fill("Kay")
    page.get_by_label("Date of birth").fill("2011-03-04")
    page.get_by_label("Route").select_option(label="MASH")
    page.get_by_label("Referring agency").fill("MASH")
    page.get_by_label("Reason for referral").fill("Going missing overnight at weekends.")
    page.get_by_role("button", name="Record the referral").click()

    expect(page.get_by_role("heading", name="Kay", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"Referral recorded as HW-\d{4}-0001"))).to_be_visible()
    assert_accessible(page, "cases-case-referred")

    # Screening is the eligibility decision: one way in, no general status form (issue 18, defect 6).
    expect(page.get_by_role("link", name="Start screening")).to_have_count(0)
    page.get_by_role("link", name="Eligibility screening").click()
    assert_accessible(page, "cases-eligibility")
    page.get_by_label("Edge of care or risk of accommodation").check()
    page.get_by_label("Missing (risk identified)").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Eligibility recorded: eligible.")).to_be_visible()

    for name, relationship, household in (("Donna Morgan", "Mother", True), ("Pat Morgan", "Grandmother", False)):
        page.get_by_role("link", name="Add a person").click()
        page.get_by_label(re.compile(r"^Name")).fill(name)
        page.get_by_label("Relationship to the young person").fill(relationship)
        if household:
            page.get_by_label("Lives in the young person's household").check()
        page.get_by_label("Knows the worries").check()
        if name == "Pat Morgan":
            assert_accessible(page, "cases-person-form")
        page.get_by_role("button", name="Add this person").click()
        expect(page.get_by_text(f"{name} added.")).to_be_visible()

    # Consent for everyone on one screen (issue 18): Donna agrees to the work, given verbally.
    page.get_by_role("link", name="Record consent").click()
    assert_accessible(page, "cases-consent-form")
    page.get_by_label("Donna Morgan: The work itself").check()
    page.get_by_label("Verbal").check()
    page.get_by_role("button", name="Save consent").click()
    expect(page.get_by_text("Consent recorded: 1 new.")).to_be_visible()

    page.get_by_role("link", name="Start active work").click()
    page.get_by_label("Why").fill("Eligible and mum agreed to the work.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The case is now active.")).to_be_visible()

    page.get_by_role("link", name="Record a contact").click()
    assert_accessible(page, "cases-contact-form")
    assert_touch_targets(page)
    page.get_by_label("Start time").fill("00:00")
    page.get_by_label("Kayla Morgan").check()
    page.get_by_label("Donna Morgan").check()
    page.get_by_label("Young person seen", exact=True).check()
    page.get_by_label("Short note").fill("Talked about weekends and who she is with.")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("Home visit recorded.")).to_be_visible()

    timeline = page.locator("#timeline")
    for words in (
        "Referral received",
        "Screening started",
        "Eligibility decided",
        "Person added",
        "Pat Morgan (Grandmother)",
        "Donna Morgan (Mother)",
        "Consent recorded",
        "Active work started",
        "Home visit",
    ):
        expect(timeline.get_by_text(words).first).to_be_visible()
    open_case_parts(page)
    consent_row = page.locator(".consent-table tr", has_text="Donna Morgan")
    expect(consent_row.get_by_text("✓ Given")).to_be_visible()
    expect(page.locator(".case-facts").get_by_text("within the 24-hour target")).to_be_visible()
    assert_accessible(page, "cases-case-active")
    assert_touch_targets(page)

    page.get_by_role("link", name="Contacts", exact=True).click()
    page.wait_for_load_state("networkidle")
    expect(timeline.get_by_text("Home visit")).to_be_visible()
    expect(timeline.get_by_text("Screening started")).to_have_count(0)

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/")
    expect(page.get_by_role("link", name="Kay")).to_be_visible()
    expect(page.get_by_text("1 active · 0 dormant")).to_be_visible()
    assert_accessible(page, "cases-caseload-phone")
    assert_touch_targets(page)


def test_missed_visit_recorded_on_a_phone_sets_aside_who_was_there(page, live_server, db):
    from tests.factories import make_case

    worker = make_user(db, email="sam@example.org", full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Tyler Brooks")
    db.commit()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "sam@example.org", to=f"/cases/{case.id}/contacts/new")
    page.get_by_label("Missed (no access)").check()
    expect(page.get_by_label("Young person seen", exact=True)).to_be_disabled()
    expect(page.get_by_label("Tyler Brooks")).to_be_disabled()
    assert_accessible(page, "cases-contact-missed-phone")
    assert_touch_targets(page)
    page.get_by_label("Start time").fill("00:00")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("Missed home visit (no access) recorded.")).to_be_visible()
    expect(page.locator("#timeline").get_by_text("Missed home visit (no access)")).to_be_visible()
