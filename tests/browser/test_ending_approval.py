"""Endings under oversight in a real browser (issue 19): the worker's case shows "Ending awaiting
approval", the supervisor returns it with a reason, the worker finds the ending form filled in with
the reason above it and sends it again, the supervisor approves and the case is dormant; an
administrator sets the caseload weights. axe at zero on each page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.cases.models import Case
from app.endings import service as endings
from app.timeutil import utcnow
from tests.browser.conftest import assert_accessible, log_in
from tests.cases.factories import actor_for
from tests.endings.factories import full_ending
from tests.factories import make_case, make_team, make_user

pytestmark = pytest.mark.browser
SLOW = 20_000


def test_an_ending_returned_then_approved_and_the_weights_an_administrator_sets(page, live_server, db):
    page.set_default_timeout(SLOW)
    team = make_team(db, name="North Adolescent Support Team")
    amy = make_user(db, team=team, email="amy@example.org", full_name="Amy Worker")
    make_user(db, team=team, role="supervisor", email="sue@example.org", full_name="Sue Supervisor")
    make_user(db, role="admin", team=None, email="ada@example.org", full_name="Ada Admin")
    kayla = make_case(db, worker=amy, young_person_name="Kayla Morgan", opened_at=utcnow() - timedelta(days=90))
    db.flush()
    endings.end_active_work(session=db, case=kayla, by=actor_for(amy), data=full_ending(), approval_first=True)
    db.commit()

    log_in(page, live_server, "amy@example.org", to=f"/cases/{kayla.id}#endings")
    expect(page.locator("#needs-doing").get_by_role("link", name="Ending awaiting approval")).to_be_visible()
    expect(page.get_by_role("link", name="End active work")).to_have_count(0)
    assert_accessible(page, "case-ending-awaiting-approval-tablet")

    log_in(page, live_server, "sue@example.org", to="/review")
    page.get_by_role("link", name="Ending of active work, version 1").click()
    expect(page.get_by_text("Awaiting approval: the case stays in active work")).to_be_visible()
    page.get_by_label("Why it is returned", exact=False).fill("Say who the family can ring out of hours.")
    page.get_by_role("button", name="Return").click()
    expect(page.get_by_text("returned to the worker")).to_be_visible()

    log_in(page, live_server, "amy@example.org", to=f"/cases/{kayla.id}#endings")
    expect(page.get_by_text("Ending returned by the supervisor")).to_be_visible()
    page.get_by_role("link", name="End active work").click()
    expect(page.get_by_text("Your supervisor returned the ending")).to_be_visible()
    expect(page.get_by_label("Sustainability plan")).to_have_value("Mum will call Nan when rows start")
    assert_accessible(page, "ending-form-returned-tablet")
    page.get_by_label("Sustainability plan").fill("Mum will call Nan when rows start; out of hours, 0151 111 2222")
    with page.expect_navigation():
        page.get_by_role("button", name="End active work").click()
    expect(page.get_by_text("sent to your supervisor for approval")).to_be_visible()

    log_in(page, live_server, "sue@example.org", to="/review")
    page.get_by_role("link", name="Ending of active work, version 2").click()
    expect(page.get_by_text("out of hours, 0151 111 2222").first).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Ending of active work approved")).to_be_visible()
    db.expire_all()
    assert db.get(Case, kayla.id).status == "dormant"

    log_in(page, live_server, "ada@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Caseload weights").click()
    expect(page.get_by_role("heading", name="Caseload weights")).to_be_visible()
    page.get_by_label("An active child protection case").fill("lots")
    page.get_by_role("button", name="Save the weights").click()
    expect(page.get_by_text("Give a number, for example 1.5.").first).to_be_visible()
    assert_accessible(page, "caseload-weights-refused-tablet")
    page.get_by_label("An active child protection case").fill("3")
    page.get_by_role("button", name="Save the weights").click()
    expect(page.get_by_text("Caseload weights saved")).to_be_visible()
    expect(page.get_by_label("An active child protection case")).to_have_value("3")
