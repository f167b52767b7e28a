"""Issue 18: what a real case history needs: the referral's time, more referral routes, "not known"
statutory status, professionals at a contact, and where the young person lives with its history."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases import rules
from app.cases.models import REFERRAL_ROUTES, STATUTORY_STATUSES, Case, Contact, LivingSituation
from app.core import codes
from app.outcomes import models as outcome_models
from app.timeutil import LOCAL, today
from tests.cases.test_referral import referral
from tests.factories import login, make_case, make_user


def test_first_contact_is_measured_from_the_referrals_time_not_midnight():
    day = today() - timedelta(days=3)
    opened = datetime.combine(today(), time(9, 0), tzinfo=LOCAL)
    started = rules.referral_started_at(day, opened, time(16, 30))
    assert started == datetime.combine(day, time(16, 30), tzinfo=LOCAL)
    contact = datetime.combine(day + timedelta(days=1), time(10, 30), tzinfo=LOCAL)
    assert rules.first_contact_hours(started, contact) == 18.0  # not 34 hours from midnight
    assert rules.referral_started_at(day, opened) == datetime.combine(day, time(0, 0), tzinfo=LOCAL)


def test_a_referral_keeps_its_time_route_and_a_not_known_statutory_status(client, db, settings):
    worker = make_user(db)
    login(client, db, worker, settings)
    day = today() - timedelta(days=2)
    data = referral(
        worker,
        referral_date=day.isoformat(),
        referral_time="16:30",
        referral_route="youth_justice",
        statutory_status_at_referral="not_known",
    )
    assert client.post("/referrals", data=data).status_code == 303
    case = db.exec(select(Case)).one()
    assert case.referral_time == time(16, 30) and case.referral_route == "youth_justice"
    assert case.statutory_status_at_referral == "not_known"
    form = client.get("/referrals/new").text
    for code in ("housing", "police", "school", "health", "youth_justice", "self"):
        assert f'value="{code}"' in form, code
    assert 'name="referral_time"' in form
    assert {"housing", "police", "school", "health", "youth_justice", "self"} <= {c for c, _ in REFERRAL_ROUTES}
    assert ("not_known", "Not known") in STATUTORY_STATUSES


def test_professionals_present_at_a_contact_are_kept_and_shown(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker, referral_date=today() - timedelta(days=5))
    db.commit()
    login(client, db, worker, settings)
    data = {
        "kind": "meeting",
        "occurred_on": (today() - timedelta(days=1)).isoformat(),
        "start_time": "10:00",
        "duration_minutes": "60",
        "place": "school",
        "outcome": "attended",
        "professionals": "Ms Achebe (school); PC Ward (police)",
        "note": "Planning meeting at school.",
    }
    response = client.post(f"/cases/{case.id}/contacts", data=data)
    assert response.status_code == 303, response.text[:2000]
    assert db.exec(select(Contact)).one().professionals == "Ms Achebe (school); PC Ward (police)"
    assert "also there: Ms Achebe (school); PC Ward (police)" in client.get(f"/cases/{case.id}").text


def test_where_the_young_person_lives_is_kept_with_its_history_in_the_outcome_codes(client, db, settings):
    assert outcome_models.LIVING is codes.LIVING  # one code list, shared, not a copy
    worker = make_user(db)
    case = make_case(db, worker=worker)
    db.commit()
    login(client, db, worker, settings)
    first = {"living": "with_parents", "with_whom": "Mum", "since": (today() - timedelta(days=90)).isoformat()}
    then = {
        "living": "sofa_surfing",
        "with_whom": "A friend's family",
        "since": (today() - timedelta(days=5)).isoformat(),
    }
    assert client.post(f"/cases/{case.id}/living", data=first).status_code == 303
    assert client.post(f"/cases/{case.id}/living", data=then).status_code == 303
    page = client.get(f"/cases/{case.id}/living").text
    assert "Now: <strong>Sofa-surfing</strong>, with A friend&#39;s family" in page
    assert "Before that" in page and "At home with parents or carers, with Mum" in page
    future = {"living": "homeless", "since": (today() + timedelta(days=2)).isoformat()}
    refused = client.post(f"/cases/{case.id}/living", data=future)
    assert refused.status_code == 422 and "The date it started is in the future" in refused.text
    assert len(db.exec(select(LivingSituation)).all()) == 2
    assert len(db.exec(select(AuditEntry).where(AuditEntry.object_type == "living_situation")).all()) == 2


def _day(value: datetime):
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(LOCAL).date()


def test_status_changes_and_eligibility_can_be_dated_in_the_past_never_the_future(client, db, settings):
    from app.cases.models import CaseEvent, EligibilityDecision

    worker = make_user(db)
    case = make_case(db, worker=worker, status="referred", referral_date=today() - timedelta(days=20))
    db.commit()
    login(client, db, worker, settings)
    earlier = today() - timedelta(days=10)
    future = client.post(
        f"/cases/{case.id}/eligibility",
        data={"criteria": ["S-A5", "S-B1"], "happened_on": (today() + timedelta(days=1)).isoformat()},
    )
    assert future.status_code == 422 and "The date it happened is in the future" in future.text
    decided = client.post(
        f"/cases/{case.id}/eligibility",
        data={"criteria": ["S-A5", "S-B1"], "happened_on": earlier.isoformat(), "happened_time": "14:00"},
    )
    assert decided.status_code == 303
    db.expire_all()
    decision = db.exec(select(EligibilityDecision)).one()
    moved = db.exec(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.to_status == "screening")).one()
    entry = db.exec(select(AuditEntry).where(AuditEntry.object_type == "eligibility_decision")).one()
    # The decision and the move into screening are dated when they happened; the audit, when entered.
    assert _day(decision.decided_at) == earlier and _day(moved.occurred_at) == earlier
    assert _day(entry.at) >= today() - timedelta(days=1)

    before_referral = client.post(
        f"/cases/{case.id}/status",
        data={
            "to": "closed",
            "rationale": "x",
            "closure_reason": "other",
            "happened_on": (today() - timedelta(days=30)).isoformat(),
        },
    )
    assert before_referral.status_code == 422 and "before the referral" in before_referral.text
