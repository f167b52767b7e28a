"""Items saved offline for cases that moved on meanwhile land with the supervisor; nothing is applied silently."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from app.cases.models import Case, Contact
from tests.browser.conftest import assert_accessible, log_in
from tests.browser.offline_support import status, take_offline
from tests.factories import make_case, make_user

pytestmark = pytest.mark.browser


def test_items_for_a_reassigned_and_a_closed_case_go_to_the_supervisor_and_the_worker_sees_where(
    page, context, live_server, db
):
    sam = make_user(db, email="sam@example.org", full_name="Sam Okafor")
    make_user(db, email="helen@example.org", role="supervisor", full_name="Helen Marsh", team_id=sam.team_id)
    priya = make_user(db, email="priya@example.org", full_name="Priya Shah", team_id=sam.team_id)
    kayla = make_case(db, worker=sam, young_person_name="Kayla Morgan")
    tyler = make_case(db, worker=sam, young_person_name="Tyler Brooks")
    db.commit()

    log_in(page, live_server, sam.email)
    for case in (kayla, tyler):
        take_offline(page, live_server, case.id)
    context.set_offline(True)
    for case, note in ((kayla, "Kayla wants to try the youth club."), (tyler, "Tyler's last visit went well.")):
        page.goto(f"{live_server}/cases/{case.id}/contacts/new")
        page.get_by_label("Note").fill(note)
        page.get_by_role("button", name="Save contact").click()
        expect(page.get_by_text("Saved on this device — will sync when online")).to_be_visible()

    # Meanwhile, in the office: Kayla's case is given to Priya, Tyler's is closed.
    db.get(Case, kayla.id).key_worker_id = priya.id
    db.get(Case, tyler.id).status = "closed"
    db.commit()

    context.set_offline(False)
    expect(status(page)).to_have_text("2 need attention", timeout=15000)
    db.expire_all()
    assert db.exec(select(func.count()).select_from(Contact)).one() == 0
    page.get_by_role("link", name="Outbox").click()
    expect(page.get_by_text("It went to Helen Marsh (supervisor) as waiting for reassignment.")).to_be_visible()
    expect(page.get_by_text("this case was closed before this item arrived")).to_be_visible()

    context.clear_cookies()
    log_in(page, live_server, "helen@example.org", to="/review")
    page.get_by_role("link", name="Waiting for reassignment").click()
    expect(page.get_by_role("heading", name="Waiting for reassignment")).to_be_visible()
    expect(page.get_by_text("Kayla wants to try the youth club.")).to_be_visible()
    expect(page.get_by_text("Tyler's last visit went well.")).to_be_visible()
    expect(page.get_by_text("Case closed before it arrived")).to_be_visible()
    assert_accessible(page, "waiting-for-reassignment")
    db.expire_all()
    assert db.exec(select(func.count()).select_from(Contact)).one() == 0
