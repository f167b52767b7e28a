"""A map item changed offline merges field by field with the item as the map holds it now
(app/sync merge_edit): a correction from a kept page changes only what it changes."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlmodel import select

from app.signs_of_safety import service
from app.signs_of_safety.models import Category, MapItem, MapVersion
from app.sync.models import SyncConflict
from tests.factories import login, make_case, make_user
from tests.signs_of_safety.factories import add_item, make_person
from tests.sync.shown_form import kept_form, post_from


@pytest.fixture
def rule(client, db, settings):
    worker = make_user(db, full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan", practice_context="cin")
    mum = make_person(db, case=case)
    item = add_item(
        db,
        case=case,
        by=worker,
        category=Category.rule,
        text="Kayla is home by 9pm on school nights.",
        detail="Mum texts the key worker on Fridays.",
        person_id=mum.id,
        by_key_worker=False,
    )
    db.commit()
    login(client, db, worker, settings)
    url = f"/cases/{case.id}/signs-of-safety/items/{item.item_key}"
    return case, worker, item, url


def _send(client, url, data):
    op = str(uuid.uuid4())
    return op, client.post(url, data=data, headers={"Idempotency-Key": op})


def _now(db, case, item_key) -> MapItem:
    db.expire_all()
    latest = service.latest_version(session=db, case=case)
    return service.find_item(session=db, map_version=latest, item_key=item_key)


def test_two_corrections_of_different_fields_from_one_kept_page_both_apply(client, db, rule):
    case, _worker, item, url = rule
    kept = kept_form(client, "sos-item-form", url + "/edit")
    assert kept.shown["text"] == "Kayla is home by 9pm on school nights."
    assert _send(client, url, post_from(kept, text="Kayla is home by 9.30pm on school nights."))[1].status_code == 303
    assert _send(client, url, post_from(kept, detail="Mum texts on Fridays and Mondays."))[1].status_code == 303
    now = _now(db, case, item.item_key)
    assert (now.text, now.detail) == ("Kayla is home by 9.30pm on school nights.", "Mum texts on Fridays and Mondays.")


def test_a_kept_page_of_a_submitted_version_merges_into_the_next_draft(client, db, rule):
    case, worker, item, url = rule
    kept = kept_form(client, "sos-item-form", url + "/edit")  # version 1, a draft
    office = kept_form(client, "sos-item-form", url + "/edit")
    assert _send(client, url, post_from(office, detail="Checked at the Friday visit."))[1].status_code == 303
    service.submit(session=db, map_version=service.latest_version(session=db, case=case), by=worker)
    db.commit()
    # From the page kept before the submit: the text only. Version 2 starts; the detail stays.
    assert _send(client, url, post_from(kept, text="Kayla is home by 10pm at weekends."))[1].status_code == 303
    now = _now(db, case, item.item_key)
    assert (now.text, now.detail) == ("Kayla is home by 10pm at weekends.", "Checked at the Friday visit.")
    assert sorted(v.number for v in db.exec(select(MapVersion)).all()) == [1, 2]


def test_the_same_field_changed_on_both_sides_conflicts_alone_with_nothing_preselected(client, db, rule):
    case, _worker, item, url = rule
    kept = kept_form(client, "sos-item-form", url + "/edit")
    office = kept_form(client, "sos-item-form", url + "/edit")
    assert _send(client, url, post_from(office, text="Home by 8pm."))[1].status_code == 303
    op, answer = _send(client, url, post_from(kept, text="Home by 10pm.", detail="Nan checks."))
    assert answer.status_code == 409 and answer.headers["location"] == f"/conflicts/{op}"
    now = _now(db, case, item.item_key)
    assert (now.text, now.detail) == ("Home by 8pm.", "Nan checks.")  # the other change is saved
    page = client.get(f"/conflicts/{op}").text
    assert page.count("<fieldset") == 1 and "Keep yours: Home by 10pm." in page
    assert "Keep Homeward's: Home by 8pm." in page and "checked" not in page
    assert json.loads(db.get(SyncConflict, op).mine) == {"text": "Home by 10pm."}
    # The worker keeps theirs: the choice posts to the item's own form and settles the conflict.
    settle = {"base_version": "1", "shown": json.dumps({"text": "Home by 8pm."}), "text": "Home by 10pm."}
    assert client.post(f"{url}?resolves={op}", data=settle).status_code == 303
    assert _now(db, case, item.item_key).text == "Home by 10pm."
    assert db.get(SyncConflict, op).resolved_at is not None


def test_a_stale_post_without_the_script_conflicts_on_every_field_that_differs(client, db, rule):
    case, worker, item, url = rule
    kept = kept_form(client, "sos-item-form", url + "/edit")
    service.submit(session=db, map_version=service.latest_version(session=db, case=case), by=worker)
    add_item(db, case=case, by=worker, text="Another strength.")  # version 2 started elsewhere
    service.submit(session=db, map_version=service.latest_version(session=db, case=case), by=worker)
    db.commit()
    plain = {**kept.hidden, **kept.shown, "text": "Home by 10pm.", "detail": "Nan checks."}
    op, answer = _send(client, url, plain)
    assert answer.status_code == 409
    assert json.loads(db.get(SyncConflict, op).mine) == {"text": "Home by 10pm.", "detail": "Nan checks."}
    now = _now(db, case, item.item_key)
    assert now.text == "Kayla is home by 9pm on school nights."


def test_the_safety_plan_review_date_merges_with_the_date_the_map_holds_now(client, db, rule):
    case, worker, _item, _url = rule
    url = f"/cases/{case.id}/signs-of-safety/safety-plan"
    kept = kept_form(client, "sos-review-form", f"/cases/{case.id}/signs-of-safety")
    office = kept_form(client, "sos-review-form", f"/cases/{case.id}/signs-of-safety")
    assert kept.shown == {"review_on": ""}
    assert _send(client, url, post_from(office, review_on="2027-01-15"))[1].status_code == 303
    # Saved again from the kept page with the date left as it showed: the office's date stays.
    assert _send(client, url, post_from(kept))[1].status_code == 303
    db.expire_all()
    assert str(service.latest_version(session=db, case=case).safety_plan_review_on) == "2027-01-15"
    op, answer = _send(client, url, post_from(kept, review_on="2027-02-01"))
    assert answer.status_code == 409 and answer.headers["location"] == f"/conflicts/{op}"
    page = client.get(f"/conflicts/{op}").text
    assert "Next review of the safety plan" in page and "checked" not in page
    db.expire_all()
    assert str(service.latest_version(session=db, case=case).safety_plan_review_on) == "2027-01-15"
