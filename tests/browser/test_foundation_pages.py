"""The foundation's pages work in a real browser, pass axe, and suit tablets and phones."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, assert_accessible, assert_touch_targets, log_in, log_in_with_form
from tests.factories import make_case, make_user

pytestmark = pytest.mark.browser


def test_worker_logs_in_and_sees_caseload_accessible_on_tablet_and_phone(page, live_server, db):
    worker = make_user(db, email="sam@example.org", full_name="Sam Okafor")
    make_case(db, worker=worker, young_person_name="Kayla Morgan")
    db.commit()

    page.goto(f"{live_server}/")
    assert "/login" in page.url
    assert_accessible(page, "login-tablet")

    log_in_with_form(page, live_server, "sam@example.org")
    assert page.get_by_role("heading", name="My caseload").is_visible()
    assert page.get_by_role("status").first.inner_text() in ("Online", "Offline")
    assert page.get_by_role("link", name="Kayla Morgan").is_visible()
    assert_accessible(page, "caseload-tablet")
    assert_touch_targets(page)

    page.set_viewport_size(PHONE)
    assert_accessible(page, "caseload-phone")
    assert_touch_targets(page)


def test_wrong_password_shows_message_beside_field_and_passes_axe(page, live_server, db):
    make_user(db, email="sam@example.org")
    db.commit()
    log_in_with_form(page, live_server, "sam@example.org", password="not the password")
    assert page.get_by_text("That email and password do not match").first.is_visible()
    assert_accessible(page, "login-error")


def test_not_found_page_shows_request_id_and_passes_axe(page, live_server, db):
    make_user(db, email="sam@example.org")
    db.commit()
    log_in(page, live_server, "sam@example.org", to="/cases/999999")
    assert page.get_by_role("heading", name="Not found").is_visible()
    assert page.get_by_text("Reference for support").is_visible()
    assert_accessible(page, "not-found")
