"""The case page's closed parts at a glance (issue 18), on the demo cases, at a tablet held upright
and a phone: each summary line says something a worker uses (in words, not colour alone), the page
still opens on what needs doing, and axe finds nothing. Screenshots: case-parts-<name>-<size>.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, log_in
from tests.demo_copy import demo_service

pytestmark = pytest.mark.browser

SIZES = {"tablet": {"width": 800, "height": 1280}, "phone": {"width": 390, "height": 844}}


def _summary(page, part: str) -> str:
    return " ".join(
        page.locator("details.case-part > summary", has_text=re.compile(f"^{part}")).first.inner_text().split()
    )


def test_demo_case_parts_say_what_matters_on_their_closed_lines(page, live_server, db, settings):
    demo = demo_service(session=db, settings=settings)
    db.commit()
    log_in(page, live_server, "worker@example.org", password=DEMO_PASSWORD)
    for name in ("Kayla", "Amira"):
        page.goto(f"{live_server}/cases/{demo.cases[name].id}")
        expect(page.locator("#needs-doing")).to_be_visible()
        assert page.locator("details.case-part[open]").count() == 0
        diamond = _summary(page, "Diamond")
        assert re.fullmatch(r"Diamond · (no ratings yet|latest average: .+ · .+)", diamond), diamond
        assert _summary(page, "Consent").startswith("Consent · ")
        # The same page on a tablet and on a phone (CSS alone lays it out).
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            assert_accessible(page, f"case-parts-{name.lower()}-{size}")
            # The summary lines wrap within the screen, however long (the header is another matter).
            widest = page.evaluate(
                "() => Math.max(...Array.from(document.querySelectorAll('details.case-part > summary'), s => s.getBoundingClientRect().right))"
            )
            assert widest <= viewport["width"], (size, widest)
    # Kayla's map has a safety scale; Amira's BASE assessment has a stage.
    page.goto(f"{live_server}/cases/{demo.cases['Kayla'].id}")
    assert "safety scale:" in _summary(page, "Signs of Safety")
    page.goto(f"{live_server}/cases/{demo.cases['Amira'].id}")
    assert re.search(r"BASE · (stage: \w+|all stages done)", _summary(page, "BASE"))
