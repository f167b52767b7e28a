"""What the server gives and accepts so the family screens work with no signal (docs/family-mode.md)."""

from __future__ import annotations

import hashlib

from sqlmodel import select

from app.accounts.models import User
from app.audit.models import AuditEntry
from app.cases.models import Person
from app.demo import DEMO_PIN
from app.diamond import offline as diamond_offline
from app.family import offline
from tests.demo_copy import demo_service
from tests.factories import PASSWORD, login, make_case, make_user
from tests.family.factories import PIN, add_person, hand_over, live_session, with_pin, young_person
from tests.querycount import count_queries


def _worker_with_case(db, client, settings):
    worker = with_pin(make_user(db, full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    login(client, db, worker, settings)
    return worker, case


def test_setting_the_pin_makes_a_new_salted_offline_check_that_is_not_the_pin(client, db, settings):
    worker = make_user(db)
    login(client, db, worker, settings)
    checks = []
    for _ in range(2):
        assert client.post("/profile/pin", data={"pin": PIN, "pin_password": PASSWORD}).status_code == 303
        db.expire_all()
        user = db.get(User, worker.id)
        # What family.js computes with WebCrypto from the typed PIN.
        assert (
            user.pin_check
            == hashlib.pbkdf2_hmac("sha256", PIN.encode(), bytes.fromhex(user.pin_salt), user.pin_iterations).hex()
        )
        assert PIN not in user.pin_check and user.pin_iterations == settings.pin_kdf_iterations
        checks.append((user.pin_salt, user.pin_check))
    assert checks[0] != checks[1], "a new salt every time the PIN is set"


def test_hand_over_page_carries_the_offline_pin_check_but_never_the_pin(client, db, settings):
    worker, case = _worker_with_case(db, client, settings)
    page = client.get(f"/cases/{case.id}/hand-to-family").text
    assert f'data-pin-salt="{worker.pin_salt}"' in page and f'data-pin-check="{worker.pin_check}"' in page
    assert f'data-iterations="{worker.pin_iterations}"' in page
    assert PIN not in page.replace(worker.pin_salt, "").replace(worker.pin_check, "")


def test_hand_over_page_without_an_offline_check_says_nothing_of_one(client, db, settings):
    worker, case = _worker_with_case(db, client, settings)
    worker.pin_salt = worker.pin_check = worker.pin_iterations = None
    db.add(worker)
    db.commit()
    page = client.get(f"/cases/{case.id}/hand-to-family").text
    assert "data-hand-over" in page and "data-pin-check" not in page


def test_demo_workers_can_hand_over_offline_with_the_demo_pin(db, settings):

    demo = demo_service(session=db, settings=settings)
    sam = demo.users["worker"]
    assert DEMO_PIN == "246813"
    assert (
        sam.pin_check == hashlib.pbkdf2_hmac("sha256", b"246813", bytes.fromhex(sam.pin_salt), sam.pin_iterations).hex()
    )


def test_take_offline_keeps_every_family_screen_for_everyone_who_can_rate_in_three_queries(client, db, settings):
    worker, case = _worker_with_case(db, client, settings)
    mother = add_person(db, case)
    db.commit()
    kayla = young_person(db, case)
    with count_queries(db.get_bind()) as queries:
        # Family mode's own screens (one query), the Diamond's family screens (two).
        pages = offline.pages(session=db, case=case, actor=None)
        pages += diamond_offline.pages(session=db, case=case, actor=None)
    assert len(queries) == 3
    for person in (kayla, mother):
        home = f"/family/{case.id}/{person.id}"
        assert {home, f"{home}/diamond/wellbeing", f"{home}/diamond/empowerment", f"{home}/done"} <= set(pages)
    assert {
        f"/cases/{case.id}/hand-to-family",
        f"/family/{case.id}/who",
        f"/family/{case.id}/hand-back",
        f"/cases/{case.id}/diamond/rate",
    } <= set(pages)
    listed = client.get(f"/cases/{case.id}/offline-pages").json()["pages"]
    assert set(pages) <= set(listed)
    # Each of them opens for the worker, as "Take offline" fetches them (no redirect, no error).
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url


def test_family_answers_given_with_the_worker_session_count_as_family_mode(client, db, settings):
    worker, case = _worker_with_case(db, client, settings)
    kayla = young_person(db, case)
    response = client.post(
        f"/family/{case.id}/{kayla.id}/diamond/learning",
        data={"id": "5b2a0f8e-7d0f-4a3e-9a55-1f6f0f0c2d11", "score": 7},
    )
    assert (
        response.status_code == 303
        and response.headers["location"] == f"/family/{case.id}/{kayla.id}/diamond/relationships"
    )
    from app.diamond.models import DiamondRating

    row = db.exec(select(DiamondRating)).one()
    assert (row.person_id, row.user_id, row.in_family_mode, row.recorded_by_user_id) == (
        kayla.id,
        None,
        True,
        worker.id,
    )


def test_offline_lockout_reported_later_ends_the_session_even_without_server_family_mode(client, db, settings):
    worker, case = _worker_with_case(db, client, settings)
    assert client.post("/family/lock").status_code == 200
    assert live_session(db, worker).ended_at is not None
    assert client.get(f"/cases/{case.id}").headers["location"].startswith("/login")
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "family_lockout_offline")).one()


def test_status_says_whether_homeward_holds_the_tablet_in_family_mode(client, db, settings):
    _, case = _worker_with_case(db, client, settings)
    assert client.get("/family/status").json() == {"family_case_id": None}
    hand_over(client, case, young_person(db, case))
    assert client.get("/family/status").json() == {"family_case_id": case.id}


def test_choosing_who_rates_outside_family_mode_only_leads_to_their_screens(client, db, settings):
    worker, case = _worker_with_case(db, client, settings)
    mother = add_person(db, case)
    db.commit()
    response = client.post(f"/family/{case.id}/who", data={"person": mother.id})
    assert response.headers["location"] == f"/family/{case.id}/{mother.id}"
    row = live_session(db, worker)
    assert row.family_case_id is None and row.family_person_id is None
    assert db.get(Person, mother.id) is not None


def test_hand_back_posted_outside_family_mode_checks_the_pin_and_ends_nothing(client, db, settings):
    """A hand-over made offline never reached Homeward; without scripts its hand-back form posts here."""
    worker, case = _worker_with_case(db, client, settings)
    wrong = client.post(f"/family/{case.id}/hand-back", data={"pin": "1357"})
    assert wrong.status_code == 422 and "That is not the right PIN." in wrong.text
    right = client.post(f"/family/{case.id}/hand-back", data={"pin": PIN})
    assert right.status_code == 303 and right.headers["location"] == f"/cases/{case.id}/diamond"
    assert live_session(db, worker).ended_at is None
