"""Admin, profile, audit-trail and error pages in a real browser: axe-clean on tablet and phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.security.models import LoginAttempt
from tests.browser.conftest import PHONE, TABLET, assert_accessible, assert_touch_targets, log_in, log_in_with_form
from tests.factories import make_case, make_team, make_user

pytestmark = pytest.mark.browser


def _check(page, name: str) -> None:
    """axe and touch targets at tablet size, then again at phone size."""
    page.set_viewport_size(TABLET)
    assert_accessible(page, f"{name}-tablet")
    assert_touch_targets(page)
    page.set_viewport_size(PHONE)
    assert_accessible(page, f"{name}-phone")
    assert_touch_targets(page)
    # Nothing wider than the phone screen except inside a scrolling table wrapper.
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page scrolls sideways by {overflow}px on a phone"
    page.set_viewport_size(TABLET)


def test_admin_creates_a_user_fixes_a_mistake_and_manages_the_account(page, live_server, db):
    team = make_team(db, name="North Adolescent Support Team")
    make_user(db, role="admin", email="ruth@example.org", full_name="Ruth Adeyemi")
    make_user(db, team=team, email="sam@example.org", full_name="Sam Okafor")
    db.commit()
    log_in(page, live_server, "ruth@example.org")
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    _check(page, "admin-users")

    page.get_by_role("link", name="New user").click()
    page.get_by_label("Full name").fill("Priya Shah")
    page.get_by_label("Email").fill("priya-at-example")
    page.get_by_label("Role").select_option("worker")
    page.get_by_label("Team").select_option(label="North Adolescent Support Team")
    page.get_by_label("First password").fill("a good long password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Enter an email address like").first).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value("Priya Shah")
    _check(page, "admin-user-new-error")

    page.get_by_label("Email").fill("priya@example.org")
    page.get_by_label("First password").fill("a good long password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Priya Shah")).to_be_visible()
    expect(page.get_by_text("Account created.")).to_be_visible()
    _check(page, "admin-user")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Disable account").click()
    expect(page.get_by_text("can no longer log in")).to_be_visible()
    page.get_by_role("button", name="Re-enable account").click()
    expect(page.get_by_text("can log in again")).to_be_visible()


def test_admin_teams_pages(page, live_server, db):
    make_user(db, role="admin", email="ruth@example.org")
    make_team(db, name="North Adolescent Support Team")
    db.commit()
    log_in(page, live_server, "ruth@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Teams").click()
    expect(page.get_by_role("heading", name="Teams", exact=True)).to_be_visible()
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_text("Team name is needed.").first).to_be_visible()
    _check(page, "admin-teams-error")
    page.get_by_label("Team name").fill("South Edge of Care Team")
    page.get_by_role("button", name="Create team").click()
    page.get_by_role("link", name="South Edge of Care Team").click()
    expect(page.get_by_role("heading", name="Rename team")).to_be_visible()
    _check(page, "admin-team-rename")


def test_profile_page_password_and_pin(page, live_server, db):
    from app.security.passwords import hash_password

    user = make_user(db, email="sam@example.org", full_name="Sam Okafor")
    # A 4-digit PIN from before PINs needed 6 digits: it must be changed at this login.
    user.pin_hash, user.pin_change_due = hash_password("4829"), True
    db.add(user)
    db.commit()
    # Through the form: the login itself takes the worker to the profile with the prompt.
    log_in_with_form(page, live_server, "sam@example.org")
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Please set a new Worker PIN")).to_be_visible()
    _check(page, "profile")
    page.get_by_label("New Worker PIN").fill("4829")
    page.get_by_label("Your password, to confirm").fill("correct horse battery")
    page.get_by_role("button", name="Set Worker PIN").click()
    expect(page.get_by_text("Use 6 to 8 digits.").first).to_be_visible()
    _check(page, "profile-pin-error")
    page.get_by_label("New Worker PIN").fill("482913")
    page.get_by_label("Your password, to confirm").fill("correct horse battery")
    page.get_by_role("button", name="Set Worker PIN").click()
    expect(page.get_by_text("Your Worker PIN has been set")).to_be_visible()
    expect(page.get_by_text("Please set a new Worker PIN")).to_have_count(0)


def test_audit_trail_page_for_a_manager(page, live_server, db):
    team = make_team(db)
    worker = make_user(db, team=team, full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    make_user(db, role="manager", email="david@example.org", full_name="David Ellis")
    db.commit()
    log_in(page, live_server, "david@example.org", to=f"/cases/{case.id}")
    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    expect(page.get_by_role("cell", name="David Ellis").first).to_be_visible()
    _check(page, "audit-trail")


def test_error_pages_forbidden_and_not_found(page, live_server, db):
    make_user(db, email="sam@example.org")
    db.commit()
    log_in(page, live_server, "sam@example.org", to="/admin/users")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_text("Reference for support")).to_be_visible()
    _check(page, "error-403")
    page.goto(f"{live_server}/no-such-page")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    _check(page, "error-404")


def test_failed_logins_make_that_address_wait_the_admin_clears_them_and_the_owner_is_told(page, live_server, db):
    make_user(db, role="admin", email="ruth@example.org", full_name="Ruth Adeyemi")
    make_user(db, email="sam@example.org", full_name="Sam Okafor")
    # Twelve wrong passwords for Sam from this browser's address (the live server sees 127.0.0.1):
    # the next try from here waits over four minutes.
    db.add_all([LoginAttempt(email="sam@example.org", address="127.0.0.1", succeeded=False) for _ in range(12)])
    db.commit()
    log_in_with_form(page, live_server, "sam@example.org")
    expect(page.locator("#email-error")).to_contain_text("please wait 5 minutes before trying again")
    _check(page, "login-waiting")

    log_in(page, live_server, "ruth@example.org", to="/admin/failed-logins")
    expect(page.get_by_role("heading", name="Failed log-ins")).to_be_visible()
    expect(page.get_by_role("cell", name="127.0.0.1")).to_be_visible()
    _check(page, "admin-failed-logins")
    page.get_by_role("link", name="Sam Okafor").click()
    expect(page.get_by_text("12 from 127.0.0.1")).to_be_visible()
    _check(page, "admin-user-failed-logins")
    page.get_by_role("button", name="Clear failed log-ins").click()
    expect(page.get_by_text("can log in again at once")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")

    log_in_with_form(page, live_server, "sam@example.org")
    expect(page.get_by_text("Since you last logged in, 12 attempts to log in to your account failed")).to_be_visible()
    _check(page, "home-failed-logins-notice")
