"""A manager opens the scorecard on the demo service, changes the period and the breakdown, and
downloads the PDF and the evaluator export; every page passes axe at tablet size."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.accounts.models import Role
from app.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, log_in, open_case_parts
from tests.browser.offline_support import Faults, wait_for_service_worker
from tests.demo_copy import demo_service
from tests.factories import make_user

pytestmark = pytest.mark.browser
SLOW = 60_000  # a scorecard and a zip of the whole service, made on a 2-core machine under load


def test_manager_reads_the_scorecard_changes_period_and_breakdown_and_downloads(page, live_server, db, settings):
    page.set_default_timeout(SLOW)
    demo = demo_service(session=db, settings=settings)
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
    # The breakdowns added for contacts, endings and distance travelled follow the choice too.
    expect(page.get_by_role("heading", name="Contacts by ethnicity")).to_be_visible()
    expect(page.locator("#contact-groups")).to_contain_text("White")
    expect(page.locator("#endings-groups-c")).to_have_text("Endings in this period by reason and ethnicity")
    expect(page.locator("#diamond-groups-c")).to_have_text("Diamond aims: first against latest by ethnicity")
    expect(page.locator("#care12")).to_contain_text("Not known yet")
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

    # A subject access request from Kayla: the manager reviews what is held, then downloads it.
    kayla = demo.cases["Kayla"]
    page.goto(f"{live_server}/cases/{kayla.id}")
    open_case_parts(page)
    page.get_by_role("link", name="Subject access request").click()
    page.get_by_role("link", name="Kayla").first.click()
    expect(page.get_by_role("heading", name="What Homeward holds about Kayla")).to_be_visible()
    expect(page.locator("#review-c")).to_contain_text("Entries naming someone else")
    assert_accessible(page, "subject-access-review-tablet")
    page.locator("input[name=leave_out]").first.check()
    with page.expect_download() as copy:
        page.get_by_role("button", name="Download the copy").click()
    assert copy.value.suggested_filename.startswith(f"subject-access-{kayla.reference}")
    assert Path(copy.value.path()).read_bytes()[:4] == b"%PDF"


def test_worker_records_a_baseline_from_the_case_page_and_fixes_a_mistake(page, live_server, db):
    from tests.endings.factories import active_case, make_team_people

    page.set_default_timeout(SLOW)
    people = make_team_people(db)
    case = active_case(db, people.worker)
    db.commit()
    log_in(page, live_server, people.worker.email, to=f"/cases/{case.id}")
    open_case_parts(page)
    page.get_by_role("link", name="Record outcomes").click()
    expect(page.get_by_role("heading", name="Record outcomes")).to_be_visible()
    page.get_by_label("Point in the work").select_option("baseline")
    page.get_by_label("Where the young person lives").select_option("with_parents")
    page.get_by_label("Care status", exact=True).select_option("cin")
    page.get_by_label("Missing episodes").fill("2")
    page.get_by_label("Your judgement").select_option("entered_care")
    page.get_by_role("button", name="Save outcome record").click()
    expect(page.locator("#counterfactual_worker_reason-error")).to_contain_text("Please say why")
    expect(page.get_by_label("Missing episodes")).to_have_value("2")
    assert_accessible(page, "outcome-record-error-tablet")
    page.get_by_label("Why you think so").fill("Mum asked for accommodation the week of the referral.")
    page.get_by_role("button", name="Save outcome record").click()
    expect(page.locator("#outcomes")).to_contain_text("Child in need plan")
    assert_accessible(page, "outcome-record-case-section-tablet")


class TestSlowServer:
    """The service worker gives a page three seconds before the copy kept on the device; a manager's
    pages are never kept, and on a busy server the scorecard and its PDF take longer. Until
    December 2026 the manager was then shown "You are offline" while online."""

    @pytest.fixture
    def app(self, app):
        return Faults(app)

    def test_a_scorecard_slower_than_a_kept_page_may_take_still_opens(self, app, page, live_server, db):
        manager = make_user(db, role=Role.manager, email="manager@example.org")
        db.commit()
        log_in(page, live_server, manager.email)
        wait_for_service_worker(page)  # the service worker takes the next navigation
        app.slow("/scorecard", 4.0)
        page.goto(f"{live_server}/scorecard", timeout=20_000)
        expect(page.get_by_role("heading", name="Scorecard", level=1)).to_be_visible()
        assert app.hits["/scorecard"] == 1

    def test_a_pdf_slower_to_make_than_a_page_may_take_still_downloads(self, app, page, live_server, db):
        manager = make_user(db, role=Role.manager, email="manager@example.org")
        db.commit()
        log_in(page, live_server, manager.email, to="/scorecard")
        wait_for_service_worker(page)  # the service worker takes the click on the link
        app.slow("/scorecard.pdf", 4.0)
        with page.expect_download(timeout=20_000) as pdf:
            page.get_by_role("link", name="Download PDF").click()
        assert Path(pdf.value.path()).read_bytes()[:4] == b"%PDF"
        assert app.hits["/scorecard.pdf"] == 1
        expect(page.get_by_role("heading", name="You are offline")).to_have_count(0)
