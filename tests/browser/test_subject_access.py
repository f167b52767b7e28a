"""A manager answers a subject access request from a mother who is also on her son's case: finds
her by name across the service, withholds one sentence about someone else inside a contact note,
and downloads the PDF; every page passes axe at tablet size and the released text is checked."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import Contact, Person
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import make_case, make_user

pytestmark = pytest.mark.browser
SLOW = 20_000


def test_manager_finds_a_mother_on_two_cases_and_withholds_one_sentence(page, live_server, db):
    page.set_default_timeout(SLOW)
    worker = make_user(db, full_name="Priya Worker")
    manager = make_user(db, role="manager", full_name="Mina Manager")
    kayla = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    jay = make_case(db, worker=worker, young_person_name="Jay Morgan")
    dawn = Person(case_id=kayla.id, name="Dawn Morgan", given_name="Dawn", relationship="Mother")
    db.add_all([dawn, Person(case_id=jay.id, name="Dawn Morgan", relationship="Mother")])
    note = "Dawn walked Kayla to school. Kayla said her friend Tia is being bullied. Dawn was pleased."
    db.add(Contact(case_id=kayla.id, kind="visit", occurred_on=date(2026, 2, 3), note=note, by_user_id=worker.id))
    db.add(Contact(case_id=jay.id, kind="visit", occurred_on=date(2026, 2, 4), by_user_id=worker.id,
                   note="Jay and Dawn planned the holidays."))  # fmt: skip
    db.commit()

    log_in(page, live_server, manager.email, to=f"/cases/{kayla.id}/subject-access")
    page.get_by_role("link", name="search every case by name").click()
    page.get_by_label("Name").fill("dawn morgan")
    page.get_by_role("button", name="Search").click()
    found = page.get_by_role("region", name="Where “dawn morgan” appears (2)")
    expect(found).to_contain_text(kayla.reference)
    expect(found).to_contain_text(jay.reference)
    assert_accessible(page, "subject-access-search-tablet")

    page.get_by_role("link", name=f"Review Dawn Morgan's copy from case {kayla.reference}").click()
    expect(page.get_by_role("heading", name="What Homeward holds about Dawn Morgan")).to_be_visible()
    expect(page.get_by_label(f"Case {jay.reference}: person (Mother)")).to_be_checked()
    expect(page.get_by_role("heading", name="Review before release")).to_be_visible()
    assert_accessible(page, "subject-access-partial-review-tablet")

    sentence = page.get_by_label("Note: “Kayla said her friend Tia is being bullied.”")
    box = sentence.bounding_box()
    assert box and box["height"] >= 28  # the box; its label below makes the target at least 44 px
    label = page.locator("label", has_text="Kayla said her friend Tia is being bullied.")
    assert label.bounding_box()["height"] >= 44
    label.click()
    expect(sentence).to_be_checked()
    # Her son's case is another family's: its entries stay out of the copy until released, one by one.
    holidays = page.locator("fieldset", has_text="Jay and Dawn planned the holidays.")
    release = holidays.get_by_label("Release this entry: I have read it, and it is about this person")
    expect(release).not_to_be_checked()
    release.check()
    with page.expect_download() as copy:
        page.get_by_role("button", name="Download the copy").click()
    assert copy.value.suggested_filename.startswith(f"subject-access-{kayla.reference}")
    reader = PdfReader(Path(copy.value.path()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "[withheld: names another person]" in text and "Dawn walked Kayla to school." in text
    assert "Tia" not in text and "bullied" not in text
    assert "Jay and Dawn planned the holidays." in text and f"also case {jay.reference}" in text

    db.expire_all()
    assert db.exec(select(Contact.note).where(Contact.case_id == kayla.id)).one() == note
    withheld = db.exec(select(AuditEntry).where(AuditEntry.action == "withhold")).one()
    assert withheld.user_id == manager.id and withheld.detail.endswith("sentences=note:1")
