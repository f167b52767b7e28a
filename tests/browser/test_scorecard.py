"""A manager opens the scorecard on the demo service, changes the period and the breakdown, and
downloads the PDF and the evaluator export; every page passes axe at tablet size."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.demo import DEMO_PASSWORD, load_demo
from tests.browser.conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser
SLOW = 20_000


def test_manager_reads_the_scorecard_changes_period_and_breakdown_and_downloads(page, live_server, db, settings):
    page.set_default_timeout(SLOW)
    demo = load_demo(session=db, settings=settings)
    db.commit()
    log_in(page, live_server, "manager@example.org", DEMO_PASSWORD)
    page.get_by_role("link", name="Scorecard").first.click()
    expect(page.get_by_role("heading", name="Scorecard", level=1)).to_be_visible()
    expect(page.locator("#headline")).to_contain_text("Young people worked with")
    assert_accessible(page, "scorecard-year-tablet")

    start = demo.today - timedelta(days=182)
    page.get_by_label("From").fill(start.isoformat())
    page.get_by_label("Break down by").select_option("ethnicity")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Young people worked with by ethnicity")).to_be_visible()
    expect(page.locator(".lead")).to_contain_text(f"{start.day} ")
    expect(page.locator("#groups")).to_contain_text("White")
    assert_accessible(page, "scorecard-half-year-ethnicity-tablet")

    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download PDF").click()
    assert pdf.value.suggested_filename.startswith(f"scorecard-{start.isoformat()}")
    assert Path(pdf.value.path()).read_bytes()[:4] == b"%PDF"

    page.get_by_role("link", name="Evaluator export").click()
    expect(page.get_by_role("heading", name="Evaluator export")).to_be_visible()
    assert_accessible(page, "evaluator-export-tablet")
    with page.expect_download() as export:
        page.get_by_role("button", name="Download the export").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(export.value.path()).read_bytes()))
    assert "datapackage.json" in archive.namelist() and "cases.csv" in archive.namelist()
    assert b"Kayla" not in archive.read("cases.csv")
