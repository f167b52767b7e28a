"""Offline edits merged field by field with the record as it is now (app/sync/rules.three_way, merge_edit)."""

from __future__ import annotations

import json
import uuid

from sqlmodel import func, select

from app.cases.models import Person
from app.sync.models import SyncConflict
from app.sync.rules import three_way
from tests.cases.factories import make_person
from tests.factories import login, make_case, make_user


def test_changes_to_different_fields_both_apply_and_only_a_field_changed_on_both_sides_conflicts():
    base = {"phone": "1", "email": "", "address": "Old Row"}
    theirs = {"phone": "2", "email": "", "address": "New Row"}
    merged, conflicts = three_way(base=base, mine={"phone": "3", "email": "a@b", "address": "Old Row"}, theirs=theirs)
    assert merged == {"phone": "2", "email": "a@b", "address": "New Row"}
    assert conflicts == {"phone": ("1", "2", "3")}


def test_the_same_change_on_both_sides_is_no_conflict_and_without_a_base_every_difference_is_one():
    assert three_way(base={"phone": "1"}, mine={"phone": "2"}, theirs={"phone": "2"}) == ({"phone": "2"}, {})
    assert three_way(base=None, mine={"phone": "3", "email": "x"}, theirs={"phone": "2", "email": "x"}) == (
        {"phone": "2", "email": "x"},
        {"phone": ("", "2", "3")},
    )


def _setup(db, client, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    donna = make_person(db, case, phone="07700 900001", version=1)
    db.commit()
    login(client, db, worker, settings)
    return case, donna


def _as_shown(**changes):
    shown = {"name": "Donna Morgan", "relationship": "Mother", "in_household": "1", "knows_the_worries": ""}
    shown |= {"phone": "07700 900001", "email": "", "address": "", "date_of_birth": "", "notes": ""}
    return {**shown, "shown": json.dumps(shown), "base_version": "1", **changes}


def test_two_edits_from_one_kept_page_each_change_only_their_own_field(db, client, settings):
    case, donna = _setup(db, client, settings)
    url = f"/cases/{case.id}/people/{donna.id}"
    for data in (_as_shown(phone="07700 900999"), _as_shown(notes="Works nights.")):
        answer = client.post(
            url, data=data, headers={"Idempotency-Key": str(uuid.uuid4()), "Accept": "application/json"}
        )
        assert answer.status_code == 303
    db.expire_all()
    now = db.get(Person, donna.id)
    assert (now.phone, now.notes, now.in_household, now.version) == ("07700 900999", "Works nights.", True, 3)


def test_a_field_changed_on_both_sides_waits_alone_and_the_conflict_page_preselects_nothing(db, client, settings):
    case, donna = _setup(db, client, settings)
    donna.phone, donna.version = "07700 900555", 2  # changed in the office since the tablet's copy
    db.add(donna)
    db.commit()
    op = str(uuid.uuid4())
    answer = client.post(
        f"/cases/{case.id}/people/{donna.id}",
        data=_as_shown(phone="07700 900999", email="donna@example.org"),
        headers={"Idempotency-Key": op},
    )
    assert answer.status_code == 409 and answer.headers["location"] == f"/conflicts/{op}"
    db.expire_all()
    now = db.get(Person, donna.id)
    assert (now.phone, now.email) == ("07700 900555", "donna@example.org")
    page = client.get(f"/conflicts/{op}").text
    assert page.count("<fieldset") == 1 and "Before: 07700 900001" in page
    assert "Keep yours: 07700 900999" in page and "Keep Homeward's: 07700 900555" in page and "checked" not in page
    conflict = db.get(SyncConflict, op)
    assert json.loads(conflict.mine) == {"phone": "07700 900999"} and json.loads(conflict.theirs) == {
        "phone": "07700 900555"
    }
    assert db.exec(select(func.count()).select_from(SyncConflict)).one() == 1
