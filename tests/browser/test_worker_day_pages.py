"""Issue 18 (framework half): the new and changed pages pass axe at tablet and phone sizes, and the
drawn signature is kept as a picture by a real browser."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from app.cases.models import Consent
from tests.browser.conftest import PHONE, TABLET, assert_accessible, assert_touch_targets, log_in
from tests.diamond.factories import four, rate
from tests.family.factories import young_person
from tests.network.factories import make_family_case

pytestmark = pytest.mark.browser


def test_plan_consent_living_and_diamond_pages_are_accessible_and_a_signature_is_drawn(page, live_server, db):
    worker, case, people = make_family_case(db, worker=None, network_consent=False)
    kayla = young_person(db, case)
    on = date(2026, 11, 2)
    rate(db, case=case, by_user=worker, person=kayla, scores=four(6, 5, 7, 6), on=on)
    rate(db, case=case, by_user=worker, person=people["Donna"], scores=four(6, 5, 7, 6), on=on)
    rate(db, case=case, by_user=worker, scores=four(6, 5, 7, 6), on=on)
    db.commit()
    log_in(page, live_server, worker.email)
    base = f"{live_server}/cases/{case.id}"
    for size in (TABLET, PHONE):
        page.set_viewport_size(size)
        for path, name in (
            ("/plan", "plan"),
            ("/consent/all", "consent-all"),
            ("/living", "living"),
            ("/diamond", "diamond"),
        ):
            page.goto(base + path)
            assert_accessible(page, f"issue18b-{name}-{size['width']}")
        assert_touch_targets(page)

    page.set_viewport_size(TABLET)
    page.goto(base + "/consent/all")
    page.get_by_label(f"{people['Donna'].name}: The work itself").check()
    page.get_by_role("radio", name="Signed on screen").check()
    canvas = page.locator("canvas.signature-canvas")
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 90, steps=8)
    page.mouse.move(box["x"] + 220, box["y"] + 30, steps=8)
    page.mouse.up()
    with page.expect_navigation():
        page.get_by_role("button", name="Save consent").click()
    db.expire_all()
    consent = db.exec(select(Consent).where(Consent.case_id == case.id)).one()
    assert consent.how_given == "signed" and consent.signature.startswith("data:image/png;base64,")
