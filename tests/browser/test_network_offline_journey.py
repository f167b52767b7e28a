"""Issue 8 offline: a network meeting recorded in the family's home with no signal, synced exactly
once; the letter, the case page's tasks, and a review meeting (recorded offline too) afterwards."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlmodel import func, select

from app.network.models import MeetingAttendee, NetworkMeeting, NetworkTask, TaskUpdate
from tests.browser.conftest import assert_accessible, log_in, open_case_parts
from tests.browser.offline_support import assert_sent, put_back, status, stored, take_offline
from tests.network.factories import make_family_case

pytestmark = pytest.mark.browser

SLOW = 20_000
TASKS = [
    ("Pick Kayla up from school on Tuesdays", "Pat Morgan", "2026-10-14", "Donna Morgan"),
    ("Text Nan when Kayla is home by 10pm", "Donna Morgan", "2026-10-08", "Pat Morgan"),
    ("Share phone location every evening", "Kayla Morgan", "2026-10-08", "Donna Morgan"),
    ("Find a Friday youth club", "Sam Okafor", "2026-10-22", "Pat Morgan"),
]


def _count(db, model, *where) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(model).where(*where)).one()


def _save_offline(page, *, waiting: int) -> list[dict]:
    page.get_by_role("button", name="Save meeting").click()
    expect(page.get_by_text("Saved on this device — will sync when online")).to_be_visible()
    expect(status(page)).to_have_text(f"{waiting} waiting")
    return stored(page)


def _sync_twice(page, context, ops) -> None:
    """Back in signal: the outbox syncs; then the same items are sent again (an answer lost)."""
    context.set_offline(False)
    expect(status(page)).to_have_text("Online", timeout=SLOW)
    assert_sent(page)
    put_back(page, ops)
    page.evaluate("window.HomewardOffline.sync()")
    expect(status(page)).to_have_text("Online", timeout=SLOW)
    assert_sent(page)


def test_meeting_and_review_recorded_offline_sync_once_then_letter_and_tasks(page, context, live_server, db):
    page.set_default_timeout(SLOW)
    worker, case, _people = make_family_case(db, worker=None)
    db.commit()
    log_in(page, live_server, worker.email)
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible(timeout=SLOW)
    take_offline(page, live_server, case.id)

    # In Nan's front room, no signal: the meeting form opens from the case kept on the tablet.
    context.set_offline(True)
    page.reload()
    expect(status(page)).to_have_text("Offline")
    open_case_parts(page)
    page.get_by_role("link", name="Network meeting").first.click()
    expect(page.get_by_role("heading", name="Record a network meeting")).to_be_visible()
    page.get_by_label("Date of the meeting").fill("2026-10-01")
    page.get_by_label("Where").fill("Nan's house")
    page.get_by_label("Kay came to the meeting").check()
    page.get_by_label("How Kay's views were given").select_option(label="Through an advocate")
    page.get_by_label("Kay's views, in their words").fill("I want to stay at home with Mum.")
    for name in ("Donna Morgan", "Pat Morgan", "Yusuf Ali", "Leanne Carter"):
        page.get_by_label(name, exact=False).select_option("present")
    page.get_by_label("Jordan Morgan", exact=False).select_option("apologies")
    page.get_by_label("Other person 1: name").fill("Ms Achebe")
    page.get_by_label("Other person 1: role").fill("Head of Year")
    page.get_by_label("Other person 1: there or apologies").select_option("apologies")
    for i, (what, who, due, checker) in enumerate(TASKS, start=1):
        page.get_by_label(f"Task {i}: what needs doing").fill(what)
        page.get_by_label(f"Task {i}: who", exact=True).fill(who)
        page.get_by_label(f"Task {i}: by when").fill(due)
        page.get_by_label(f"Task {i}: who checks").fill(checker)
    page.get_by_label("If this happens (1)").fill("Kayla goes missing")
    page.get_by_label("Then the network will (1)").fill("Donna rings the police on 101, then Nan")
    page.get_by_label("Next meeting date").fill("2026-11-12")
    ops = _save_offline(page, waiting=1)
    assert len(ops) == 1 and ops[0]["target"] == f"/cases/{case.id}/network/meetings"
    # The worker sees what is waiting, on the form and on the case page kept on the device.
    waiting = page.locator("[data-waiting-here]")
    expect(waiting).to_contain_text("waiting to sync (1)")
    expect(waiting).to_contain_text("Nan's house")
    assert page.get_by_label("Task 1: what needs doing").input_value() == ""  # cleared for the next
    assert_accessible(page, "network-offline-meeting-saved")
    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.locator("[data-waiting-here]")).to_contain_text("Network meeting")
    assert _count(db, NetworkMeeting) == 0

    _sync_twice(page, context, ops)
    assert _count(db, NetworkMeeting) == 1
    meeting = db.exec(select(NetworkMeeting)).one()
    assert meeting.id == ops[0]["id"]  # stored under the id the tablet made
    assert _count(db, MeetingAttendee, MeetingAttendee.meeting_id == meeting.id) == 6
    assert _count(db, MeetingAttendee, MeetingAttendee.attendance == "apologies") == 2
    assert sorted(t.what for t in db.exec(select(NetworkTask)).all()) == sorted(t[0] for t in TASKS)
    assert meeting.views_given == "advocate"

    # Back in the office: the letter to the family, its print view and PDF.
    page.goto(f"{live_server}/cases/{case.id}")
    open_case_parts(page)
    expect(page.locator("[data-waiting-here]")).to_have_count(0)
    for what, *_ in TASKS:
        expect(page.locator("#network .task-list strong", has_text=what)).to_be_visible()
    page.get_by_role("link", name="Family network meeting, 1 Oct 2026").click()
    expect(page.get_by_role("heading", name="Family network meeting, 1 Oct 2026")).to_be_visible()
    expect(page.get_by_role("heading", name="Apologies (2)")).to_be_visible()
    page.get_by_role("link", name="Letter to the family").click()
    letter = page.get_by_label("The letter")
    expect(letter).to_contain_text("Pick Kayla up from school on Tuesdays. Who: Pat Morgan.")
    letter.fill(letter.input_value() + "\nThank you all for coming.\n")
    with page.expect_navigation():
        page.get_by_role("button", name="Save letter").click()
    expect(page.get_by_text("Letter saved.")).to_be_visible()
    page.get_by_role("link", name="Print view").click()
    expect(page.get_by_role("heading", name="Our family plan")).to_be_visible()
    expect(page.get_by_text("Thank you all for coming.")).to_be_visible()
    assert_accessible(page, "network-offline-letter-print")
    pdf = page.request.get(f"{page.url.removesuffix('/print')}.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages))
    for task in ("Pick Kayla up from school on Tuesdays", "Find a Friday youth club", "Thank you all for coming."):
        assert task in text

    # Six weeks later: the case is taken offline again, so the review form knows the four tasks.
    take_offline(page, live_server, case.id)
    context.set_offline(True)
    # Before the meeting starts, Kayla says the location sharing works most evenings: the worker
    # marks it on the task list of the case page kept on the tablet.
    page.reload()
    open_case_parts(page)
    page.get_by_label("How it is going: Share phone location every evening").select_option("partly")
    page.get_by_role("button", name="Update Share phone location every evening").click()
    expect(status(page)).to_have_text("1 waiting")
    page.goto(f"{live_server}/cases/{case.id}/network/meetings/new")
    expect(page.get_by_label("Kind of meeting")).to_have_value("review")
    expect(page.get_by_role("group", name="Tasks from earlier meetings")).to_be_visible()
    page.get_by_label("Date of the meeting").fill("2026-11-12")
    page.get_by_label("Where").fill("Kayla's home")
    page.get_by_label("How it went: Pick Kayla up from school on Tuesdays").select_option("done")
    page.get_by_label("How it went: Text Nan when Kayla is home by 10pm").select_option("done")
    page.get_by_label("Note: Text Nan when Kayla is home by 10pm").fill("Home on time every night")
    review_ops = _save_offline(page, waiting=2)
    expect(page.locator("[data-waiting-here]")).to_contain_text("Kayla's home")
    assert _count(db, NetworkMeeting) == 1

    _sync_twice(page, context, review_ops)
    assert _count(db, NetworkMeeting, NetworkMeeting.kind == "review") == 1
    assert _count(db, TaskUpdate) == 4  # one progress line for each task reviewed, each once
    # The review form kept on the tablet still showed the location task as not started: saving it
    # did not undo the update made on the case page first.
    statuses = {t.what: t.status for t in db.exec(select(NetworkTask)).all()}
    assert statuses == {TASKS[0][0]: "done", TASKS[1][0]: "done", TASKS[2][0]: "partly", TASKS[3][0]: "open"}
    assert _count(db, NetworkTask) == 4  # the review added no tasks of its own

    page.goto(f"{live_server}/cases/{case.id}")
    open_case_parts(page)
    tasks = page.locator("#network .task-list")
    expect(tasks.locator(".task-done")).to_have_count(2)
    expect(tasks.locator(".task-done").first).to_contain_text("Done")
    page.get_by_role("link", name="Review meeting, 12 Nov 2026").click()
    expect(page.get_by_role("heading", name="Tasks from earlier meetings")).to_be_visible()
    expect(page.get_by_text("Home on time every night")).to_be_visible()
    assert_accessible(page, "network-offline-review")
