"""Contacts: one quick form, missed visits never count as direct time, first contact against target."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import Case, Contact
from app.timeutil import today
from tests.cases.factories import make_person, young_person
from tests.factories import login, make_case, make_user


def test_contact_form_defaults_to_a_60_minute_home_visit_today(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    form = client.get(f"/cases/{case.id}/contacts/new").text
    assert (
        '<option value="visit" selected>Visit</option>' in form
        and '<option value="home" selected>Home</option>' in form
    )
    assert (
        f'value="{today().isoformat()}"' in form
        and 'id="duration_minutes" name="duration_minutes" type="number" value="60"' in form
    )


def test_home_visit_recorded_with_who_was_there_and_shown_on_timeline(client, db, settings):
    worker = make_user(db, full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    mother = make_person(db, case, name="Donna Morgan")
    login(client, db, worker, settings)
    data = {
        "kind": "visit",
        "place": "home",
        "outcome": "attended",
        "occurred_on": today().isoformat(),
        "start_time": "00:00",
        "duration_minutes": "75",
        "present": [mother.id, young_person(db, case).id],
        "young_person_seen": "1",
        "seen_alone": "1",
        "note": "Talked about school",
    }
    assert client.post(f"/cases/{case.id}/contacts", data=data).status_code == 303
    contact = db.exec(select(Contact)).one()
    assert (contact.direct_minutes, contact.attended, contact.seen_alone, sorted(contact.present)) == (
        75,
        True,
        True,
        sorted(data["present"]),
    )
    page = client.get(f"/cases/{case.id}").text
    assert (
        "Home visit" in page
        and "with Kayla Morgan, Donna Morgan"
        in page.replace("Donna Morgan, Kayla Morgan", "Kayla Morgan, Donna Morgan")
        and "young person seen alone" in page
    )
    assert db.exec(select(AuditEntry.detail).where(AuditEntry.object_type == "contact")).one() == "visit attended"


def test_missed_visit_is_recorded_as_missed_and_never_counts_as_direct_time(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    data = {
        "kind": "visit",
        "place": "home",
        "outcome": "missed",
        "occurred_on": today().isoformat(),
        "duration_minutes": "30",
        "direct_minutes": "30",
        "young_person_seen": "1",
        "present": [young_person(db, case).id],
    }
    assert client.post(f"/cases/{case.id}/contacts", data=data).status_code == 303
    contact = db.exec(select(Contact)).one()
    assert (
        contact.attended is False
        and contact.direct_minutes == 0
        and contact.young_person_seen is False
        and contact.present == []
    )
    db.expire_all()
    assert db.get(Case, case.id).first_contact_at is None
    page = client.get(f"/cases/{case.id}").text
    assert "Missed home visit (no access)" in page


def test_first_attended_contact_sets_first_contact_and_shows_it_against_the_target(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker, status="screening", referral_date=today() - timedelta(days=3))
    login(client, db, worker, settings)
    assert "Not yet (target 24 hours)" in client.get(f"/cases/{case.id}").text
    data = {
        "kind": "phone",
        "place": "office",
        "outcome": "attended",
        "occurred_on": (today() - timedelta(days=1)).isoformat(),
        "start_time": "10:00",
        "duration_minutes": "15",
    }
    assert client.post(f"/cases/{case.id}/contacts", data=data).status_code == 303
    db.expire_all()
    assert db.get(Case, case.id).first_contact_at is not None
    assert "outside the 24-hour target" in client.get(f"/cases/{case.id}").text


def test_a_missed_visit_with_seen_alone_left_ticked_is_recorded_as_missed(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    missed = {
        "kind": "visit",
        "place": "home",
        "occurred_on": (today() - timedelta(days=1)).isoformat(),
        "outcome": "missed",
        "seen_alone": "1",
        "duration_minutes": "60",
    }
    response = client.post(f"/cases/{case.id}/contacts", data=missed)
    assert response.status_code == 303
    contact = db.exec(select(Contact)).one()
    assert not contact.attended and not contact.seen_alone and not contact.young_person_seen


def test_future_contact_and_seen_alone_without_being_seen_are_refused(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    response = client.post(
        f"/cases/{case.id}/contacts",
        data={"kind": "visit", "place": "home", "occurred_on": (today() + timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 422 and 'id="occurred_on-error"' in response.text
    response = client.post(
        f"/cases/{case.id}/contacts",
        data={"kind": "visit", "place": "home", "occurred_on": today().isoformat(), "seen_alone": "1"},
    )
    assert response.status_code == 422 and 'id="seen_alone-error"' in response.text
    response = client.post(
        f"/cases/{case.id}/contacts",
        data={
            "kind": "visit",
            "place": "home",
            "occurred_on": today().isoformat(),
            "duration_minutes": "30",
            "direct_minutes": "90",
        },
    )
    assert response.status_code == 422 and 'id="direct_minutes-error"' in response.text
    assert db.exec(select(Contact)).all() == []


def test_contact_replayed_from_the_outbox_is_stored_once(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    data = {
        "id": str(uuid.uuid4()),
        "kind": "visit",
        "place": "home",
        "occurred_on": today().isoformat(),
        "start_time": "00:00",
    }
    assert client.post(f"/cases/{case.id}/contacts", data=data).status_code == 303
    assert client.post(f"/cases/{case.id}/contacts", data=data).status_code == 303
    assert [c.id for c in db.exec(select(Contact)).all()] == [data["id"]]


def test_contact_before_the_referral_date_is_refused(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker, referral_date=today() - timedelta(days=2))
    login(client, db, worker, settings)
    response = client.post(
        f"/cases/{case.id}/contacts",
        data={"kind": "visit", "place": "home", "occurred_on": (today() - timedelta(days=5)).isoformat()},
    )
    assert response.status_code == 422 and "before the referral" in response.text
    assert db.exec(select(Contact)).all() == []


def test_a_contact_before_the_referral_came_in_is_refused_and_a_person_ticked_twice_is_present_once(
    client, db, settings
):
    """Referred at 15:00 three days ago: a visit that morning would count as the first contact at 0
    hours, within the target. Who was there lists each person once, whatever the form repeats."""
    from datetime import time

    worker = make_user(db)
    day = today() - timedelta(days=3)
    case = make_case(db, worker=worker, referral_date=day, referral_time=time(15, 0))
    kayla = young_person(db, case).id
    login(client, db, worker, settings)
    data = {
        "kind": "visit",
        "place": "home",
        "outcome": "attended",
        "occurred_on": day.isoformat(),
        "start_time": "09:00",
        "duration_minutes": "60",
        "present": [kayla, kayla],
        "young_person_seen": "1",
        "note": "Typed before the refusal",
    }
    refused = client.post(f"/cases/{case.id}/contacts", data=data)
    assert refused.status_code == 422 and "before the referral came in, at 15:00" in refused.text
    assert "Typed before the refusal" in refused.text and db.exec(select(Contact)).first() is None
    assert client.post(f"/cases/{case.id}/contacts", data={**data, "start_time": "16:00"}).status_code == 303
    assert db.exec(select(Contact)).one().present == [kayla]
