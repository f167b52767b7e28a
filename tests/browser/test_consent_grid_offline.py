"""Consent for everyone on one screen, recorded with no signal (issue 18): a person's consent to two
things with their drawn signature kept on the device, synced, and stored once each under the
worker, with the signature as a picture, even when the device sends the same item again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.cases.models import Consent
from tests.browser.conftest import TABLET, assert_accessible, assert_touch_targets, log_in
from tests.browser.offline_support import assert_sent, put_back, status, stored, take_offline
from tests.network.factories import make_family_case

pytestmark = pytest.mark.browser
SLOW = 20_000
PHONE_390 = {"width": 390, "height": 844}


def _sign(page) -> None:
    canvas = page.locator("canvas.signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 15, box["y"] + 30)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.7, steps=8)
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + 20, steps=8)
    page.mouse.up()


def test_consent_to_two_things_with_a_drawn_signature_offline_syncs_once(page, context, live_server, db):
    page.set_default_timeout(SLOW)
    worker, case, people = make_family_case(db, worker=None, network_consent=False)
    db.commit()
    page.set_viewport_size(PHONE_390)
    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)

    context.set_offline(True)
    page.goto(f"{live_server}/cases/{case.id}/consent/all")
    expect(page.get_by_role("heading", name="Consent for everyone")).to_be_visible()
    expect(status(page)).to_have_text("Offline")
    page.get_by_label("Donna Morgan: The work itself").check()
    page.get_by_label("Donna Morgan: Drawings and photos").check()
    # On a phone the grid scrolls sideways inside its box, never the page, and each row still
    # shows whose it is after ticking the last column.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]
    expect(page.get_by_role("rowheader", name="Donna Morgan", exact=False)).to_be_in_viewport()
    expect(page.locator("canvas.signature-canvas")).to_be_hidden()  # only when signed on screen
    page.get_by_role("radio", name="Signed on screen").check()
    expect(page.locator("canvas.signature-canvas")).to_be_visible()
    _sign(page)
    assert page.locator("#signature").input_value().startswith("data:image/png;base64,")
    assert_accessible(page, "consent-grid-offline-signed-390")
    assert_touch_targets(page)
    page.get_by_role("button", name="Save consent").click()
    expect(page.get_by_text("Saved on this device — will sync when online")).to_be_visible()
    expect(status(page)).to_have_text("1 waiting")
    ops = stored(page)
    assert [op["target"] for op in ops] == [f"/cases/{case.id}/consent/all"]
    assert_accessible(page, "consent-grid-offline-saved-390")
    assert db.exec(select(Consent).where(Consent.case_id == case.id)).all() == []

    # Back in signal: it syncs; then the device sends the same item again (its answer was lost).
    context.set_offline(False)
    expect(status(page)).to_have_text("Online", timeout=SLOW)
    assert_sent(page)
    put_back(page, ops)
    page.evaluate("window.HomewardOffline.sync()")
    expect(status(page)).to_have_text("Online", timeout=SLOW)
    assert_sent(page)

    db.expire_all()
    consents = db.exec(select(Consent).where(Consent.case_id == case.id)).all()
    names = {p.id: name for name, p in people.items()}
    assert sorted((names.get(c.person_id, "Kayla"), c.purpose) for c in consents) == [
        ("Donna", "images"),
        ("Donna", "work"),
    ]
    for consent in consents:
        assert consent.recorded_by_id == worker.id and consent.how_given == "signed"
        assert consent.signature.startswith("data:image/png;base64,") and len(consent.signature) > 200
    assert len({c.signature for c in consents}) == 1  # Donna's signature, kept with each of her consents

    # The case page shows them given, and the grid shows them given instead of boxes to tick.
    page.goto(f"{live_server}/cases/{case.id}/consent/all")
    expect(page.get_by_label("Donna Morgan: The work itself")).to_have_count(0)
    expect(page.get_by_label("Donna Morgan: Family network meeting")).to_have_count(1)
    assert_accessible(page, "consent-grid-after-sync-390")


def test_the_case_facts_page_feeds_the_outcome_record_and_back(page, live_server, db):
    """Recorded once on the case (where they live, education, a missing episode), the outcome record
    opens with them, says where they came from, and a change saved there shows on the case."""
    page.set_default_timeout(SLOW)
    worker, case, _people = make_family_case(db, worker=None, network_consent=False, status="active")
    db.commit()
    log_in(page, live_server, worker.email)
    for size, suffix in ((TABLET, "tablet"), (PHONE_390, "390")):
        page.set_viewport_size(size)
        page.goto(f"{live_server}/cases/{case.id}/living")
        assert_accessible(page, f"case-facts-{suffix}")
        assert_touch_targets(page)
    page.get_by_label("Where they live now").select_option("sofa_surfing")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_label("Education, training or employment now").select_option("part_time")
    page.get_by_label("School attendance (%)").fill("55")
    page.get_by_role("button", name="Save education").click()
    expect(page.get_by_text("Education, training or employment is recorded.")).to_be_visible()
    page.get_by_role("button", name="Save missing episode").click()
    expect(page.get_by_text("The missing episode is recorded.")).to_be_visible()
    expect(page.get_by_text("Now: Part-time education or timetable, attendance 55%", exact=False)).to_be_visible()

    page.goto(f"{live_server}/cases/{case.id}/outcomes/new?point=review")
    expect(page.get_by_label("Where the young person lives")).to_have_value("sofa_surfing")
    expect(page.get_by_label("Education, training or employment", exact=True)).to_have_value("part_time")
    expect(page.get_by_label("School attendance (%)")).to_have_value("55")
    expect(page.get_by_label("Missing episodes")).to_have_value("1")
    expect(page.get_by_text("From the case: Sofa-surfing since", exact=False)).to_be_visible()
    assert_accessible(page, "outcome-record-from-the-case-390")
    assert_touch_targets(page)
    page.get_by_label("Where the young person lives").select_option("supported")
    page.get_by_role("button", name="Save outcome record").click()
    expect(page.get_by_text("The case now records the change in where the young person lives")).to_be_visible()
    page.goto(f"{live_server}/cases/{case.id}/living")
    expect(page.get_by_text("Now: Supported accommodation", exact=False)).to_be_visible()
