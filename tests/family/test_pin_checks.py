"""Worker PIN and password checks outside the login page: counted like logins, audited, and ended.

The offline PIN check on the tablet's page can be attacked at leisure, so PINs are 6 digits or
more, 4-digit ones must be changed at the next login, and wrong tries typed offline are reported
when the tablet reconnects (docs/family-mode.md, threat model).
"""

from __future__ import annotations

from sqlmodel import select

from app.accounts.models import User
from app.audit.models import AuditEntry
from app.family.models import FamilyHandover
from app.family.service import _pbkdf2
from app.security.passwords import hash_password
from tests.factories import PASSWORD, login, make_case, make_user
from tests.family.factories import PIN, hand_over, live_session, with_pin, young_person


def _audit(db, *actions: str) -> list[AuditEntry]:
    db.expire_all()
    return list(db.exec(select(AuditEntry).where(AuditEntry.action.in_(actions)).order_by(AuditEntry.id)).all())


def _worker_with_case(db, client, settings):
    worker = with_pin(make_user(db, full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    login(client, db, worker, settings)
    return worker, case


def test_twelve_wrong_pins_on_hand_over_then_the_right_one_does_not_hand_over(client, db, settings):
    worker, case = _worker_with_case(db, client, settings)
    kayla = young_person(db, case)
    statuses = [hand_over(client, case, kayla, pin=f"{100000 + n}").status_code for n in range(12)]
    # Each wrong PIN counts towards the login lockout (10): at the limit the session ends.
    assert statuses[:9] == [422] * 9 and statuses[9] == 403
    assert all(s in (303, 401) for s in statuses[10:]), statuses
    response = hand_over(client, case, kayla, pin=PIN)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert db.exec(select(FamilyHandover)).all() == []
    row = live_session(db, worker)
    assert row.ended_at is not None and row.family_case_id is None
    failed = _audit(db, "secret_check_failed")
    assert len(failed) == 10 and {e.detail for e in failed} == {"hand_over: password"}
    assert _audit(db, "session_ended_locked")[0].detail.startswith("hand_over")
    # The audit trail never holds the secret.
    assert not any("10000" in e.detail or PIN in e.detail for e in _audit(db, "secret_check_failed"))


def test_hand_back_checks_are_audited_success_and_failure(client, db, settings):
    _, case = _worker_with_case(db, client, settings)
    hand_over(client, case, young_person(db, case))
    assert client.post(f"/family/{case.id}/hand-back", data={"pin": "999999"}).status_code == 422
    assert client.post(f"/family/{case.id}/hand-back", data={"pin": PIN}).status_code == 303
    details = [(e.action, e.detail) for e in _audit(db, "secret_check", "secret_check_failed")]
    assert details == [
        ("secret_check", "hand_over: pin"),
        ("secret_check_failed", "hand_back: password"),
        ("secret_check", "hand_back: pin"),
    ]


def test_after_five_wrong_tries_the_offline_token_no_longer_hands_back(client, db, settings):
    worker, case = _worker_with_case(db, client, settings)
    hand_over(client, case, young_person(db, case))
    handover = db.exec(select(FamilyHandover)).one()
    token = _pbkdf2(PIN, handover.token_salt, handover.iterations)
    # Four wrong tries online, then the tablet reports the wrong tries it counted offline.
    for _ in range(4):
        assert client.post(f"/family/{case.id}/hand-back", data={"pin": "999999"}).status_code == 422
    response = client.post(f"/family/{case.id}/hand-back", data={"handback_token": token, "offline_failures": "1"})
    assert response.status_code == 403 and "log in again" in response.text
    row = live_session(db, worker)
    assert row.ended_at is not None
    db.expire_all()
    assert db.exec(select(FamilyHandover)).one().ended_how == "lockout"
    assert _audit(db, "family_offline_wrong_pins")[0].detail == "1 wrong PIN on the tablet without a signal"


def test_wrong_pins_typed_offline_are_reported_when_the_tablet_reconnects(client, db, settings):
    worker, case = _worker_with_case(db, client, settings)
    hand_over(client, case, young_person(db, case))
    response = client.post("/family/lock", data={"offline_failures": "5"})
    assert response.status_code == 200 and "log in again" in response.text
    assert live_session(db, worker).ended_at is not None
    reported = _audit(db, "family_offline_wrong_pins")
    assert [e.detail for e in reported] == ["5 wrong PINs on the tablet without a signal"]
    assert reported[0].case_id == case.id


def test_a_four_digit_pin_must_be_changed_at_the_next_login_and_no_longer_hands_over(client, db, settings):
    worker = make_user(db, email="sam@example.org")
    worker.pin_hash, worker.pin_change_due = hash_password("2468"), True
    db.add(worker)
    case = make_case(db, worker=worker)
    db.commit()
    response = client.post("/login", data={"email": "sam@example.org", "password": PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == "/profile#pin-h"
    profile = client.get("/profile").text
    assert "Please set a new Worker PIN" in profile and "at least 6 digits" in profile
    page = client.get(f"/cases/{case.id}/hand-to-family").text
    assert "Your Worker PIN needs changing" in page and "data-pin-check" not in page
    assert hand_over(client, case, young_person(db, case), pin="2468").status_code == 422
    assert client.post("/profile/pin", data={"pin": "135792", "pin_password": PASSWORD}).status_code == 303
    db.expire_all()
    user = db.get(User, worker.id)
    assert not user.pin_change_due and user.pin_iterations == settings.pin_kdf_iterations
    assert "Please set a new Worker PIN" not in client.get("/profile").text
    assert hand_over(client, case, young_person(db, case), pin="135792").status_code == 303


def test_pin_check_cost_is_the_owasp_figure_unless_a_setting_lowers_it():
    from app.config import Settings

    assert Settings().pin_kdf_iterations == 600_000


def test_offline_wrong_pins_are_flagged_to_the_supervisor_on_the_case_and_oversight_pages(client, db, settings):
    worker, case = _worker_with_case(db, client, settings)
    hand_over(client, case, young_person(db, case))
    client.post("/family/lock", data={"offline_failures": "5"})
    supervisor = make_user(db, email="sup@example.org", role="supervisor", team=None)
    supervisor.team_id = case.team_id
    db.add(supervisor)
    db.commit()
    login(client, db, supervisor, settings)
    page = client.get(f"/cases/{case.id}").text
    assert "Wrong Worker PINs were typed on the tablet without a signal" in page
    assert "5 wrong PINs on the tablet without a signal" in page
    oversight = client.get("/review/oversight").text
    assert "Wrong Worker PINs typed on a tablet offline" in oversight and f'href="/cases/{case.id}"' in oversight
