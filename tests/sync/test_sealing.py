"""Items waiting on a device are sealed to Homeward's key; only the server opens them, once each."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import func, select

from app.cases.models import Contact
from app.sync import sealing
from app.sync.models import SyncOperation
from app.timeutil import today
from tests.factories import login, make_case, make_user, sealed_item

SECRET = "a-secret-key-that-is-long-enough-for-tests-0123456789"


def _aad(op="op-1", target="/cases/1/contacts", user="7") -> bytes:
    return sealing.additional_data(op_id=op, target=target, user_id=user)


def test_a_sealed_item_opens_with_the_same_key_and_item_only():
    fields = [["note", "Kayla was home by ten every night this week."], ["kind", "visit"]]
    sealed = sealing.seal(SECRET, fields, aad=_aad())
    assert "Kayla" not in str(sealed)
    assert sealing.open_sealed(SECRET, sealed, aad=_aad()) == fields
    for wrong in (_aad(op="op-2"), _aad(target="/cases/2/contacts"), _aad(user="8")):
        with pytest.raises(sealing.SealError):
            sealing.open_sealed(SECRET, sealed, aad=wrong)
    with pytest.raises(sealing.SealError):
        sealing.open_sealed(SECRET + "-rotated", sealed, aad=_aad())
    with pytest.raises(sealing.SealError):
        sealing.open_sealed(SECRET, {**sealed, "data": sealed["data"][:-8] + "AAAAAAA="}, aad=_aad())


def test_the_public_key_is_a_p256_jwk_that_stays_the_same_for_a_secret():
    key = sealing.public_key(SECRET)
    assert key == sealing.public_key(SECRET)
    assert key["jwk"]["kty"] == "EC" and key["jwk"]["crv"] == "P-256" and "d" not in key["jwk"]
    assert sealing.public_key(SECRET + "x")["kid"] != key["kid"]


@pytest.fixture
def worker_case(db, client, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    return worker, case


def _item(settings, worker, case, fields, op=None):
    return sealed_item(settings.secret_key, worker, f"/cases/{case.id}/contacts", fields, op)


def _contacts(db) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(Contact)).one()


def test_a_sealed_contact_is_applied_once_by_its_own_route(db, client, settings, worker_case):
    worker, case = worker_case
    item = _item(
        settings,
        worker,
        case,
        [["kind", "visit"], ["place", "home"], ["occurred_on", today().isoformat()], ["note", "Home visit."]],
    )
    first = client.post("/sync/sealed", json=item, headers={"Accept": "application/json"})
    again = client.post("/sync/sealed", json=item, headers={"Accept": "application/json"})
    assert first.status_code == again.status_code == 303
    assert again.headers["idempotent-replayed"] == "true" and first.headers["location"] == again.headers["location"]
    assert _contacts(db) == 1 and db.get(Contact, item["id"]).note == "Home visit."
    assert db.exec(select(func.count()).select_from(SyncOperation)).one() == 1


def test_a_sealed_item_with_bad_values_gets_the_forms_own_messages_and_applies_nothing(
    db, client, settings, worker_case
):
    worker, case = worker_case
    item = _item(
        settings, worker, case, [["kind", "visit"], ["place", "home"], ["occurred_on", "not a date"], ["note", "x"]]
    )
    answer = client.post("/sync/sealed", json=item, headers={"Accept": "application/json"})
    assert answer.status_code == 422 and "field-error" in answer.text
    assert _contacts(db) == 0


def test_an_item_sealed_for_another_account_or_site_is_refused_with_a_message(db, client, settings, worker_case):
    worker, case = worker_case
    item = _item(settings, worker, case, [["kind", "visit"]])
    moved = {**item, "user_id": str(worker.id + 1)}
    answer = client.post("/sync/sealed", json=moved, headers={"Accept": "application/json"})
    assert answer.status_code == 400 and "cannot be opened" in answer.json()["detail"]
    elsewhere = {**item, "target": "https://example.com/steal"}
    assert client.post("/sync/sealed", json=elsewhere).status_code == 400
    assert _contacts(db) == 0


def test_only_the_account_that_made_an_item_can_open_it_for_edit_and_retry(db, client, settings, worker_case):
    worker, case = worker_case
    item = _item(settings, worker, case, [["note", "Draft words"]])
    opened = client.post("/sync/sealed/open", json=item)
    assert opened.status_code == 200 and ["note", "Draft words"] in opened.json()["fields"]
    other = make_user(db, team_id=worker.team_id)
    login(client, db, other, settings)
    assert client.post("/sync/sealed/open", json=item).status_code == 400


def test_an_item_sent_by_another_logged_in_worker_is_kept_unapplied_until_its_author_logs_in(
    db, client, settings, worker_case
):
    worker, case = worker_case
    fields = [["kind", "visit"], ["place", "home"], ["occurred_on", today().isoformat()], ["note", "Seen at home."]]
    item = _item(settings, worker, case, fields)
    colleague = make_user(db, team_id=worker.team_id)
    make_case(db, worker=colleague)
    login(client, db, colleague, settings)
    refused = client.post("/sync/sealed", json=item, headers={"Accept": "application/json"})
    assert refused.status_code == 401 and "Log in as its author" in refused.json()["detail"]
    assert _contacts(db) == 0 and db.exec(select(func.count()).select_from(SyncOperation)).one() == 0
    login(client, db, worker, settings)
    assert client.post("/sync/sealed", json=item, headers={"Accept": "application/json"}).status_code == 303
    db.expire_all()
    assert db.get(Contact, item["id"]).by_user_id == worker.id


def test_an_item_kept_in_clear_names_its_author_and_is_not_applied_as_another_worker(db, client, settings):
    """A tab left open by a worker whose session ended, on a device that kept the item unsealed (no
    WebCrypto or no outbox key), sends it with the next worker's cookie: its author header stops it."""
    worker = make_user(db)
    colleague = make_user(db, team_id=worker.team_id)
    case = make_case(db, worker=worker, co_worker=colleague)  # the colleague may add a contact here
    db.commit()
    op = str(uuid.uuid4())
    fields = {"id": op, "kind": "visit", "place": "home", "occurred_on": today().isoformat(), "note": "Seen at home."}

    def send(author):
        headers = {"Idempotency-Key": op, "Accept": "application/json", "X-Homeward-Author": str(author.id)}
        return client.post(f"/cases/{case.id}/contacts", data=fields, headers=headers)

    login(client, db, colleague, settings)
    refused = send(worker)
    assert refused.status_code == 401 and "Log in as its author" in refused.json()["detail"]
    assert _contacts(db) == 0 and db.exec(select(func.count()).select_from(SyncOperation)).one() == 0
    login(client, db, worker, settings)
    assert send(worker).status_code == 303
    db.expire_all()
    assert db.get(Contact, op).by_user_id == worker.id


def test_a_sealed_items_stamp_is_read_on_homewards_clock_from_the_device_clock_it_was_sent_with(
    db, client, settings, worker_case
):
    """The device's clock as the item left (X-Homeward-Sent-At) reaches the item's own route through
    /sync/sealed: a where-they-live entry stamped by a tablet whose clock runs a day behind is
    stored as given today, not yesterday."""
    from datetime import timedelta

    from app.cases.models import LivingSituation
    from app.timeutil import utcnow

    worker, case = worker_case
    behind = timedelta(days=1)
    given = utcnow() - timedelta(minutes=10)
    fields = [["living", "with_parents"], ["since", today().isoformat()], ["recorded_at", (given - behind).isoformat()]]
    item = sealed_item(settings.secret_key, worker, f"/cases/{case.id}/living", fields)
    sent_at = (utcnow() - behind).isoformat()
    answer = client.post(
        "/sync/sealed", json=item, headers={"Accept": "application/json", "X-Homeward-Sent-At": sent_at}
    )
    assert answer.status_code == 303
    db.expire_all()
    stored = db.get(LivingSituation, item["id"]).recorded_at
    stored = stored.replace(tzinfo=given.tzinfo) if stored.tzinfo is None else stored
    assert abs(stored - given) < timedelta(minutes=1)
