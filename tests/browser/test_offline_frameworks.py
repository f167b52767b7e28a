"""The frameworks' forms work without a signal too: kept in the outbox, synced exactly once.

The cases forms have their own acceptance tests (test_offline_visit.py); these drive a Signs of
Safety map item and a worker's Diamond rating through the same outbox and ledger.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from app.diamond.models import DiamondRating
from app.signs_of_safety.models import MapItem
from tests.browser.conftest import log_in
from tests.browser.offline_support import assert_sent, put_back, status, stored, wait_for_service_worker
from tests.factories import make_case, make_user

pytestmark = pytest.mark.browser


def _count(db, model, **where) -> int:
    db.expire_all()
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.exec(query).one()


def _save_offline(page, context, button: str) -> list[dict]:
    context.set_offline(True)
    page.get_by_role("button", name=button).click()
    expect(page.get_by_text("Saved on this device — will sync when online")).to_be_visible()
    expect(status(page)).to_have_text("1 waiting")
    return stored(page)


def _sync_and_replay(page, context, ops) -> None:
    context.set_offline(False)
    expect(status(page)).to_have_text("Online", timeout=15000)
    put_back(page, ops)  # the same item sent again, as after an answer lost on the way back
    page.evaluate("window.HomewardOffline.sync()")
    expect(status(page)).to_have_text("Online", timeout=15000)
    assert_sent(page)


def test_a_map_strength_recorded_without_a_signal_is_added_once(page, context, live_server, db):
    worker = make_user(db, email="sam@example.org", full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    db.commit()
    log_in(page, live_server, worker.email, to=f"/cases/{case.id}/signs-of-safety/items/new?category=strength")
    wait_for_service_worker(page)
    page.locator("#text").fill("Kayla and her Gran talk every day.")
    ops = _save_offline(page, context, "Save")
    # The form is ready for the next item; what was saved is listed on the page until it syncs.
    waiting = page.locator("[data-waiting-here]")
    expect(waiting).to_contain_text("waiting to sync (1)")
    expect(waiting).to_contain_text("Kayla and her Gran talk every day.")
    # What waits on the device is sealed to Homeward's key: the words are not readable in storage.
    assert ops[0]["sealed"]["data"] and "fields" not in ops[0]
    assert "Gran" not in str(ops)
    assert _count(db, MapItem, text="Kayla and her Gran talk every day.") == 0
    _sync_and_replay(page, context, ops)
    expect(waiting).to_have_count(0)
    assert _count(db, MapItem, text="Kayla and her Gran talk every day.") == 1


def test_a_worker_diamond_rating_recorded_without_a_signal_is_added_once(page, context, live_server, db):
    worker = make_user(db, email="sam@example.org", full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    db.commit()
    log_in(page, live_server, worker.email, to=f"/cases/{case.id}/diamond/rate")
    wait_for_service_worker(page)
    for aim, score in (("wellbeing", 5), ("learning", 6), ("relationships", 4), ("empowerment", 7)):
        page.locator(f"label[for={aim}-{score}]").click()
    ops = _save_offline(page, context, "Save my rating")
    assert _count(db, DiamondRating, case_id=case.id) == 0
    _sync_and_replay(page, context, ops)
    assert _count(db, DiamondRating, case_id=case.id) == 4


def test_remove_from_device_shows_only_once_the_case_is_kept(page, live_server, db):
    worker = make_user(db, email="sam@example.org", full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    db.commit()
    log_in(page, live_server, worker.email, to=f"/cases/{case.id}")
    wait_for_service_worker(page)
    expect(page.get_by_text("Not kept on this device.")).to_be_visible()
    expect(page.get_by_role("button", name="Remove from device")).to_be_hidden()
    page.get_by_role("button", name="Take offline").click()
    expect(page.get_by_text("Kept on this device since")).to_be_visible(timeout=15000)
    expect(page.get_by_role("button", name="Remove from device")).to_be_visible()
