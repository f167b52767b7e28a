"""A supervisor works from their team's cases: filter to the flagged ones, open one and see why,
reallocate it, approve an ending from its notification and see the notification clear; a manager
follows the same links. axe on every page, screenshots at tablet size (issue 19)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.cases.models import Contact
from app.endings import service as endings
from app.timeutil import today, utcnow
from tests.browser.conftest import assert_accessible, log_in
from tests.cases.factories import actor_for
from tests.endings.factories import full_ending
from tests.factories import make_case, make_team, make_user

pytestmark = pytest.mark.browser
SLOW = 20_000


def _team_with_work(db):
    team = make_team(db, name="North Adolescent Support Team")
    amy = make_user(db, team=team, email="amy@example.org", full_name="Amy Worker")
    make_user(db, team=team, email="ben@example.org", full_name="Ben Other")
    make_user(db, team=team, role="supervisor", email="sue@example.org", full_name="Sue Supervisor")
    make_user(db, role="manager", team=None, email="max@example.org", full_name="Max Manager")
    settled = {"opened_at": utcnow() - timedelta(days=30), "first_contact_at": utcnow() - timedelta(days=29)}
    quiet = make_case(db, worker=amy, young_person_name="Quiet Case", **settled)
    fine = make_case(db, worker=amy, young_person_name="Fine Case", **settled)
    for case, days in ((quiet, 20), (fine, 2)):
        db.add(
            Contact(
                case_id=case.id,
                kind="visit",
                occurred_on=today() - timedelta(days=days),
                attended=True,
                seen_alone=True,
                by_user_id=amy.id,
            )
        )
    kayla = make_case(db, worker=amy, young_person_name="Kayla Morgan", **settled)
    db.flush()
    endings.end_active_work(session=db, case=kayla, by=actor_for(amy), data=full_ending())
    db.commit()
    return quiet


def test_supervisor_filters_flagged_sees_why_reallocates_and_approves_an_ending(page, live_server, db):
    page.set_default_timeout(SLOW)
    quiet = _team_with_work(db)
    log_in(page, live_server, "sue@example.org")
    expect(page.get_by_role("heading", name="Team cases")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Team oversight")).to_be_visible()
    assert_accessible(page, "team-cases-supervisor-tablet")

    page.get_by_label("Flags").select_option("any")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="1 case")).to_be_visible()
    row = page.get_by_role("row", name="Quiet Case", exact=False)
    expect(row).to_contain_text("No contact for 14 days")
    row.get_by_role("link", name="Quiet Case").click()
    expect(page.get_by_role("heading", name="Quiet Case", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Why this case is flagged")).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("No contact for 14 days")

    page.get_by_role("link", name="Reallocate").click()
    expect(page.get_by_role("heading", name="Reallocate Quiet Case")).to_be_visible()
    page.get_by_role("button", name="Reallocate").click()  # no reason: kept, with the message beside it
    expect(page.get_by_text("The reason for the move is needed.").first).to_be_visible()
    page.get_by_label("Key worker").select_option(label="Ben Other")
    assert_accessible(page, "reallocate-refused-tablet")
    page.get_by_label("Reason for the move").fill("Amy's caseload is over the team's limit")
    page.get_by_role("button", name="Reallocate").click()
    expect(page.get_by_text("The case is now held by Ben Other.")).to_be_visible()
    expect(page.get_by_text("Amy's caseload is over the team's limit").first).to_be_visible()

    badge = page.locator("#notification-badge")
    expect(badge).to_contain_text("1")
    badge.click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    assert_accessible(page, "notifications-tablet")
    page.get_by_role("link", name="is waiting for review").click()
    expect(page.get_by_role("button", name="Approve")).to_be_visible()
    expect(page.get_by_role("heading", name="Outcome summary")).to_be_visible()
    assert_accessible(page, "ending-review-tablet")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server}/notifications")
    expect(page.get_by_text("No notifications.")).to_be_visible()
    expect(page.locator("#notification-badge .badge")).to_have_count(0)
    page.goto(f"{live_server}/review/oversight")
    expect(page.get_by_role("heading", name="Flags by worker")).to_be_visible()
    assert_accessible(page, "team-oversight-supervisor-tablet")
    assert quiet.id


def test_manager_follows_the_same_links(page, live_server, db):
    page.set_default_timeout(SLOW)
    _team_with_work(db)
    log_in(page, live_server, "max@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team oversight").click()
    expect(page.get_by_role("heading", name="Team oversight")).to_be_visible()
    # The whole service is a line per team (issue 21); the team's own oversight is one click away.
    assert_accessible(page, "oversight-service-manager-tablet")
    page.get_by_role("table").first.get_by_role("link", name="North Adolescent Support Team").click()
    expect(page.get_by_role("heading", name="Caseloads")).to_be_visible()
    page.get_by_role("table").first.get_by_role("link", name="Amy Worker").click()
    expect(page.get_by_role("heading", name="Team cases")).to_be_visible()
    expect(page.get_by_role("row", name="Quiet Case", exact=False)).to_contain_text("No contact for 14 days")
    assert_accessible(page, "team-cases-manager-tablet")
    page.get_by_role("link", name="Quiet Case").click()
    expect(page.get_by_role("heading", name="Why this case is flagged")).to_be_visible()
    expect(page.get_by_role("link", name="Reallocate")).to_have_count(0)
