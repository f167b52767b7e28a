"""Issue 9 offline: the guided ending filled in at the family's kitchen table with no signal, and
later the reactivation on a home visit with no signal; each synced exactly once, and the rest of
the journey (caseload count, dormant register, prompted tasks, timeline) works after sync."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from app.cases.models import Case, CaseEvent
from app.endings.models import DormantSpell, Ending, EndingTask, Reactivation
from app.review.models import Submission
from app.timeutil import today
from tests.browser.conftest import assert_accessible, log_in, open_case_parts
from tests.browser.offline_support import assert_sent, put_back, status, stored, take_offline
from tests.endings.factories import approve_waiting_ending, make_team_people
from tests.factories import make_case

pytestmark = pytest.mark.browser
SLOW = 20_000


def _count(db, model, *where) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(model).where(*where)).one()


def _save_offline(page, button: str) -> list[dict]:
    page.get_by_role("button", name=button).click()
    expect(page.get_by_text("Saved on this device — will sync when online")).to_be_visible()
    expect(status(page)).to_have_text("1 waiting")
    return stored(page)


def _sync_twice(page, context, ops) -> None:
    """Back in signal: the outbox syncs; then the same item is sent again (an answer lost)."""
    context.set_offline(False)
    expect(status(page)).to_have_text("Online", timeout=SLOW)
    assert_sent(page)
    put_back(page, ops)
    page.evaluate("window.HomewardOffline.sync()")
    expect(status(page)).to_have_text("Online", timeout=SLOW)
    assert_sent(page)


def test_ending_and_later_reactivation_filled_in_offline_each_sync_once(page, context, live_server, db):
    page.set_default_timeout(SLOW)
    people = make_team_people(db)
    worker = people.worker
    case = make_case(db, worker=worker, status="active", young_person_name="Kayla Morgan")
    make_case(db, worker=worker, status="active", young_person_name="Tyler Brooks")
    db.commit()
    log_in(page, live_server, worker.email)
    expect(page.locator(".caseload-counts")).to_have_text("2 active · 0 dormant", timeout=SLOW)
    take_offline(page, live_server, case.id)

    # The last visit: the ending is agreed and written up at the kitchen table, with no signal.
    context.set_offline(True)
    page.reload()
    expect(status(page)).to_have_text("Offline")
    open_case_parts(page)
    page.get_by_role("link", name="End active work").click()
    expect(page.get_by_role("heading", name="End active work")).to_be_visible()
    page.get_by_label("Goal 1", exact=True).fill("Kayla back at school every day")
    page.get_by_label("How goal 1 went").select_option("met")
    page.get_by_label("Evidence for goal 1").fill("96% attendance this half-term")
    page.get_by_label("Date the family agreed the timing").fill((today() - timedelta(days=5)).isoformat())
    page.get_by_label("How the timing was negotiated").fill("At home with Kayla and Donna; they chose the date")
    page.get_by_label("Sustainability plan").fill("Donna calls Nan when rows start; Kayla texts Amy")
    page.get_by_label("Named contact for the family").fill("Amy Worker, 0151 496 0000")
    page.get_by_label("Closing summary for the family").fill("You have done this together.")
    page.get_by_label("The young person's views").fill("Ready, and knows she can ring")
    page.get_by_label("Outcome summary").fill("At home, in school")
    page.get_by_label("Becomes dormant", exact=False).check()
    ops = _save_offline(page, "End active work")
    assert [op["target"] for op in ops] == [f"/cases/{case.id}/end"]
    expect(page.locator("[data-waiting-here]")).to_contain_text("Kayla back at school every day")
    assert_accessible(page, "endings-offline-end-saved")
    page.get_by_role("link", name="Back to Kayla Morgan").click()
    expect(page.locator("[data-waiting-here]")).to_contain_text("End active work")
    assert _count(db, Ending) == 0

    _sync_twice(page, context, ops)
    assert _count(db, Ending) == 1 and db.exec(select(Ending)).one().id == ops[0]["id"]
    assert db.get(Case, case.id).status == "active"  # until the supervisor approves the ending
    approve_waiting_ending(db, people.supervisor)
    db.expire_all()
    assert _count(db, DormantSpell) == 1
    assert _count(db, CaseEvent, CaseEvent.case_id == case.id, CaseEvent.kind == "dormant") == 1
    assert _count(db, Submission, Submission.kind == "ending") == 1  # one item for the supervisor's sign-off
    assert db.get(Case, case.id).status == "dormant"

    page.goto(f"{live_server}/")
    expect(page.locator(".caseload-counts")).to_have_text("1 active · 1 dormant")
    page.get_by_role("link", name="Dormant register").click()
    row = page.get_by_role("row", name="Kayla Morgan", exact=False)
    expect(row).to_contain_text("Amy Worker")

    # Weeks later Kayla rings; the worker visits straight away, takes the case with them, and
    # reactivates it in the house, where there is no signal.
    take_offline(page, live_server, case.id)
    context.set_offline(True)
    page.reload()
    expect(page.locator("#endings")).to_contain_text("Dormant since")
    page.get_by_role("link", name="Reactivate").click()
    expect(page.get_by_role("heading", name="Reactivate")).to_be_visible()
    page.get_by_label("Who asked").select_option("young_person")
    page.get_by_label("What has changed").fill("Kayla rang: rows at home again and she wants to talk")
    page.get_by_label("Urgency").select_option("soon")
    back_ops = _save_offline(page, "Reactivate")
    expect(page.locator("[data-waiting-here]")).to_contain_text("Kayla rang")
    assert_accessible(page, "endings-offline-reactivate-saved")
    assert _count(db, Reactivation) == 0

    _sync_twice(page, context, back_ops)
    assert _count(db, Reactivation) == 1 and db.exec(select(Reactivation)).one().id == back_ops[0]["id"]
    assert _count(db, EndingTask) == 2
    assert _count(db, CaseEvent, CaseEvent.case_id == case.id, CaseEvent.kind == "reactivated") == 1
    assert db.get(Case, case.id).status == "active"

    page.goto(f"{live_server}/cases/{case.id}")
    open_case_parts(page)
    section = page.locator("#endings")
    expect(section).to_contain_text("Update the Signs of Safety map or the BASE risk assessment")
    expect(section).to_contain_text("Do a Diamond rating")
    expect(page.get_by_text("Dormant period").first).to_be_visible()
    expect(page.get_by_text("days dormant, then reactivated").first).to_be_visible()
    assert page.get_by_role("link", name="Reactivate").count() == 0
    assert_accessible(page, "endings-offline-reactivated")
    page.goto(f"{live_server}/")
    expect(page.locator(".caseload-counts")).to_have_text("2 active · 0 dormant")


def test_ending_refused_at_sync_is_set_aside_with_the_reason_and_saved_once_after_edit_and_retry(
    page, context, live_server, db
):
    page.set_default_timeout(SLOW)
    people = make_team_people(db)
    case = make_case(db, worker=people.worker, status="active", young_person_name="Kayla Morgan")
    db.commit()
    log_in(page, live_server, people.worker.email)
    take_offline(page, live_server, case.id)
    context.set_offline(True)
    page.goto(f"{live_server}/cases/{case.id}/end")
    page.get_by_label("Goal 1", exact=True).fill("Kayla back at school every day")
    page.get_by_label("How goal 1 went").select_option("met")
    page.get_by_label("Evidence for goal 1").fill("96% attendance this half-term")
    page.get_by_label("Date the family agreed the timing").fill((today() - timedelta(days=5)).isoformat())
    page.get_by_label("How the timing was negotiated").fill("At home with Kayla and Donna")
    for label, text in (
        ("Named contact for the family", "Amy Worker, 0151 496 0000"),
        ("Closing summary for the family", "Well done."),
        ("The young person's views", "Ready"),
        ("Outcome summary", "At home, in school"),
    ):
        page.get_by_label(label).fill(text)
    _save_offline(page, "End active work")  # the sustainability plan forgotten

    context.set_offline(False)
    expect(status(page)).to_have_text("1 need attention", timeout=SLOW)
    assert _count(db, Ending) == 0 and db.get(Case, case.id).status == "active"
    page.get_by_role("link", name="Outbox").click()
    expect(page.get_by_text("Still missing: a sustainability plan", exact=False)).to_be_visible()
    assert_accessible(page, "endings-offline-refused-outbox")
    page.get_by_role("link", name="Edit and retry").click()
    expect(page.get_by_text("This was not saved")).to_be_visible()
    expect(page.get_by_label("Evidence for goal 1")).to_have_value("96% attendance this half-term")
    page.get_by_label("Sustainability plan").fill("Donna calls Nan when rows start")
    with page.expect_navigation():
        page.get_by_role("button", name="End active work").click()
    expect(page.get_by_text("sent to your supervisor for approval")).to_be_visible()
    expect(status(page)).to_have_text("Online")
    assert stored(page) == []
    assert _count(db, Ending) == 1 and _count(db, Submission, Submission.kind == "ending") == 1
