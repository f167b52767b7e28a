"""A shared tablet: a second worker logging in sees none of the first one's kept pages and never sends their items."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.cases.models import Contact
from tests.browser.conftest import log_in
from tests.browser.offline_support import status, stored, take_offline, wait_for_service_worker
from tests.factories import make_case, make_user

pytestmark = pytest.mark.browser


def test_a_second_worker_on_the_tablet_cannot_open_the_first_ones_pages_or_send_their_items(
    page, context, live_server, db
):
    sam = make_user(db, email="sam@example.org", full_name="Sam Okafor")
    # The colleague co-works the case, so only attribution (not permission) can stop their session sending Sam's item.
    priya = make_user(db, email="priya@example.org", full_name="Priya Shah", team_id=sam.team_id)
    case = make_case(db, worker=sam, co_worker=priya, young_person_name="Kayla Morgan")
    db.commit()

    log_in(page, live_server, sam.email)
    take_offline(page, live_server, case.id)
    page.goto(f"{live_server}/cases/{case.id}/contacts/new")
    context.set_offline(True)
    page.get_by_label("Note").fill("Kayla talked about school.")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("Saved on this device — will sync when online")).to_be_visible()

    # Sam's session ends on the tablet (not a logout: the device was not cleared); Priya logs in.
    context.clear_cookies()
    context.set_offline(False)
    log_in(page, live_server, priya.email)
    wait_for_service_worker(page)
    expect(status(page)).to_have_text("Online")
    page.evaluate("window.HomewardOffline.sync()")
    sams_item = [op for op in stored(page) if op["user_id"] == str(sam.id)]
    assert len(sams_item) == 1 and sams_item[0]["status"] == "waiting"
    assert stored(page, "cases") == []

    # Offline, the kept page of Sam's case does not open for Priya.
    context.set_offline(True)
    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.get_by_role("heading", name="Kayla Morgan")).to_have_count(0)
    context.set_offline(False)

    # Even sent by hand from Priya's session, the server keeps Sam's item unapplied.
    answer = page.evaluate(
        """(op) => fetch("/sync/sealed", {method: "POST", headers: {"Content-Type": "application/json", "Accept": "application/json"},
             body: JSON.stringify({id: op.id, target: op.target, method: op.method, user_id: op.user_id, sealed: op.sealed})})
             .then(r => r.json().then(d => [r.status, d.detail]))""",
        sams_item[0],
    )
    assert answer == [401, "This item was saved by another worker on this device. Log in as its author to send it."]
    db.expire_all()
    assert db.exec(select(Contact).where(Contact.case_id == case.id)).all() == []

    context.clear_cookies()
    log_in(page, live_server, sam.email)
    page.evaluate("window.HomewardOffline.sync()")
    expect(status(page)).to_have_text("Online")
    db.expire_all()
    contacts = db.exec(select(Contact).where(Contact.case_id == case.id)).all()
    assert [(c.note, c.by_user_id) for c in contacts] == [("Kayla talked about school.", sam.id)]
