"""What a device is told of items it said it held (POST /sync/device-items; docs/offline.md
"Nothing lost without warning"): lost when this browser held them and holds them no more; maybe
elsewhere, once, when a browser reports for the first time; nothing at all on a worker's other
device while the first still holds them."""

from __future__ import annotations

import uuid

from sqlmodel import select
from starlette.testclient import TestClient

from app.audit.models import AuditEntry
from app.sync.models import DeviceItem, SyncOperation
from app.sync.routes import DEVICE_COOKIE
from tests.factories import login, make_case, make_user

ITEM_TIME = "2026-12-02T14:40:00Z"


def _report(client, holding: list[str], discarded: list[str] = ()) -> dict:
    response = client.post(
        "/sync/device-items",
        json={
            "holding": [{"id": op, "target": "/cases/1/contacts", "time": ITEM_TIME} for op in holding],
            "discarded": list(discarded),
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


def _second_device(app, db, worker, settings):
    other = TestClient(app, base_url="http://testserver", follow_redirects=False)
    login(other, db, worker, settings)
    return other


def _audited(db, action: str) -> list[str]:
    db.expire_all()
    return [e.detail for e in db.exec(select(AuditEntry).where(AuditEntry.action == action)).all()]


def test_an_item_this_browser_held_and_holds_no_more_is_lost(db, client, settings):
    worker = make_user(db)
    login(client, db, worker, settings)
    op = str(uuid.uuid4())
    assert _report(client, [op]) == {"lost": [], "elsewhere": []}
    # The browser's storage is evicted: the outbox is empty, the cookie stays.
    answer = _report(client, [])
    assert answer["lost"] == [{"target": "/cases/1/contacts", "saved_at": "2026-12-02T14:40:00+00:00"}]
    assert answer["elsewhere"] == []
    assert _audited(db, "device_items_lost") == ["1"]
    assert _report(client, []) == {"lost": [], "elsewhere": []}  # said once


def test_the_device_cookie_is_the_browsers_own_sent_to_sync_alone_for_a_long_time(db, client, settings):
    login(client, db, make_user(db), settings)
    response = client.post("/sync/device-items", json={"holding": [], "discarded": []})
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{DEVICE_COOKIE}=")
    assert "Path=/sync" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert f"Max-Age={400 * 86400}" in cookie
    again = client.post("/sync/device-items", json={"holding": [], "discarded": []})
    assert "set-cookie" not in again.headers  # known now


def test_a_second_device_is_told_once_the_item_may_be_elsewhere_never_that_it_is_lost(db, client, app, settings):
    worker = make_user(db)
    login(client, db, worker, settings)
    op = str(uuid.uuid4())
    _report(client, [op])  # the tablet holds it, waiting for a signal
    phone = _second_device(app, db, worker, settings)
    first = _report(phone, [])
    assert first["lost"] == [] and len(first["elsewhere"]) == 1
    assert _report(phone, []) == {"lost": [], "elsewhere": []}  # once
    assert _audited(db, "device_items_lost") == [] and _audited(db, "device_items_elsewhere") == ["1"]
    # The tablet still answers for it: Homeward still knows of it, and the tablet's own loss is named.
    db.expire_all()
    assert db.get(DeviceItem, op) is not None
    assert _report(client, [op]) == {"lost": [], "elsewhere": []}
    assert len(_report(client, [])["lost"]) == 1


def test_items_that_arrived_or_were_discarded_are_never_named(db, client, app, settings):
    worker = make_user(db)
    login(client, db, worker, settings)
    arrived, discarded = str(uuid.uuid4()), str(uuid.uuid4())
    _report(client, [arrived, discarded])
    db.add(SyncOperation(op_id=arrived, user_id=worker.id, method="POST", target="/cases/1/contacts", status_code=303))
    db.commit()
    assert _report(client, [], discarded=[discarded]) == {"lost": [], "elsewhere": []}
    assert _report(_second_device(app, db, worker, settings), []) == {"lost": [], "elsewhere": []}
    db.expire_all()
    assert db.exec(select(DeviceItem)).all() == []


def test_an_item_still_held_by_a_browser_whose_cookie_was_cleared_moves_to_its_new_id(db, client, app, settings):
    worker = make_user(db)
    login(client, db, worker, settings)
    op = str(uuid.uuid4())
    _report(client, [op])
    client.cookies.delete(DEVICE_COOKIE, domain="testserver.local", path="/sync")
    assert client.cookies.get(DEVICE_COOKIE) is None
    assert _report(client, [op]) == {"lost": [], "elsewhere": []}  # held here: neither lost nor elsewhere
    # Now this browser's item: a phone reporting for the first time hears of it as maybe elsewhere,
    # and this browser, losing it, is told it is lost.
    assert len(_report(_second_device(app, db, worker, settings), [])["elsewhere"]) == 1
    assert len(_report(client, [])["lost"]) == 1


def test_another_workers_items_are_never_named(db, client, app, settings):
    sam, priya = make_user(db, email="sam@example.org"), make_user(db, email="priya@example.org")
    make_case(db, worker=sam)
    login(client, db, sam, settings)
    _report(client, [str(uuid.uuid4())])
    assert _report(_second_device(app, db, priya, settings), []) == {"lost": [], "elsewhere": []}


def test_a_report_naming_an_item_twice_or_another_workers_item_is_answered_and_noted_once(db, client, app, settings):
    sam, priya = make_user(db, email="sam@example.org"), make_user(db, email="priya@example.org")
    login(client, db, sam, settings)
    sams = str(uuid.uuid4())
    _report(client, [sams])
    other = _second_device(app, db, priya, settings)
    mine = str(uuid.uuid4())
    assert _report(other, [mine, mine, sams]) == {"lost": [], "elsewhere": []}
    db.expire_all()
    assert {(d.op_id, d.user_id) for d in db.exec(select(DeviceItem)).all()} == {(sams, sam.id), (mine, priya.id)}
    assert _report(client, [sams]) == {"lost": [], "elsewhere": []}  # still Sam's, untouched


def test_on_a_shared_tablet_each_worker_hears_once_of_their_items_that_may_be_elsewhere(db, client, app, settings):
    """The tablet's site data is cleared whole; another worker happens to log in on it first. The
    tablet is still new to Sam, who hears of his item once there, and on no later browser."""
    sam, priya = make_user(db, email="sam@example.org"), make_user(db, email="priya@example.org")
    login(client, db, sam, settings)
    op = str(uuid.uuid4())
    _report(client, [op])
    cleared = TestClient(app, base_url="http://testserver", follow_redirects=False)
    login(cleared, db, priya, settings)
    assert _report(cleared, []) == {"lost": [], "elsewhere": []}
    login(cleared, db, sam, settings)
    assert len(_report(cleared, [])["elsewhere"]) == 1
    assert _report(cleared, []) == {"lost": [], "elsewhere": []}
    # Told once: a browser opened after that (a private window, say) is not told again.
    assert _report(_second_device(app, db, sam, settings), []) == {"lost": [], "elsewhere": []}


def test_a_report_for_another_account_is_refused_and_changes_nothing(db, client, app, settings):
    """A page of Sam's still open in a second tab after Priya logged in on the tablet."""
    sam, priya = make_user(db, email="sam@example.org"), make_user(db, email="priya@example.org")
    login(client, db, priya, settings)
    response = client.post(
        "/sync/device-items",
        json={"user_id": str(sam.id), "holding": [{"id": str(uuid.uuid4()), "target": "/cases/1"}], "discarded": []},
    )
    assert response.status_code == 409
    db.expire_all()
    assert db.exec(select(DeviceItem)).all() == []
    assert client.post("/sync/device-items", json={"user_id": str(priya.id), "holding": []}).status_code == 200


def test_odd_reports_are_answered_and_long_ids_are_one_item(db, client, settings):
    login(client, db, make_user(db), settings)
    for body in ({"holding": 5, "discarded": True}, {"holding": [1, "x", None]}, [], {"discarded": [{"a": 1}]}):
        assert client.post("/sync/device-items", json=body).status_code == 200, body
    long_id = "x" * 40
    _report(client, [long_id])
    assert _report(client, [long_id]) == {"lost": [], "elsewhere": []}
    assert len(_report(client, [])["lost"]) == 1


def test_a_report_runs_the_same_statements_for_one_new_item_and_for_forty(db, client, engine, settings):
    from tests.querycount import count_queries

    login(client, db, make_user(db), settings)
    _report(client, [])  # the browser known: its first report notes it

    held: list[str] = []

    def statements(new_items: int) -> int:
        held.extend(str(uuid.uuid4()) for _ in range(new_items))  # still holding the earlier ones
        with count_queries(engine) as seen:
            _report(client, held)
        return len(seen)

    assert statements(1) == statements(40)


def test_a_client_that_keeps_no_cookie_or_makes_up_items_cannot_grow_the_lists_without_end(
    db, client, settings, monkeypatch
):
    from app.sync import held
    from app.sync.models import DeviceSeen

    monkeypatch.setattr(held, "MAX_DEVICES_PER_WORKER", 3)
    monkeypatch.setattr(held, "MAX_ITEMS_PER_WORKER", 5)
    worker = make_user(db)
    login(client, db, worker, settings)
    for _ in range(6):  # a new browser every time: the cookie thrown away
        client.cookies.delete(DEVICE_COOKIE)
        _report(client, [str(uuid.uuid4()) for _item in range(4)])
    db.expire_all()
    assert len(db.exec(select(DeviceSeen).where(DeviceSeen.user_id == worker.id)).all()) == 3
    assert len(db.exec(select(DeviceItem).where(DeviceItem.user_id == worker.id)).all()) == 5
