"""The pages no other browser test puts through axe (an audit of every GET page against the browser
tests, December 2026): each is opened as the person who uses it and checked at a tablet held upright
and at a phone's size (axe-core, no sideways scrolling, targets at least 44 px; 48 px on the family
screens).
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.cases.models import Consent, new_id
from app.diamond.models import DiamondGoal
from app.network.models import NetworkMeeting
from app.signs_of_safety import service as sos
from tests.browser.conftest import assert_at_sizes, log_in, switch_user
from tests.factories import make_user
from tests.family.factories import PIN, with_pin, young_person
from tests.network.factories import make_family_case, meeting_form
from tests.signs_of_safety.factories import add_item

pytestmark = pytest.mark.browser

SIZES = {"upright-tablet": {"width": 800, "height": 1280}, "phone": {"width": 390, "height": 844}}


def _post(page, live_server: str, path: str, form: dict) -> None:
    """A form sent as the page would send it, to set a record up."""
    response = page.request.post(f"{live_server}{path}", form=form, headers={"Origin": live_server}, max_redirects=0)
    assert response.status == 303, (path, response.status, response.text()[:300])


def _check(page, live_server: str, path: str, name: str, minimum: int = 44) -> None:
    response = page.goto(f"{live_server}{path}")
    assert response.status == 200, (path, response.status)
    assert_at_sizes(page, f"axe-{name}", SIZES, minimum)


def test_the_workers_remaining_pages_pass_axe_at_both_sizes(page, live_server, db):
    worker, case, people = make_family_case(db, worker=with_pin(make_user(db, email="sam@example.org"), db))
    consent = db.exec(select(Consent).where(Consent.case_id == case.id)).one()
    item = add_item(db, case=case, by=worker, text="Kay stayed out all night on 3 March.")
    sos.submit(session=db, map_version=sos.latest_version(session=db, case=case), by=worker)
    db.commit()
    log_in(page, live_server, "sam@example.org", to=f"/cases/{case.id}")
    base = f"/cases/{case.id}"
    _post(page, live_server, f"{base}/network/meetings", meeting_form(people))
    meeting = db.exec(select(NetworkMeeting).where(NetworkMeeting.case_id == case.id)).one()
    story = f"{base}/signs-of-safety/words-and-pictures"
    _post(page, live_server, f"{story}/panels", {"id": new_id(), "base_version": "0", "text": "Mum and Kay at home."})
    _post(
        page,
        live_server,
        f"{story}/shares",
        {"id": new_id(), "base_version": "1", "person": people["Donna"].id, "shared_on": "2026-10-02"},
    )

    for path, name in (
        (f"{base}/status", "case-status"),
        (f"{base}/step", "case-step"),
        (f"{base}/people/{people['Donna'].id}/edit", "person-edit"),
        (f"{base}/consent/{consent.id}/withdraw", "consent-withdraw"),
        (f"{base}/signs-of-safety/items/{item.item_key}/edit", "sos-item-edit"),
        (f"{base}/signs-of-safety/versions/1", "sos-version"),
        (f"{base}/signs-of-safety/print", "sos-print"),
        (f"{story}/versions/1", "words-and-pictures-version"),
        (f"{base}/network/meetings/{meeting.id}/edit", "meeting-edit"),
    ):
        _check(page, live_server, path, name)


def test_the_managers_and_administrators_remaining_pages_pass_axe_at_both_sizes(page, live_server, db):
    worker, case, _ = make_family_case(db)
    make_user(db, email="morag@example.org", role="manager", full_name="Morag Bell")
    make_user(db, email="ade@example.org", role="admin", full_name="Ade Okoro")
    db.commit()
    log_in(page, live_server, "morag@example.org", to=f"/cases/{case.id}/subject-access")
    for path, name in (
        (f"/cases/{case.id}/subject-access", "subject-access-choose"),
        ("/outcomes/care-status", "care-status-import"),
        ("/audit", "audit-search"),
    ):
        _check(page, live_server, path, name)
    switch_user(page, live_server, "ade@example.org")
    _check(page, live_server, "/admin/languages", "admin-languages")


def test_a_goal_screen_on_the_family_screens_passes_axe_at_both_sizes(page, live_server, db):
    worker, case, _ = make_family_case(db, worker=with_pin(make_user(db, email="sam@example.org"), db))
    kay = young_person(db, case)
    goal = DiamondGoal(
        case_id=case.id,
        title="Go to college three days a week",
        chosen_by_person_id=kay.id,
        created_by_user_id=worker.id,
    )
    db.add(goal)
    db.commit()
    log_in(page, live_server, "sam@example.org", to=f"/cases/{case.id}/hand-to-family")
    page.get_by_label("Kayla Morgan").check()
    page.get_by_label("Worker PIN").fill(PIN)
    page.get_by_role("button", name="Hand to family").click()
    page.wait_for_url(f"**/family/{case.id}/{kay.id}")
    _check(page, live_server, f"/family/{case.id}/{kay.id}/goal/{goal.id}", "family-goal", minimum=48)
