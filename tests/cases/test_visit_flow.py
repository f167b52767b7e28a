"""Record a visit in one flow (issue 18): each step's form goes on to the next, online by its
redirect and offline by data-offline-next; the contact starts from the last visit."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlmodel import select

from app.cases.models import Contact
from app.signs_of_safety.models import MapItem
from app.timeutil import today
from tests.diamond.factories import four
from tests.factories import login, make_case, make_user
from tests.family.factories import PIN, add_person, with_pin, young_person


def _setup(client, db, settings):
    worker = with_pin(make_user(db, full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    mum = add_person(db, case, name="Donna Morgan", relationship="Mother")
    db.commit()
    login(client, db, worker, settings)
    return worker, case, mum


def _checked(page: str, name: str, value: str | None = None) -> bool:
    value_part = f'[^>]*value="{value}"' if value else ""
    return bool(re.search(rf'<input[^>]*name="{name}"{value_part}[^>]*checked', page))


def test_the_visit_contact_starts_from_the_last_visit(client, db, settings):
    worker, case, mum = _setup(client, db, settings)
    kayla = young_person(db, case)
    first = client.get(f"/cases/{case.id}/visit").text
    # A first visit: the young person present and seen, not alone; a home visit today for an hour.
    assert _checked(first, "present", kayla.id) and not _checked(first, "present", mum.id)
    assert _checked(first, "young_person_seen") and not _checked(first, "seen_alone")
    assert f'value="{today().isoformat()}"' in first and 'name="duration_minutes" type="number" value="60"' in first
    assert f'data-offline-next="/cases/{case.id}/hand-to-family?visit=1"' in first
    db.add(
        Contact(
            case_id=case.id,
            kind="visit",
            occurred_on=today() - timedelta(days=7),
            present=[mum.id, kayla.id],
            young_person_seen=True,
            seen_alone=True,
            by_user_id=worker.id,
        )
    )
    db.commit()
    again = client.get(f"/cases/{case.id}/visit").text
    assert _checked(again, "present", mum.id) and _checked(again, "seen_alone")
    # The ordinary contact form is not prefilled with anyone.
    assert not _checked(client.get(f"/cases/{case.id}/contacts/new").text, "present")


def test_each_step_goes_on_to_the_next_and_ends_on_what_was_recorded(client, db, settings):
    worker, case, mum = _setup(client, db, settings)
    kayla = young_person(db, case)
    contact = client.post(
        f"/cases/{case.id}/contacts",
        data={
            "id": str(uuid.uuid4()),
            "then": "visit",
            "kind": "visit",
            "place": "home",
            "outcome": "attended",
            "occurred_on": today().isoformat(),
            "duration_minutes": "60",
            "present": kayla.id,
            "young_person_seen": "1",
        },
    )
    assert contact.status_code == 303 and contact.headers["location"] == f"/cases/{case.id}/hand-to-family?visit=1"
    hand_over_page = client.get(contact.headers["location"]).text
    assert "Visit: step 2 of 4" in hand_over_page and f'href="/cases/{case.id}/diamond/rate?visit=1"' in hand_over_page
    assert "Skip this step (next: your rating)" in hand_over_page  # not "Skip to your rating"
    handed = client.post(f"/cases/{case.id}/hand-to-family", data={"person": kayla.id, "pin": PIN, "then": "visit"})
    assert handed.status_code == 303
    back = client.post(f"/family/{case.id}/hand-back", data={"pin": PIN})
    assert back.status_code == 303 and back.headers["location"] == f"/cases/{case.id}/diamond/rate?visit=1"
    rating_page = client.get(back.headers["location"]).text
    assert "Visit: step 3 of 4" in rating_page and 'name="then" value="visit"' in rating_page
    rated = client.post(
        f"/cases/{case.id}/diamond/rate", data={"id": str(uuid.uuid4()), "then": "visit", **four(5, 6, 5, 6)}
    )
    step_url = f"/cases/{case.id}/signs-of-safety/items/new?category=next_step&visit=1"
    assert rated.status_code == 303 and rated.headers["location"] == step_url
    step_page = client.get(step_url).text
    assert f'value="{(today() + timedelta(days=7)).isoformat()}"' in step_page  # due in a week unless changed
    # The visit's own words, and no "Back to the map" leading out of the visit half way.
    assert "<h1>Add a next step</h1>" in step_page and "Back to the map" not in step_page
    saved = client.post(
        f"/cases/{case.id}/signs-of-safety/items",
        data={
            "id": str(uuid.uuid4()),
            "then": "visit",
            "category": "next_step",
            "base_version": "0",
            "text": "Ring the school",
            "who": "key_worker",
            "due_on": (today() + timedelta(days=7)).isoformat(),
        },
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/cases/{case.id}/visit/done"
    done = client.get(saved.headers["location"]).text
    assert "Visit recorded" in done and "Home visit" in done
    assert 'waits in the <a href="/outbox">Outbox</a>' in done  # what a tablet without a signal holds
    assert db.exec(select(MapItem).where(MapItem.text == "Ring the school")).one()


def test_a_hand_over_outside_a_visit_still_hands_back_to_the_diamond(client, db, settings):
    worker, case, mum = _setup(client, db, settings)
    client.post(f"/cases/{case.id}/hand-to-family", data={"person": mum.id, "pin": PIN})
    back = client.post(f"/family/{case.id}/hand-back", data={"pin": PIN})
    assert back.headers["location"] == f"/cases/{case.id}/diamond"


def test_a_visit_contact_with_a_mistake_stays_in_the_visit(client, db, settings):
    worker, case, mum = _setup(client, db, settings)
    page = client.post(
        f"/cases/{case.id}/contacts",
        data={"then": "visit", "kind": "visit", "place": "home", "outcome": "attended", "occurred_on": "2999-01-01"},
    )
    assert page.status_code == 422 and "Visit: step 1 of 4" in page.text and 'name="then" value="visit"' in page.text
