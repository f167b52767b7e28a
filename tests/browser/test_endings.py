"""A worker ends active work to dormant, finds the case in the dormant register, and picks it back
up when the young person calls: no referral, prompted tasks, the dormant period on the timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from app.endings.models import Ending, Reactivation
from app.timeutil import today
from tests.browser.conftest import PHONE, TABLET, assert_accessible, assert_touch_targets, log_in, open_case_parts
from tests.endings.factories import approve_waiting_ending, make_team_people
from tests.factories import make_case

pytestmark = pytest.mark.browser
SLOW = 20_000

REPLAY_TWICE = """async ([url, body]) => { const out = []; for (let i = 0; i < 2; i++) {
    const r = await fetch(url, {method: 'POST', body, headers: {'Content-Type': 'application/x-www-form-urlencoded'}});
    out.push([r.status, r.url]); } return out; }"""


def offline_body(page, selector: str) -> str:
    """The form as the outbox would queue it, serialised while the browser has no connection."""
    page.context.set_offline(True)
    body = page.evaluate(f"() => new URLSearchParams(new FormData(document.querySelector('{selector}'))).toString()")
    page.context.set_offline(False)
    return body


def test_worker_ends_to_dormant_then_reactivates_when_the_young_person_calls(page, live_server, db):
    page.set_default_timeout(SLOW)
    people = make_team_people(db)
    worker = people.worker
    case = make_case(db, worker=worker, status="active", young_person_name="Kayla Morgan")
    make_case(db, worker=worker, status="active", young_person_name="Tyler Brooks")
    db.commit()
    log_in(page, live_server, worker.email)
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible(timeout=SLOW)
    expect(page.locator(".caseload-counts")).to_have_text("2 active · 0 dormant")

    page.goto(f"{live_server}/cases/{case.id}")
    open_case_parts(page)
    assert_accessible(page, "endings-case-active-tablet")
    page.get_by_role("link", name="End active work").click()
    expect(page.get_by_role("heading", name="End active work")).to_be_visible(timeout=SLOW)
    page.get_by_label("Goal 1", exact=True).fill("Kayla back at school every day")
    page.get_by_label("How goal 1 went").select_option("met")
    page.get_by_label("Evidence for goal 1").fill("96% attendance this half-term")
    page.get_by_label("Date the family agreed the timing").fill((today() - timedelta(days=5)).isoformat())
    page.get_by_label("How the timing was negotiated").fill("At home with Kayla and Donna; they chose the date")
    page.get_by_label("Taper (optional)").fill("Fortnightly for the last month")
    page.get_by_label("Sustainability plan").fill("Donna calls Nan when rows start; Kayla texts Amy")
    page.get_by_label("Named contact for the family").fill("Amy Worker, 0151 496 0000")
    page.get_by_label("Closing summary for the family").fill("You have done this together.")
    page.get_by_label("The young person's views").fill("Ready, and knows she can ring")
    page.get_by_label("Outcome summary").fill("At home, in school")
    page.get_by_label("Becomes dormant", exact=False).check()
    assert_accessible(page, "endings-end-form-tablet")
    # Filled in at the kitchen table with no signal; the outbox replays it twice on reconnecting.
    body = offline_body(page, "form[data-offline]")
    statuses = page.evaluate(REPLAY_TWICE, [f"{live_server}/cases/{case.id}/end", body])
    assert [s for s, _ in statuses] == [200, 200]
    db.expire_all()
    assert db.exec(select(func.count()).select_from(Ending)).one() == 1
    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.locator("#needs-doing").get_by_role("link", name="Ending awaiting approval")).to_be_visible(
        timeout=SLOW
    )
    approve_waiting_ending(db, people.supervisor)  # the supervisor approves it from the queue

    page.goto(f"{live_server}/")
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible(timeout=SLOW)
    expect(page.locator(".caseload-counts")).to_have_text("1 active · 1 dormant")
    page.get_by_role("link", name="Dormant register").click()
    expect(page.get_by_role("heading", name="Dormant register")).to_be_visible(timeout=SLOW)
    row = page.get_by_role("row", name="Kayla Morgan", exact=False)
    expect(row).to_contain_text("Amy Worker")
    assert_accessible(page, "endings-register-tablet")

    # Later Kayla rings her worker: the same worker picks the case straight back up.
    row.get_by_role("link", name="Kayla Morgan").click()
    page.get_by_role("link", name="Reactivate").click()
    expect(page.get_by_role("heading", name="Reactivate")).to_be_visible(timeout=SLOW)
    page.get_by_label("Who asked").select_option("young_person")
    page.get_by_label("What has changed").fill("Kayla rang: rows at home again and she wants to talk")
    page.get_by_label("Urgency").select_option("soon")
    assert_accessible(page, "endings-reactivate-tablet")
    body = offline_body(page, "form[data-offline]")
    page.get_by_role("button", name="Reactivate").click()
    expect(page.get_by_role("heading", name="Kayla Morgan")).to_be_visible(timeout=SLOW)
    replay = page.evaluate(REPLAY_TWICE, [f"{live_server}/cases/{case.id}/reactivate", body])
    assert [s for s, _ in replay] == [200, 200]
    db.expire_all()
    assert db.exec(select(func.count()).select_from(Reactivation)).one() == 1

    page.goto(f"{live_server}/cases/{case.id}")
    open_case_parts(page)
    section = page.locator("#endings")
    expect(section).to_contain_text("Update the Signs of Safety map or the BASE risk assessment")
    expect(section).to_contain_text("Do a Diamond rating")
    expect(page.get_by_text("Dormant period").first).to_be_visible()
    expect(page.get_by_text("days dormant, then reactivated").first).to_be_visible()
    assert page.get_by_role("link", name="Reactivate").count() == 0
    assert_accessible(page, "endings-case-reactivated-tablet")

    page.set_viewport_size(PHONE)
    for path, name in ((f"/cases/{case.id}", "case"), (f"/cases/{case.id}/end", "end-form"), ("/dormant", "register")):
        page.goto(f"{live_server}{path}")
        assert_accessible(page, f"endings-{name}-phone")
        assert_touch_targets(page)
    page.set_viewport_size(TABLET)


def test_supervisor_sees_figures_and_dormant_review_pages_accessible(page, live_server, db):
    page.set_default_timeout(SLOW)
    from app.endings import service
    from tests.cases.factories import actor_for
    from tests.endings.factories import full_ending

    people = make_team_people(db)
    dormant = make_case(db, worker=people.worker, status="active", young_person_name="Sophie Turner")
    service.end_active_work(session=db, case=dormant, by=actor_for(people.worker), data=full_ending())
    closed = make_case(db, worker=people.worker, status="active", young_person_name="Ellie Shaw")
    service.end_active_work(
        session=db,
        case=closed,
        by=actor_for(people.worker),
        data=full_ending(outcome="closed", closure_reason="moved_away"),
    )
    db.commit()
    log_in(page, live_server, people.supervisor.email)
    expect(page.get_by_role("link", name="Dormant register")).to_be_visible(timeout=SLOW)
    page.goto(f"{live_server}/endings/figures")
    expect(page.get_by_role("heading", name="Endings figures")).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("row", name="Moved away", exact=False)).to_contain_text("1")
    assert_accessible(page, "endings-figures-tablet")
    page.goto(f"{live_server}/cases/{dormant.id}/dormant-review")
    assert_accessible(page, "endings-dormant-review-tablet")
    page.goto(f"{live_server}/cases/{closed.id}/reopen")
    assert_accessible(page, "endings-reopen-tablet")
    page.set_viewport_size(PHONE)
    for path, name in (
        ("/endings/figures", "figures"),
        (f"/cases/{dormant.id}/dormant-review", "dormant-review"),
        (f"/cases/{dormant.id}/reactivate", "reactivate"),
    ):
        page.goto(f"{live_server}{path}")
        assert_accessible(page, f"endings-{name}-phone")
        assert_touch_targets(page)
