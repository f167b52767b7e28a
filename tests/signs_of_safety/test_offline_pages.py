"""Mapping a case with the family without a signal: the pages kept on the device, and the answers
the map gives to work sent from them later."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event
from sqlmodel import select

from app.cases.models import new_id
from app.signs_of_safety import service
from app.signs_of_safety.models import Category, MapVersion, ScaleRating
from tests.factories import login, make_case, make_user
from tests.signs_of_safety.factories import add_item, make_person, young_person

CATEGORIES = [
    "harm",
    "pair",
    "complicating",
    "strength",
    "existing_safety",
    "next_step",
    "rule",
    "red_flag",
    "non_negotiable",
]


@pytest.fixture
def worker_case(client, db, settings):
    worker = make_user(db, full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan", practice_context="cp")
    mum = make_person(db, case=case, name="Donna Morgan", relationship="Mother")
    db.commit()
    login(client, db, worker, settings)
    return worker, case, mum


def listed(client, case) -> list[str]:
    response = client.get(f"/cases/{case.id}/offline-pages")
    assert response.status_code == 200
    return response.json()["pages"]


def test_a_case_with_no_map_yet_keeps_every_page_needed_to_map_it_with_the_family(client, db, worker_case):
    _, case, mum = worker_case
    base = f"/cases/{case.id}/signs-of-safety"
    pages = listed(client, case)
    expected = [
        base,
        *(f"{base}/items/new?category={c}" for c in CATEGORIES),
        f"{base}/scales",
        f"{base}/scales/rate?rater=person:{mum.id}",
        f"{base}/scales/rate?rater=person:{young_person(db, case).id}",
        f"{base}/scales/rate?rater=key_worker",
        f"{base}/three-houses?house=worries",
        f"{base}/three-houses?house=good_things",
        f"{base}/three-houses?house=dreams",
        f"{base}/words-and-pictures",
    ]
    assert [p for p in expected if p not in pages] == []
    for url in (p for p in pages if p.startswith(base)):
        response = client.get(url)
        assert response.status_code == 200, url
        # Every form on a kept page can be used without a signal.
        forms = re.findall(r"<form [^>]*method=\"post\"[^>]*>", response.text)
        assert [f for f in forms if "data-offline" not in f and "data-logout" not in f] == [], url
    # With no map yet, the map still offers to submit: offline, the items made on the device are
    # sent first and the submission follows them.
    assert 'action="' + base + '/submit"' in client.get(base).text


def test_the_items_already_on_the_map_and_its_versions_are_kept_to_change_and_read(client, db, worker_case):
    worker, case, mum = worker_case
    base = f"/cases/{case.id}/signs-of-safety"
    strength = add_item(db, case=case, by=worker, text="Gran has Kayla every weekend.")
    service.submit(session=db, map_version=service.latest_version(session=db, case=case), by=worker)
    rule = add_item(
        db,
        case=case,
        by=worker,
        category=Category.rule,
        text="Kayla texts Mum by 9pm.",
        base_version=1,
        person_id=mum.id,
    )
    db.commit()
    pages = listed(client, case)
    for url in (
        f"{base}/items/{strength.item_key}/edit",
        f"{base}/items/{rule.item_key}/edit",
        f"{base}/versions/1",
        f"{base}/versions/2",
        f"{base}/print",
    ):
        assert url in pages
        assert client.get(url).status_code == 200, url
    assert "Kayla texts Mum by 9pm." in client.get(f"{base}/items/{rule.item_key}/edit").text


def test_listing_the_pages_takes_the_same_number_of_queries_however_big_the_map(client, db, worker_case):
    worker, case, mum = worker_case

    def count_queries() -> int:
        statements = []
        listener = lambda *args: statements.append(1)  # noqa: E731
        event.listen(db.get_bind(), "before_cursor_execute", listener)
        try:
            listed(client, case)
        finally:
            event.remove(db.get_bind(), "before_cursor_execute", listener)
        return len(statements)

    add_item(db, case=case, by=worker)
    db.commit()
    small = count_queries()
    for n in range(12):
        add_item(db, case=case, by=worker, category=Category.pair, text=f"Worry {n}.", goal=f"Goal {n}.")
        make_person(db, case=case, name=f"Aunt {n}", relationship="Aunt")
    service.submit(session=db, map_version=service.latest_version(session=db, case=case), by=worker)
    add_item(db, case=case, by=worker, base_version=1)
    db.commit()
    assert len(listed(client, case)) > 30
    assert count_queries() == small


def test_submitting_before_anything_is_on_the_map_is_refused_beside_the_button(client, db, worker_case):
    _, case, _ = worker_case
    response = client.post(f"/cases/{case.id}/signs-of-safety/submit", data={"base_version": "0"})
    assert response.status_code == 422
    assert "Add what you and the family found to the map before submitting it." in response.text
    assert db.exec(select(MapVersion)).first() is None


def test_a_rating_sent_after_a_pair_was_removed_stays_with_the_pair_it_was_given_for(client, db, worker_case):
    # The rating screen was kept on the device with two pairs; before it synced, the first pair
    # was taken off the map (version 2). Numbers follow the pair they were given for, never the
    # position, and the rating for the removed pair is kept with it.
    worker, case, _ = worker_case
    first = add_item(db, case=case, by=worker, category=Category.pair, text="Worry one.", goal="Goal one.")
    second = add_item(db, case=case, by=worker, category=Category.pair, text="Worry two.", goal="Goal two.")
    service.submit(session=db, map_version=service.latest_version(session=db, case=case), by=worker)
    db.commit()
    page = client.get(f"/cases/{case.id}/signs-of-safety/scales/rate?rater=key_worker").text
    assert f'name="scale-1" value="{first.item_key}"' in page and f'name="scale-2" value="{second.item_key}"' in page
    service.remove_item(session=db, case=case, item_key=first.item_key, base_version=1, by=worker)
    db.commit()
    assert "Worry one." not in client.get(f"/cases/{case.id}/signs-of-safety/scales/rate?rater=key_worker").text
    form = {
        "id": new_id(),
        "rater": "key_worker",
        "scale-0": "overall",
        "score-0": "4",
        "scale-1": first.item_key,
        "score-1": "2",
        "scale-2": second.item_key,
        "score-2": "7",
        "scale-3": "not-a-pair",
        "score-3": "9",
    }
    assert client.post(f"/cases/{case.id}/signs-of-safety/scales/ratings", data=form).status_code == 303
    db.expire_all()
    scores = {r.pair_key: r.score for r in db.exec(select(ScaleRating)).all()}
    assert scores == {None: 4, first.item_key: 2, second.item_key: 7}


def test_ratings_from_an_older_page_without_scale_keys_still_follow_the_current_order(client, db, worker_case):
    worker, case, _ = worker_case
    pair = add_item(db, case=case, by=worker, category=Category.pair, text="Worry one.", goal="Goal one.")
    db.commit()
    form = {"id": new_id(), "rater": "key_worker", "score-0": "5", "score-1": "3"}
    assert client.post(f"/cases/{case.id}/signs-of-safety/scales/ratings", data=form).status_code == 303
    db.expire_all()
    assert {r.pair_key: r.score for r in db.exec(select(ScaleRating)).all()} == {None: 5, pair.item_key: 3}
