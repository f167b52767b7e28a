"""The second factor in a real browser: a manager sets it up after the password, then signs in with a code."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, assert_accessible, log_in, log_in_with_form
from tests.factories import make_user

pytestmark = pytest.mark.browser


def _next_code(secret: str) -> str:
    """A code from a step not used yet (a code is accepted once)."""
    step = int(time.time()) // 30
    return pyotp.TOTP(secret).generate_otp(step + 1)


def test_manager_sets_up_an_authenticator_then_signs_in_with_a_code(page, live_server, db):
    make_user(db, role="manager", email="david@example.org", full_name="David Ellis")
    db.commit()
    log_in_with_form(page, live_server, "david@example.org")
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(page, "second-factor-setup")
    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_text("That code is not right").first).to_be_visible()
    assert_accessible(page, "second-factor-setup-error")
    secret = page.locator("figcaption code").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    assert page.locator(".recovery-codes li").count() == 10
    assert_accessible(page, "recovery-codes")
    with page.expect_navigation():
        page.get_by_role("link", name="Continue").click()
    # Wait for logging out to land on the login page: a new navigation started before it would
    # be cut short by the logout's own redirect (ERR_ABORTED, seen once in CI).
    with page.expect_navigation(url=re.compile(r"/login")):
        page.get_by_role("button", name="Log out").click()

    log_in_with_form(page, live_server, "david@example.org")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    assert_accessible(page, "second-factor-code")
    page.get_by_label("Code").fill("123456")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code is not right").first).to_be_visible()
    assert_accessible(page, "second-factor-code-error")
    page.get_by_label("Code").fill(_next_code(secret))
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert "/login" not in page.url


def test_profile_offers_a_second_factor_and_passes_axe(page, live_server, db):
    make_user(db, email="sam@example.org")
    db.commit()
    log_in(page, live_server, "sam@example.org", to="/profile")
    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    page.set_viewport_size(PHONE)
    assert_accessible(page, "second-factor-setup-phone")
