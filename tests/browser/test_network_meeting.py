"""A worker records a family network meeting, produces the family letter and reviews the tasks later."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from app.network.models import NetworkMeeting, NetworkTask
from tests.browser.conftest import PHONE, TABLET, assert_accessible, assert_touch_targets, log_in, open_case_parts
from tests.network.factories import make_family_case

pytestmark = pytest.mark.browser

TASKS = [
    ("Pick Kayla up from school on Tuesdays", "Pat Morgan", "2026-10-14", "Donna Morgan"),
    ("Text Nan when Kayla is home by 10pm", "Donna Morgan", "2026-10-08", "Pat Morgan"),
    ("Share phone location every evening", "Kayla Morgan", "2026-10-08", "Donna Morgan"),
    ("Find a Friday youth club", "Sam Okafor", "2026-10-22", "Pat Morgan"),
]


# The machine running the suite may be busy: allow slow pages rather than fail on a 5 s default.
SLOW = 20_000


def test_network_meeting_letter_and_review_marking_two_tasks_done(page, live_server, db):
    page.set_default_timeout(SLOW)
    worker, case, people = make_family_case(db, worker=None)
    db.commit()
    log_in(page, live_server, worker.email)
    # Password hashing is slow on a busy machine: wait for the caseload rather than assume it.
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible(timeout=SLOW)
    page.goto(f"{live_server}/cases/{case.id}")
    open_case_parts(page)
    page.get_by_role("link", name="Network meeting").first.click()
    expect(page.get_by_role("heading", name="Record a network meeting")).to_be_visible(timeout=SLOW)

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
    assert_accessible(page, "network-meeting-form-tablet")
    page.get_by_role("button", name="Save meeting").click()

    expect(page.get_by_role("heading", name="Family network meeting, 1 Oct 2026")).to_be_visible(timeout=SLOW)
    assert page.get_by_role("heading", name="Present (4)").is_visible()
    assert page.get_by_role("heading", name="Apologies (2)").is_visible()
    assert page.get_by_text("Views given: Through an advocate").is_visible()
    assert_accessible(page, "network-meeting-tablet")

    page.get_by_role("link", name="Letter to the family").click()
    letter = page.get_by_label("The letter")
    expect(letter).to_be_visible(timeout=SLOW)
    assert "Pick Kayla up from school on Tuesdays. Who: Pat Morgan." in letter.input_value()
    letter.fill(letter.input_value() + "\nThe safeguarding team will be told.\n")
    page.get_by_role("button", name="Save letter").click()
    expect(page.get_by_role("heading", name="Words the family may not use")).to_be_visible(timeout=SLOW)
    assert_accessible(page, "network-letter-tablet")
    page.get_by_role("link", name="Print view").click()
    expect(page.get_by_role("heading", name="Our family plan")).to_be_visible(timeout=SLOW)
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    page.emulate_media(media="screen")
    assert_accessible(page, "network-letter-print")

    page.goto(f"{live_server}/cases/{case.id}")
    open_case_parts(page)
    for what, *_ in TASKS:
        assert page.get_by_text(what).first.is_visible()
    assert_accessible(page, "network-case-section-tablet")

    # The review meeting opens with the first meeting's tasks; it is filled in with no connection
    # and replayed twice when the connection returns, as the outbox would after a dropped reply.
    page.get_by_role("link", name="Network meeting").first.click()
    expect(page.get_by_label("Kind of meeting")).to_have_value("review", timeout=SLOW)
    page.get_by_label("Date of the meeting").fill("2026-11-12")
    page.get_by_label("How it went: Pick Kayla up from school on Tuesdays").select_option("done")
    page.get_by_label("How it went: Text Nan when Kayla is home by 10pm").select_option("done")
    page.get_by_label("Note: Text Nan when Kayla is home by 10pm").fill("Home on time every night")
    page.context.set_offline(True)
    body = page.evaluate(
        "() => new URLSearchParams(new FormData(document.querySelector('form[data-offline]'))).toString()"
    )
    page.context.set_offline(False)
    statuses = page.evaluate(
        """async ([url, body]) => { const out = []; for (let i = 0; i < 2; i++) {
               const r = await fetch(url, {method: 'POST', body, headers: {'Content-Type': 'application/x-www-form-urlencoded'}});
               out.push([r.status, r.url]); } return out; }""",
        [f"{live_server}/cases/{case.id}/network/meetings", body],
    )
    assert [s for s, _ in statuses] == [200, 200] and statuses[0][1] == statuses[1][1]
    db.expire_all()
    assert db.exec(select(func.count()).select_from(NetworkMeeting).where(NetworkMeeting.kind == "review")).one() == 1
    assert sorted(t.status for t in db.exec(select(NetworkTask)).all()) == ["done", "done", "open", "open"]

    page.goto(statuses[0][1])
    expect(page.get_by_role("heading", name="Tasks from earlier meetings")).to_be_visible(timeout=SLOW)
    assert page.get_by_text("Home on time every night").is_visible()
    assert_accessible(page, "network-review-tablet")

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/cases/{case.id}/network")
    assert page.get_by_role("img", name="Network map for Kay").is_visible()
    assert_accessible(page, "network-map-phone")
    assert_touch_targets(page)
    page.goto(f"{live_server}/cases/{case.id}/network/meetings/new")
    assert_accessible(page, "network-meeting-form-phone")
    assert_touch_targets(page)
    page.set_viewport_size(TABLET)
    page.goto(f"{live_server}/cases/{case.id}/network")
    assert_accessible(page, "network-map-tablet")
