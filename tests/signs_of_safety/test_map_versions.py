"""The map is a versioned document: drafts change, submitted versions never do."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.cases.models import new_id
from app.signs_of_safety import service
from app.signs_of_safety.models import Category, MapItem, MapStatus
from app.signs_of_safety.service import ItemFields, StaleVersion
from tests.factories import make_case, make_user
from tests.signs_of_safety.factories import add_item


def test_first_item_starts_version_one_as_a_draft(db):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    add_item(db, case=case, by=worker, category=Category.harm, text="Kayla was hit by her mum's partner in March.")
    version = service.latest_version(session=db, case=case)
    assert (version.number, version.status) == (1, MapStatus.draft)
    assert [i.category for i in service.items(session=db, map_version=version)] == ["harm"]


def test_editing_a_submitted_version_creates_version_two_and_leaves_version_one_unchanged(db):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    item = add_item(db, case=case, by=worker, text="Gran collects Kayla on Fridays.")
    v1 = service.latest_version(session=db, case=case)
    service.submit(session=db, map_version=v1, by=worker)

    service.edit_item(
        session=db,
        case=case,
        item_key=item.item_key,
        base_version=1,
        fields=ItemFields(text="Gran collects Kayla on Fridays and Saturdays.", by_key_worker=True),
        by=worker,
    )

    v2 = service.latest_version(session=db, case=case)
    assert (v2.number, v2.status, v2.based_on) == (2, MapStatus.draft, 1)
    assert [i.text for i in service.items(session=db, map_version=v2)] == [
        "Gran collects Kayla on Fridays and Saturdays."
    ]
    db.expire_all()
    v1_again = service.get_version(session=db, case=case, number=1)
    assert v1_again.status == MapStatus.submitted
    assert [i.text for i in service.items(session=db, map_version=v1_again)] == ["Gran collects Kayla on Fridays."]


def test_further_edits_from_the_same_submitted_version_land_in_the_same_draft(db):
    # An offline worker's outbox carries base_version 1 on every change made from version 1.
    worker = make_user(db)
    case = make_case(db, worker=worker)
    add_item(db, case=case, by=worker)
    service.submit(session=db, map_version=service.latest_version(session=db, case=case), by=worker)
    add_item(db, case=case, by=worker, base_version=1, text="Mum phones the school when Kayla is ill.")
    add_item(db, case=case, by=worker, base_version=1, text="Kayla tells Gran when she is worried.")
    assert [v.number for v in service.versions(session=db, case=case)] == [2, 1]
    assert len(service.items(session=db, map_version=service.latest_version(session=db, case=case))) == 3


def test_change_from_an_older_version_is_refused_as_stale_not_applied(db):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    add_item(db, case=case, by=worker)
    service.submit(session=db, map_version=service.latest_version(session=db, case=case), by=worker)
    add_item(db, case=case, by=worker, base_version=1)
    service.submit(session=db, map_version=service.latest_version(session=db, case=case), by=worker)

    with pytest.raises(StaleVersion) as raised:
        add_item(db, case=case, by=worker, base_version=1, text="Made offline from version 1.")
    assert (raised.value.base_version, raised.value.current) == (1, 2)
    assert len(db.exec(select(MapItem).where(MapItem.text == "Made offline from version 1.")).all()) == 0


def test_same_item_id_twice_adds_one_item(db):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    item_id = new_id()
    for _ in range(2):
        service.add_item(
            session=db,
            case=case,
            item_id=item_id,
            base_version=0,
            category=Category.strength,
            fields=ItemFields(text="Mum cooks tea every night."),
            by=worker,
        )
    assert len(db.exec(select(MapItem)).all()) == 1


def test_submitting_twice_keeps_the_first_submission(db):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    add_item(db, case=case, by=worker)
    first = service.submit_from(session=db, case=case, base_version=1, by=worker)
    at = first.submitted_at
    again = service.submit_from(session=db, case=case, base_version=1, by=worker)
    assert again.id == first.id and again.submitted_at == at and again.status == MapStatus.submitted


def test_family_disagreement_is_kept_when_a_worry_is_edited(db):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    worry = add_item(
        db, case=case, by=worker, category=Category.harm, text="Kayla missed 20 days of school.", family_agrees=False
    )
    service.edit_item(
        session=db,
        case=case,
        item_key=worry.item_key,
        base_version=1,
        fields=ItemFields(text="Kayla missed 22 days of school this term."),
        by=worker,
    )
    assert (
        service.find_item(
            session=db, map_version=service.latest_version(session=db, case=case), item_key=worry.item_key
        ).family_agrees
        is False
    )
