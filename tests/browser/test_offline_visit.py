"""Issue 4's acceptance tests: a home visit without a signal, on the real case, people and contact
forms, in Chromium against the real server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from app.cases.models import Contact, Person
from app.sync.models import SyncConflict
from tests.browser.conftest import PHONE, TABLET, assert_accessible, log_in, open_case_parts
from tests.browser.offline_support import Flaky, assert_sent, put_back, status, stored, take_offline
from tests.cases.factories import make_person
from tests.factories import login as login_client
from tests.factories import make_case, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def app(app):
    """The test process's app for these settings (tests/conftest.py), behind a failing-server wrapper."""
    return Flaky(app)


@pytest.fixture
def visit(db):
    """A worker with Kayla's case (her mother Donna on it) and a second case."""
    worker = make_user(db, email="sam@example.org", full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    donna = make_person(db, case, name="Donna Morgan", relationship="Mother", phone="07700 900001")
    other = make_case(db, worker=worker, young_person_name="Tyler Brooks")
    db.commit()
    return worker, case, donna, other


def _contacts(db, case) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(Contact).where(Contact.case_id == case.id)).one()


def _record_contact_offline(page, note, *, waiting, seen_alone=False):
    page.get_by_label("Short note").fill(note)
    if seen_alone:
        page.get_by_label("Young person seen alone").check()
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("Saved on this device — will sync when online")).to_be_visible()
    expect(status(page)).to_have_text(f"{waiting} waiting")  # kept, and the form cleared for the next


def test_case_taken_offline_opens_with_its_people_and_forms_and_other_cases_show_the_offline_page(
    page, context, live_server, db, visit
):
    worker, case, donna, other = visit
    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)
    assert_accessible(page, "case-taken-offline")

    failed = []
    # A request cut short by the next navigation (net::ERR_ABORTED: the tab's icon loads late) is
    # not a file missing offline; every other failure is.
    page.on(
        "requestfailed",
        lambda request: None if "ERR_ABORTED" in (request.failure or "") else failed.append(request.url),
    )
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Kayla Morgan")).to_be_visible()
    open_case_parts(page)
    expect(page.get_by_text("Donna Morgan").first).to_be_visible()
    page.get_by_role("link", name="Record a contact").click()
    expect(page.get_by_role("heading", name="Record a contact")).to_be_visible()
    page.goto(f"{live_server}/cases/{case.id}/people/{donna.id}/edit")
    expect(page.get_by_role("heading", name="Edit Donna Morgan")).to_be_visible()
    assert [url for url in failed if "/static/" in url] == []  # every script, stylesheet and icon was kept

    page.goto(f"{live_server}/cases/{other.id}")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    expect(status(page)).to_have_text("Offline")
    assert_accessible(page, "offline-page")
    page.goto(f"{live_server}/outbox")
    expect(page.get_by_role("link", name="Kayla Morgan")).to_be_visible()
    assert_accessible(page, "outbox-offline-cases")


def test_two_contacts_recorded_offline_sync_exactly_once_and_a_replay_changes_nothing(
    page, context, live_server, db, visit
):
    worker, case, _, _ = visit
    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)
    context.set_offline(True)
    page.goto(f"{live_server}/cases/{case.id}/contacts/new")
    _record_contact_offline(page, "Talked about school.", waiting=1)
    _record_contact_offline(page, "Called back about the meeting.", waiting=2)
    expect(status(page)).to_have_text("2 waiting")
    ops = stored(page)
    assert len({op["id"] for op in ops}) == 2 and _contacts(db, case) == 0

    context.set_offline(False)
    expect(status(page)).to_have_text("Online", timeout=15000)
    assert _contacts(db, case) == 2
    # Each contact's id is the operation id the tablet made.
    assert {c.id for c in db.exec(select(Contact)).all()} == {op["id"] for op in ops}

    put_back(page, ops)  # the same operations sent again, as after a lost answer
    page.evaluate("window.HomewardOffline.sync()")
    expect(status(page)).to_have_text("Online", timeout=15000)
    assert_sent(page)
    assert _contacts(db, case) == 2


def test_server_failing_in_the_middle_of_a_sync_loses_nothing_and_duplicates_nothing(
    page, context, live_server, db, visit, app
):
    worker, case, _, _ = visit
    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)
    context.set_offline(True)
    page.goto(f"{live_server}/cases/{case.id}/contacts/new")
    for waiting, note in enumerate(("First visit.", "Second visit.", "Third visit."), start=1):
        _record_contact_offline(page, note, waiting=waiting)
    expect(status(page)).to_have_text("3 waiting")

    app.skip, app.lose = 1, 1  # the first goes through; the second is applied but its answer lost
    context.set_offline(False)
    expect(status(page)).to_have_text("2 waiting", timeout=15000)
    assert _contacts(db, case) == 2

    page.evaluate("window.HomewardOffline.sync()")  # Homeward has recovered
    expect(status(page)).to_have_text("Online", timeout=15000)
    assert sorted(c.note for c in db.exec(select(Contact)).all()) == ["First visit.", "Second visit.", "Third visit."]


def test_a_detail_changed_offline_and_online_is_a_conflict_for_that_detail_only_settled_keeping_both(
    page, context, live_server, db, client, settings, visit
):
    worker, case, donna, _ = visit
    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)
    context.set_offline(True)
    page.goto(f"{live_server}/cases/{case.id}/people/{donna.id}/edit")
    page.get_by_label("Phone").fill("07700 900999")
    page.get_by_label("Email").fill("donna@example.org")
    page.get_by_role("button", name="Save changes").click()
    expect(status(page)).to_have_text("1 waiting")

    # Meanwhile the supervisor changes Donna's phone and address in the office.
    supervisor = make_user(db, role="supervisor", team_id=worker.team_id)
    login_client(client, db, supervisor, settings)
    office = {
        "base_version": "1",
        "name": "Donna Morgan",
        "relationship": "Mother",
        "in_household": "1",
        "phone": "07700 900555",
        "address": "4 Elm Row",
    }
    assert client.post(f"/cases/{case.id}/people/{donna.id}", data=office).status_code == 303

    context.set_offline(False)
    expect(status(page)).to_have_text("1 need attention", timeout=15000)
    db.expire_all()
    donna_now = db.get(Person, donna.id)
    # The email (changed only here) and the address (changed only there) are both saved; the phone waits.
    assert (donna_now.phone, donna_now.email, donna_now.address) == ("07700 900555", "donna@example.org", "4 Elm Row")

    page.get_by_role("link", name="Outbox").click()
    expect(page.get_by_text("Changed on Homeward as well: choose what to keep.")).to_be_visible()
    assert_accessible(page, "outbox-conflict")
    page.get_by_role("link", name="Settle the conflict").click()
    expect(page.get_by_role("heading", name="Conflict: Donna Morgan")).to_be_visible()
    expect(page.get_by_role("group")).to_have_count(1)  # the phone only
    expect(page.get_by_role("group", name="Phone")).to_contain_text("Before: 07700 900001")
    expect(page.get_by_label("Keep yours: 07700 900999")).not_to_be_checked()
    expect(page.get_by_label("Keep Homeward's: 07700 900555")).not_to_be_checked()
    # Each choice shows its own radio button: the family screens' big-row style (which hides it
    # and draws a mark) once applied here too, and nothing showed which was chosen.
    for choice in ("Keep yours: 07700 900999", "Keep Homeward's: 07700 900555"):
        radio = page.get_by_label(choice)
        assert radio.evaluate("el => getComputedStyle(el).opacity") == "1"
        assert radio.bounding_box()["width"] < 60  # a radio button, not stretched over its row
    assert_accessible(page, "conflict")
    page.set_viewport_size(PHONE)
    assert_accessible(page, "conflict-phone")
    page.set_viewport_size(TABLET)
    other_tab = context.new_page()
    other_tab.goto(f"{live_server}/outbox")
    expect(status(other_tab)).to_have_text("1 need attention")
    page.get_by_label("Keep yours: 07700 900999").check()
    page.get_by_role("button", name="Save my choices").click()
    page.wait_for_url(f"{live_server}/cases/{case.id}#people")
    # Settling it here tells the other tab's header at once (not at its next sync, a minute on).
    expect(status(other_tab)).to_have_text("Online", timeout=3000)
    other_tab.close()

    db.expire_all()
    now = db.get(Person, donna.id)
    assert (now.phone, now.email, now.address) == ("07700 900999", "donna@example.org", "4 Elm Row")
    conflict = db.exec(select(SyncConflict)).one()
    page.goto(f"{live_server}/conflicts/{conflict.op_id}")
    expect(page.get_by_text("Both versions are kept here as history.")).to_be_visible()
    expect(page.get_by_role("cell", name="07700 900555")).to_be_visible()  # the office's phone, kept in history
    expect(status(page)).to_have_text("Online")
    assert_accessible(page, "conflict-settled")


def test_offline_edits_of_different_details_in_sequence_and_in_two_tabs_are_all_stored(
    page, context, live_server, db, visit
):
    worker, case, donna, _ = visit
    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)
    context.set_offline(True)
    edit = f"{live_server}/cases/{case.id}/people/{donna.id}/edit"
    page.goto(edit)
    other_tab = context.new_page()
    other_tab.goto(edit)
    page.get_by_label("Phone").fill("07700 900999")
    page.get_by_role("button", name="Save changes").click()
    expect(status(page)).to_have_text("1 waiting")
    page.get_by_label("Email").fill("donna@example.org")  # then another detail, from the same page
    page.get_by_role("button", name="Save changes").click()
    expect(status(page)).to_have_text("2 waiting")
    other_tab.get_by_label("Address").fill("4 Elm Row")  # and one from a second tab, opened before
    other_tab.get_by_role("button", name="Save changes").click()
    expect(status(other_tab)).to_have_text("3 waiting")
    expect(status(page)).to_have_text("3 waiting")  # the first tab's header follows, unreloaded
    other_tab.close()

    context.set_offline(False)
    expect(status(page)).to_have_text("Online", timeout=15000)
    db.expire_all()
    now = db.get(Person, donna.id)
    assert (now.phone, now.email, now.address, now.name) == (
        "07700 900999",
        "donna@example.org",
        "4 Elm Row",
        "Donna Morgan",
    )
    assert db.exec(select(func.count()).select_from(SyncConflict)).one() == 0


def test_two_edits_of_one_person_made_offline_follow_on_instead_of_conflicting(page, context, live_server, db, visit):
    worker, case, donna, _ = visit
    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)
    context.set_offline(True)
    page.goto(f"{live_server}/cases/{case.id}/people/{donna.id}/edit")
    page.get_by_label("Phone").fill("07700 900998")
    page.get_by_role("button", name="Save changes").click()
    expect(status(page)).to_have_text("1 waiting")
    page.get_by_label("Phone").fill("07700 900999")  # a correction, from the same page
    page.get_by_role("button", name="Save changes").click()
    expect(status(page)).to_have_text("2 waiting")
    context.set_offline(False)
    expect(status(page)).to_have_text("Online", timeout=15000)
    db.expire_all()
    assert (db.get(Person, donna.id).version, db.get(Person, donna.id).phone) == (3, "07700 900999")
    assert db.exec(select(func.count()).select_from(SyncConflict)).one() == 0


def test_refused_contact_is_set_aside_with_its_message_and_does_not_block_the_next(
    page, context, live_server, db, visit
):
    worker, case, _, _ = visit
    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)
    context.set_offline(True)
    page.goto(f"{live_server}/cases/{case.id}/contacts/new")
    _record_contact_offline(page, "Seen alone, but not ticked as seen.", waiting=1, seen_alone=True)
    _record_contact_offline(page, "A good visit.", waiting=2)

    context.set_offline(False)
    expect(status(page)).to_have_text("1 need attention", timeout=15000)
    assert [c.note for c in db.exec(select(Contact)).all()] == ["A good visit."]

    page.get_by_role("link", name="Outbox").click()
    expect(page.get_by_text("The young person can only be seen alone if they were seen.")).to_be_visible()
    assert_accessible(page, "outbox-quarantined")
    page.get_by_role("link", name="Edit and retry").click()
    expect(page.get_by_text("This was not saved")).to_be_visible()
    expect(page.get_by_label("Short note")).to_have_value("Seen alone, but not ticked as seen.")
    page.get_by_label("Young person seen", exact=True).check()
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url(f"{live_server}/cases/{case.id}#timeline")
    assert _contacts(db, case) == 2
    expect(status(page)).to_have_text("Online")


def _an_item_whose_id_went_to_another_form(page, context, live_server, visit):
    """A contact kept offline whose id this worker's device had already sent with a call to
    Tyler's case: back online, Homeward refuses it ("need attention"). The worker and Kayla's case."""
    from app.timeutil import today

    worker, case, _, other = visit
    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)
    context.set_offline(True)
    page.goto(f"{live_server}/cases/{case.id}/contacts/new")
    _record_contact_offline(page, "Kayla showed me her college offer.", waiting=1)
    (item,) = stored(page)
    # The same id, already sent by this worker to Tyler's case (Playwright's requests ignore the
    # browser's offline switch).
    first = page.request.post(
        f"{live_server}/cases/{other.id}/contacts",
        form={"kind": "phone", "outcome": "attended", "occurred_on": today().isoformat(), "note": "Tyler rang."},
        headers={"Origin": live_server, "Idempotency-Key": item["id"]},
        max_redirects=0,
    )
    assert first.status == 303
    context.set_offline(False)
    expect(status(page)).to_have_text("1 need attention", timeout=15000)
    return worker, case


def _saved_once_each(db, visit) -> None:
    db.expire_all()
    _, case, _, other = visit
    notes = sorted((c.case_id, c.note) for c in db.exec(select(Contact)).all())
    assert notes == sorted([(other.id, "Tyler rang."), (case.id, "Kayla showed me her college offer.")])


def test_an_item_whose_id_went_to_another_form_is_saved_by_edit_and_retry_under_an_id_of_its_own(
    page, context, live_server, db, visit
):
    """A device reused an item's id for another form: Homeward refuses the item rather than answer
    the other form's "saved". Sent again under that id it would be refused for ever (until
    December 2026 the worker had to discard it and type it again); Edit and retry saves it once,
    under a new id, and the refused item goes."""
    _, case = _an_item_whose_id_went_to_another_form(page, context, live_server, visit)
    page.get_by_role("link", name="Outbox").click()
    expect(page.get_by_text("Edit and retry saves it as a new item.")).to_be_visible()
    page.get_by_role("link", name="Edit and retry").click()
    expect(page.get_by_label("Short note")).to_have_value("Kayla showed me her college offer.")
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url(f"{live_server}/cases/{case.id}#timeline")
    expect(status(page)).to_have_text("Online")
    assert stored(page) == []
    _saved_once_each(db, visit)


def test_an_item_edited_and_retried_under_an_id_of_its_own_and_refused_again_is_saved_once_and_goes(
    page, context, live_server, db, visit
):
    """As above, but the corrected item is refused in its turn (a date in the future): the page
    shows the error beside the date, and once it is put right the item is saved and the refused
    one leaves the Outbox. Until December 2026 the refused one stayed "need attention" after the
    corrected one was saved, and a second Edit and retry saved the contact twice."""
    from datetime import timedelta

    from app.timeutil import today

    _, case = _an_item_whose_id_went_to_another_form(page, context, live_server, visit)
    # Looks it too (its own colour and mark), not like "Online": until December 2026 it did not.
    expect(status(page)).to_have_attribute("data-state", "attention")
    page.get_by_role("link", name="Outbox").click()
    page.get_by_role("link", name="Edit and retry").click()
    expect(page.get_by_label("Short note")).to_have_value("Kayla showed me her college offer.")
    page.get_by_label("Date").fill((today() + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Save contact").click()
    expect(page.locator("#occurred_on-error")).to_contain_text("is in the future")
    page.get_by_label("Date").fill(today().isoformat())
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url(f"{live_server}/cases/{case.id}#timeline")
    expect(status(page)).to_have_text("Online")
    expect(status(page)).to_have_attribute("data-state", "online")
    assert stored(page) == []
    _saved_once_each(db, visit)


def test_logout_clears_cached_case_pages_and_stores_but_keeps_the_outbox(page, context, live_server, db, visit, app):
    worker, case, _, _ = visit
    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)
    context.set_offline(True)
    page.goto(f"{live_server}/cases/{case.id}/contacts/new")
    _record_contact_offline(page, "Waiting when I log out.", waiting=1)
    app.refuse = True  # Homeward is failing, so the item cannot be sent before logging out
    context.set_offline(False)
    answers = []

    def answer(dialog):
        answers.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server}/login")
    assert answers == [
        "1 waiting to sync. Sync now, before logging out?",
        "1 still waiting. Log out anyway? They stay on this device and are sent when you log in again.",
    ]
    assert page.evaluate("caches.has('homeward-pages')") is False
    assert stored(page, "cases") == []
    # The item stays on the device for the next login, sealed: its words are not readable there.
    kept = stored(page)
    assert len(kept) == 1 and kept[0]["sealed"]["kid"] and "fields" not in kept[0]
    assert "Waiting when I log out." not in str(kept)

    # A colleague logging in on this tablet does not send (or see counted) Sam's item.
    app.refuse = False
    colleague = make_user(db, email="priya@example.org", team_id=worker.team_id)
    db.commit()
    log_in(page, live_server, colleague.email)
    expect(status(page)).to_have_text("Online")
    page.evaluate("window.HomewardOffline.sync()")
    assert _contacts(db, case) == 0 and len(stored(page)) == 1
    # Sam logs back in: the item is sent.
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server}/login")
    log_in(page, live_server, worker.email)
    page.evaluate("window.HomewardOffline.sync()")  # waits for the sync the page started
    expect(status(page)).to_have_text("Online")
    assert _contacts(db, case) == 1 and stored(page) == []
