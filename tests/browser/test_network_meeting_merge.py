"""A meeting record corrected twice offline from the page kept on the device, while the office
changes it too: both corrections apply, nothing the office changed is put back, and the one detail
changed on both sides waits on the common conflict page (app/sync merge_edit, docs/offline.md)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from app.network.models import NetworkMeeting, NetworkTask
from app.sync.models import SyncConflict
from tests.browser.conftest import PHONE, TABLET, assert_accessible, log_in
from tests.browser.offline_support import status, take_offline
from tests.factories import login as login_client
from tests.factories import make_user
from tests.network.factories import make_family_case, meeting_form
from tests.sync.shown_form import kept_form, post_from

pytestmark = pytest.mark.browser

SLOW = 20_000


def _save_offline(page, *, waiting: int) -> None:
    page.get_by_role("button", name="Save meeting").click()
    expect(page.get_by_text("Saved on this device — will sync when online")).to_be_visible()
    expect(status(page)).to_have_text(f"{waiting} waiting")


def test_two_offline_corrections_of_a_meeting_both_apply_and_a_clash_waits_alone(
    page, context, live_server, db, client, settings
):
    worker, case, people = make_family_case(db)
    db.commit()
    login_client(client, db, worker, settings)
    data = meeting_form(people)
    url = client.post(f"/cases/{case.id}/network/meetings", data=data).headers["location"]

    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)
    context.set_offline(True)
    page.goto(f"{live_server}{url}/edit")
    page.locator("#venue").fill("Family centre")
    _save_offline(page, waiting=1)
    # A second correction from the same kept page: the chair, and the young person's views.
    page.locator("#chair").fill("Pat Morgan")
    page.locator("#young_person_views").fill("I want to stay at home and see Nan at weekends.")
    _save_offline(page, waiting=2)

    # Meanwhile, in the office: the worries and the young person's views on the meeting, and a
    # task marked partly done on the plan.
    supervisor = make_user(db, role="supervisor", team_id=worker.team_id)
    db.commit()
    login_client(client, db, supervisor, settings)
    office = kept_form(client, "meeting-form", f"{url}/edit")
    changes = {"worries": "Kayla was out late twice.", "young_person_views": "I want to live with Mum."}
    assert client.post(url, data=post_from(office, **changes)).status_code == 303
    share = data["task-2-id"]
    moved = client.post(
        f"/cases/{case.id}/network/tasks/{share}", data={"status": "partly", "note": "", "base_version": "1"}
    )
    assert moved.status_code == 303

    context.set_offline(False)
    expect(status(page)).to_have_text("1 need attention", timeout=SLOW)
    db.expire_all()
    meeting = db.get(NetworkMeeting, data["id"])
    assert (meeting.venue, meeting.chair, meeting.worries) == (
        "Family centre",
        "Pat Morgan",
        "Kayla was out late twice.",
    )
    assert meeting.young_person_views == "I want to live with Mum."  # changed on both sides: waits
    assert db.get(NetworkTask, share).status == "partly"  # not put back by the kept page
    assert db.exec(select(func.count()).select_from(NetworkTask).where(NetworkTask.meeting_id == meeting.id)).one() == 4

    page.get_by_role("link", name="Outbox").click()
    page.get_by_role("link", name="Settle the conflict").click()
    expect(page.get_by_role("group")).to_have_count(1)
    group = page.get_by_role("group", name="The young person's views")
    expect(group).to_contain_text("Before: I want to stay at home.")
    yours = page.get_by_label("Keep yours: I want to stay at home and see Nan at weekends.")
    expect(yours).not_to_be_checked()
    expect(page.get_by_label("Keep Homeward's: I want to live with Mum.")).not_to_be_checked()
    assert_accessible(page, "meeting-conflict")
    page.set_viewport_size(PHONE)
    assert_accessible(page, "meeting-conflict-phone")
    page.set_viewport_size(TABLET)
    yours.check()
    page.get_by_role("button", name="Save my choices").click()
    page.wait_for_url(f"{live_server}{url}")
    db.expire_all()
    meeting = db.get(NetworkMeeting, data["id"])
    assert meeting.young_person_views == "I want to stay at home and see Nan at weekends."
    assert (meeting.venue, meeting.worries) == ("Family centre", "Kayla was out late twice.")
    assert db.exec(select(SyncConflict)).one().resolved_at is not None
