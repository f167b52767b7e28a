"""Issue 18, defect 7: what the forms accepted that they should not, and what they said unclearly."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from app.cases.models import Contact, Person, new_id
from app.network.models import NetworkTask
from app.signs_of_safety.models import MapItem
from app.timeutil import today
from tests.factories import login, make_case, make_user
from tests.network.factories import make_family_case, meeting_form


def test_a_person_with_an_email_that_is_not_one_is_refused_beside_the_field(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    data = {"name": "Donna Morgan", "relationship": "Mother", "email": "not-an-email"}
    refused = client.post(f"/cases/{case.id}/people", data=data)
    assert refused.status_code == 422 and "does not look like an email address" in refused.text
    assert 'value="not-an-email"' in refused.text  # what was typed is kept
    assert db.exec(select(Person).where(Person.name == "Donna Morgan")).first() is None
    ok = client.post(f"/cases/{case.id}/people", data={**data, "email": "donna@example.org"})
    assert ok.status_code == 303


def test_a_next_step_or_a_network_task_due_in_2020_is_refused(client, db, settings):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    step = {
        "id": new_id(),
        "base_version": "0",
        "category": "next_step",
        "text": "Book the network meeting.",
        "who": "key_worker",
        "due_on": "2020-03-01",
    }
    refused = client.post(f"/cases/{case.id}/signs-of-safety/items", data=step)
    assert refused.status_code == 422 and "The date it is due by has already passed" in refused.text
    assert db.exec(select(MapItem)).first() is None

    data = meeting_form(people, **{"task-0-due": "2020-03-01"})
    refused = client.post(f"/cases/{case.id}/network/meetings", data=data)
    assert refused.status_code == 422 and "The date it is due by has already passed" in refused.text
    assert db.exec(select(NetworkTask)).first() is None


def test_a_network_task_past_its_date_is_overdue_like_a_next_step(client, db, settings):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    held = today() - timedelta(days=30)
    data = meeting_form(
        people,
        held_on=held.isoformat(),
        next_meeting_on=(today() + timedelta(days=10)).isoformat(),
        **{f"task-{n}-due": (today() + timedelta(days=5)).isoformat() for n in range(1, 4)},
        **{"task-0-due": (held + timedelta(days=7)).isoformat()},
    )
    assert client.post(f"/cases/{case.id}/network/meetings", data=data).status_code == 303
    page = client.get(f"/cases/{case.id}").text
    items = page.split("<li")
    late = next(item for item in items if data["task-0-what"] in item)
    later = next(item for item in items if data["task-1-what"] in item)
    assert "Overdue" in late and "Overdue" not in later


def test_stepped_to_offers_child_in_need_once(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    page = client.get(f"/cases/{case.id}/end").text
    stepped_to = page.split('id="destination"', 1)[1].split("</select>", 1)[0]
    assert stepped_to.count("Child in need (CIN)") == 1


def test_the_error_summary_names_each_date_in_the_future(client, db, settings):
    worker = make_user(db)
    login(client, db, worker, settings)
    future = (today() + timedelta(days=3)).isoformat()
    response = client.post(
        "/referrals",
        data={
            "young_person_name": "Kayla Morgan",
            "date_of_birth": future,
            "referral_date": future,
            "referral_reason": "Missing overnight",
            "key_worker_id": str(worker.id),
        },
    )
    assert response.status_code == 422
    summary = response.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "The date of birth is in the future" in summary and "The referral date is in the future" in summary
    assert "This date is in the future" not in summary


def test_a_missed_visit_does_not_say_it_took_an_hour(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    db.add(
        Contact(
            case_id=case.id,
            kind="visit",
            place="home",
            occurred_on=date.today() - timedelta(days=1),
            attended=False,
            duration_minutes=60,
            by_user_id=worker.id,
        )
    )
    db.commit()
    login(client, db, worker, settings)
    page = client.get(f"/cases/{case.id}").text
    for line in (line for line in page.splitlines() if "Missed home visit" in line):
        assert "60 min" not in line
    assert "Missed home visit" in page
