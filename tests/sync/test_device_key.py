"""The device key: what a tablet encrypts kept pages with, unwrapped offline by the Worker PIN only."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.accounts.service import set_pin
from app.cases.models import Person
from app.flashcookie import FLASH_COOKIE, _Sealer
from app.pwa.routes import shell_urls
from app.sync.models import SyncConflict
from app.timeutil import utcnow
from tests.factories import login, make_case, make_user

PIN = "246810"


def _unwrap(wrap: dict, pin: str, user: str) -> bytes:
    """What offline.js does with the PIN: PBKDF2-SHA256, then AES-GCM over the stored copy."""
    kek = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(wrap["salt"]), wrap["iterations"])
    return AESGCM(kek).decrypt(base64.b64decode(wrap["iv"]), base64.b64decode(wrap["data"]), user.encode())


def test_a_worker_gets_their_own_key_never_cached_and_only_their_pin_unwraps_the_stored_copy(db, client, settings):
    sam = make_user(db)
    set_pin(session=db, user=sam, pin=PIN, iterations=settings.pin_kdf_iterations)
    ola = make_user(db)
    set_pin(session=db, user=ola, pin="975310", iterations=settings.pin_kdf_iterations)
    db.commit()
    login(client, db, sam, settings)
    answer = client.get("/sync/device-key")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    key = base64.b64decode(body["key"])
    assert len(key) == 32 and body["user"] == str(sam.id)
    assert _unwrap(body["wrap"], PIN, str(sam.id)) == key
    # The stored copy is useless without the PIN, or for another account.
    for pin, user in (("975310", str(sam.id)), (PIN, str(ola.id))):
        with pytest.raises(InvalidTag):
            _unwrap(body["wrap"], pin, user)
    # The same key again (pages kept yesterday still open), a fresh wrapping each time.
    again = client.get("/sync/device-key").json()
    assert again["key"] == body["key"] and again["wrap"]["iv"] != body["wrap"]["iv"]
    login(client, db, ola, settings)
    assert client.get("/sync/device-key").json()["key"] != body["key"]


def test_without_a_worker_pin_there_is_no_stored_copy_and_logged_out_there_is_no_key(db, client, settings):
    worker = make_user(db)
    db.commit()
    assert client.get("/sync/device-key", follow_redirects=False).status_code in (303, 401)
    login(client, db, worker, settings)
    assert client.get("/sync/device-key").json()["wrap"] is None


def test_the_pin_screen_is_kept_on_every_device_and_names_no_one(client):
    assert "/unlock" in shell_urls()
    page = client.get("/unlock")
    assert page.status_code == 200
    assert "Homeward is locked" in page.text and "data-user-id" not in page.text


def test_a_case_page_is_titled_by_its_reference_not_the_family_name(db, client, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker, young_person_name="Kayla Zephyrine")
    db.commit()
    login(client, db, worker, settings)
    mother = Person(case_id=case.id, name="Donna Quillfeather", relationship="Mother", in_household=True)
    db.add(mother)
    db.commit()
    for path, name in (
        (f"/cases/{case.id}", "Zephyrine"),
        (f"/cases/{case.id}/contacts/new", "Zephyrine"),
        (f"/cases/{case.id}/living", "Zephyrine"),
        (f"/cases/{case.id}/people/{mother.id}/edit", "Quillfeather"),
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        title = page.text.split("<title>")[1].split("</title>")[0]
        assert name not in title and case.reference in title, (path, title)
        assert name in page.text  # the page itself still names them
    assert "Record a contact · " in client.get(f"/cases/{case.id}/contacts/new").text


def test_the_outbox_copy_a_device_keeps_leaves_out_the_conflicts_that_name_people(db, client, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    for resolved in (None, utcnow()):
        db.add(
            SyncConflict(
                op_id=str(uuid.uuid4()),
                user_id=worker.id,
                case_id=case.id,
                record_type="person",
                record_id="x",
                record_label="Donna Zephyrine",
                target="/",
                base_version=1,
                server_version=2,
                mine="{}",
                theirs="{}",
                labels='{"labels": {}, "yes_no": []}',
                resolved_at=resolved,
            )
        )
    db.commit()
    login(client, db, worker, settings)
    page = client.get("/outbox").text
    assert page.count("Donna Zephyrine") == 2  # online, the worker sees both
    # What offline.js and sw.js keep: the page with its private parts left out.
    kept = re.sub(r"<!--private-->[\s\S]*?<!--/private-->", "", page)
    assert "Zephyrine" not in kept
    assert "Waiting to sync" in kept and "Offline cases" in kept


def test_a_message_waiting_for_the_next_page_is_left_out_of_the_outbox_copy_and_left_for_that_page(
    db, client, settings
):
    """The service worker fetches the Outbox again after an update (sw.js refreshOutbox): a message
    waiting for the worker's next page ("Donna Zephyrine added.") is neither kept in the copy, which
    opens while the tablet is locked, nor used up by that background fetch."""
    worker = make_user(db)
    db.commit()
    login(client, db, worker, settings)
    client.cookies.set(
        FLASH_COOKIE,
        _Sealer(settings.secret_key).dumps([["success", "Donna Zephyrine added."]]),
        domain="testserver.local",
    )
    background = client.get("/outbox", headers={"X-Homeward-Refresh": "1"})
    assert "Donna Zephyrine" not in background.text
    shown = client.get("/outbox").text  # the page the worker opens next shows it, once
    assert "Donna Zephyrine added." in shown
    kept = re.sub(r"<!--private-->[\s\S]*?<!--/private-->", "", shown)
    assert "Zephyrine" not in kept
    assert "Donna Zephyrine" not in client.get("/outbox").text
