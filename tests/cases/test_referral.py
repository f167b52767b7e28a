"""New referral: creates the case, the young person and the referral event; bad input stores nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import Case, CaseEvent, Person
from app.timeutil import today
from tests.factories import login, make_user


def referral(worker, **overrides) -> dict:
    data = {
        "young_person_name": "Kayla  Morgan",
        "preferred_name": "Kay",
        "date_of_birth": "2011-03-04",
        "gender": "female",
        "ethnicity": "not_known",
        "referral_date": today().isoformat(),
        "referral_route": "step_down_cin",
        "referrer_agency": "Children's Social Care",
        "referrer_name": "Jo Bell",
        "referrer_contact": "01632 960000",
        "referral_reason": "Going missing overnight; arguments at home",
        "statutory_status_at_referral": "cin",
        "prior_cin": "yes",
        "prior_cin_on": "2024-06-01",
        "prior_cp": "no",
        "prior_cla": "not_known",
        "key_worker_id": str(worker.id),
        "practice_context": "cin",
    }
    data.update(overrides)
    return data


def test_new_referral_creates_case_with_reference_young_person_and_event(client, db, settings):
    worker = make_user(db)
    login(client, db, worker, settings)
    response = client.post("/referrals", data=referral(worker))
    assert response.status_code == 303
    case = db.exec(select(Case)).one()
    assert re.fullmatch(rf"HW-{today().year}-0001", case.reference)
    assert (case.young_person_name, case.status, case.referral_route, case.prior_cin, case.prior_cin_on) == (
        "Kayla Morgan",
        "referred",
        "step_down_cin",
        "yes",
        date(2024, 6, 1),
    )
    assert case.key_worker_id == worker.id and case.team_id == worker.team_id
    assert db.exec(select(Person).where(Person.case_id == case.id)).one().is_young_person
    assert db.exec(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all() == ["referral"]
    assert (
        db.exec(select(AuditEntry).where(AuditEntry.action == "create", AuditEntry.object_type == "case")).one().detail
        == "referral route step_down_cin"
    )
    page = client.get(response.headers["location"])
    assert "<h1>Kay</h1>" in page.text and "Referral received" in page.text


def test_references_are_unique_and_sequential(client, db, settings):
    worker = make_user(db)
    login(client, db, worker, settings)
    for name in ("Amy One", "Ben Two", "Cal Three"):
        assert client.post("/referrals", data=referral(worker, young_person_name=name)).status_code == 303
    refs = sorted(db.exec(select(Case.reference)).all())
    assert refs == [f"HW-{today().year}-{n:04d}" for n in (1, 2, 3)]


def test_future_dates_and_missing_fields_are_refused_beside_the_field_and_nothing_stored(client, db, settings):
    worker = make_user(db)
    login(client, db, worker, settings)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = client.post(
        "/referrals",
        data=referral(
            worker, referral_date=tomorrow, prior_cin_on=tomorrow, young_person_name="", referral_route="carrier-pigeon"
        ),
    )
    assert response.status_code == 422
    for field in ("referral_date", "prior_cin_on", "young_person_name", "referral_route"):
        assert f'id="{field}-error"' in response.text
    assert "Kayla" not in response.text or 'value="Kay"' in response.text
    assert db.exec(select(Case)).all() == []


def test_age_outside_8_to_25_warns_and_can_be_accepted_with_a_reason(client, db, settings):
    worker = make_user(db)
    login(client, db, worker, settings)
    young = (today() - timedelta(days=365 * 7)).isoformat()
    response = client.post("/referrals", data=referral(worker, date_of_birth=young))
    assert response.status_code == 422 and "younger than 8" in response.text and 'name="age_note"' in response.text
    assert db.exec(select(Case)).all() == []
    response = client.post(
        "/referrals",
        data=referral(worker, date_of_birth=young, age_note="Sibling of an open case; agreed with manager"),
    )
    assert response.status_code == 303
    assert db.exec(select(Case.age_note)).one() == "Sibling of an open case; agreed with manager"


def test_ethnicity_not_known_is_explicit_by_default(client, db, settings):
    worker = make_user(db)
    login(client, db, worker, settings)
    data = referral(worker)
    del data["ethnicity"], data["gender"]
    assert client.post("/referrals", data=data).status_code == 303
    assert db.exec(select(Case.ethnicity)).one() == "not_known"
    form = client.get("/referrals/new").text
    assert '<option value="not_known" selected>Not known</option>' in form


def test_key_worker_must_be_in_own_team_and_manager_cannot_refer(client, db, settings):
    worker, outsider = make_user(db), make_user(db)
    login(client, db, worker, settings)
    assert client.post("/referrals", data=referral(outsider)).status_code == 422
    manager = make_user(db, role="manager")
    login(client, db, manager, settings)
    assert client.get("/referrals/new").status_code == 403
    assert db.exec(select(Case)).all() == []


def test_a_referral_entered_afterwards_lets_the_work_that_day_keep_its_own_time(client, db, settings, monkeypatch):
    """A referral dated before today has no time: it is the start of its day, so a screening done
    that morning is not refused against the hour the referral happened to be typed in."""
    from datetime import UTC, datetime, time

    from app.cases import referral as referral_service
    from app.cases.models import EligibilityDecision
    from app.timeutil import local

    worker = make_user(db)
    login(client, db, worker, settings)
    day = today() - timedelta(days=3)
    monkeypatch.setattr(referral_service, "utcnow", lambda: datetime.combine(today(), time(16), tzinfo=UTC))
    assert client.post("/referrals", data=referral(worker, referral_date=day.isoformat())).status_code == 303
    monkeypatch.undo()
    case = db.exec(select(Case)).one()
    screened = {"criteria": ["S-A5", "S-B1"], "happened_on": day.isoformat(), "happened_time": "10:30"}
    response = client.post(f"/cases/{case.id}/eligibility", data=screened)
    assert response.status_code == 303, re.findall(r'class="field-error"[^>]*>(.*?)</p>', response.text, re.S)
    decision = db.exec(select(EligibilityDecision).where(EligibilityDecision.case_id == case.id)).one()
    assert local(decision.decided_at).replace(tzinfo=None) == datetime.combine(day, time(10, 30))
