"""The family's Signs of Safety screens (three houses, one house per screen; the safety scale) at
addresses naming the case and the person: open to the case's worker (so "Take offline" keeps them
and the outbox can replay them after the hand-back) and to family mode for that case only."""

from __future__ import annotations

import base64
import re
import uuid

import pytest
from sqlmodel import func, select

from app.audit.models import AuditEntry
from app.cases.models import new_id
from app.signs_of_safety import rules
from app.signs_of_safety.models import Category, ScaleRating, ThreeHousesEntry
from tests.factories import login, make_case, make_user
from tests.family.factories import hand_over, with_pin
from tests.signs_of_safety.factories import add_item, make_person, young_person

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture
def family(client, db, settings):
    worker = with_pin(make_user(db, full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan", practice_context="cp")
    mum = make_person(db, case=case, name="Donna Morgan", relationship="Mother")
    db.commit()
    login(client, db, worker, settings)
    return worker, case, young_person(db, case), mum


def _count(db, model) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(model)).one()


def test_take_offline_keeps_each_persons_scale_and_the_young_persons_three_houses(client, db, family):
    _, case, kayla, mum = family
    pages = client.get(f"/cases/{case.id}/offline-pages").json()["pages"]
    houses = [f"/family/{case.id}/{kayla.id}/three-houses/{h}" for h in ("worries", "good_things", "dreams")]
    scales = [f"/family/{case.id}/{p.id}/safety-scale" for p in (kayla, mum)]
    assert [p for p in houses + scales if p not in pages] == []
    assert f"/family/{case.id}/{mum.id}/three-houses/worries" not in pages
    for url in houses + scales:
        response = client.get(url)
        assert response.status_code == 200, url
        # A family screen (no way out but "Hand back"), whose one form works without a signal.
        assert "data-family-lock" in response.text and 'aria-label="Main"' not in response.text
        # (Besides the language switch on every family screen.)
        forms = [
            f for f in re.findall(r"<form [^>]*method=\"post\"[^>]*>", response.text) if "language-choices" not in f
        ]
        assert len(forms) == 1 and "data-offline" in forms[0] and "data-offline-next" in forms[0], url
    # One house at a time, each leading to the next, the last back to the young person's screen.
    page = client.get(houses[0]).text
    assert "House 1 of 3" in page and f'data-offline-next="{houses[1]}"' in page
    assert f'data-offline-next="/family/{case.id}/{kayla.id}"' in client.get(houses[2]).text
    # The young person sees their own anchors, in plain words.
    low, high = rules.anchors(rater_role="young_person", practice_context="cp")
    scale = client.get(scales[0]).text
    assert low in scale and high in scale and rules.FAMILY_OVERALL_QUESTION["young_person"] in scale


def test_an_entry_replayed_after_the_hand_back_is_kept_once_in_the_young_persons_own_words(client, db, family):
    worker, case, kayla, _ = family
    url = f"/family/{case.id}/{kayla.id}/three-houses/good_things"
    entry_id = new_id()
    data = {
        "id": entry_id,
        "drawing": "data:image/png;base64," + base64.b64encode(PNG).decode(),
        "drawing_description": "My dog Biscuit",
        "consent_to_share": "1",
    }
    headers = {"Idempotency-Key": entry_id}
    first = client.post(url, data=data, headers=headers)
    assert first.status_code == 303 and first.headers["location"].endswith(
        f"/family/{case.id}/{kayla.id}/three-houses/dreams"
    )
    again = client.post(url, data=data, headers=headers)
    assert again.status_code == 303
    client.post(url, data=data)  # the same form sent again without the ledger: the id keeps it once
    assert _count(db, ThreeHousesEntry) == 1
    entry = db.get(ThreeHousesEntry, entry_id)
    assert (entry.person_id, entry.own_words, entry.house, entry.recorded_by_id) == (
        kayla.id,
        True,
        "good_things",
        worker.id,
    )
    assert entry.drawing_png == PNG and entry.consent_to_share
    audit = db.exec(select(AuditEntry).where(AuditEntry.object_id == entry_id)).all()
    assert len(audit) == 1 and "given on the family screens" in audit[0].detail


def test_a_house_with_nothing_in_it_or_an_undescribed_drawing_is_refused_beside_the_field(client, db, family):
    _, case, kayla, _ = family
    url = f"/family/{case.id}/{kayla.id}/three-houses/worries"
    empty = client.post(url, data={"id": new_id(), "text": ""})
    assert empty.status_code == 422 and "Write something, or make a drawing, before you save." in empty.text
    drawing = client.post(
        url, data={"id": new_id(), "drawing": "data:image/png;base64," + base64.b64encode(PNG).decode()}
    )
    assert drawing.status_code == 422 and "Say in a few words what your drawing shows." in drawing.text
    assert _count(db, ThreeHousesEntry) == 0


def test_a_rating_is_stored_once_in_the_persons_name_with_their_anchors(client, db, family):
    worker, case, kayla, mum = family
    rating_id = new_id()
    data = {"id": rating_id, "scale-0": "overall", "score-0": "6", "why-0": "Mum listens more now."}
    for _ in range(2):
        response = client.post(
            f"/family/{case.id}/{kayla.id}/safety-scale", data=data, headers={"Idempotency-Key": rating_id}
        )
        assert response.status_code == 303 and response.headers["location"].endswith(f"/family/{case.id}/{kayla.id}")
    rows = db.exec(select(ScaleRating)).all()
    assert len(rows) == 1
    low, high = rules.anchors(rater_role="young_person", practice_context="cp")
    row = rows[0]
    assert (row.rater_person_id, row.rater_role, row.rater_name, row.score, row.anchor_low, row.anchor_high) == (
        kayla.id,
        "young_person",
        "Kayla Morgan",
        6,
        low,
        high,
    )
    assert row.recorded_by_id == worker.id and row.why_not_lower == "Mum listens more now."
    # The address decides who is rating: a "rater" field naming someone else changes nothing.
    client.post(
        f"/family/{case.id}/{mum.id}/safety-scale", data={"id": new_id(), "rater": "key_worker", "score-0": "3"}
    )
    mine = db.exec(select(ScaleRating).where(ScaleRating.rater_person_id == mum.id)).one()
    assert (mine.rater_role, mine.score) == ("parent_carer", 3)
    assert _count(db, ScaleRating) == 2
    missing = client.post(f"/family/{case.id}/{kayla.id}/safety-scale", data={"id": new_id()})
    assert missing.status_code == 422 and "field-error" in missing.text
    assert (
        "given on the family screens"
        in db.exec(select(AuditEntry.detail).where(AuditEntry.object_id == rating_id)).one()
    )


def test_only_the_cases_workers_and_family_mode_for_that_case_open_them(client, db, settings, family):
    worker, case, kayla, mum = family
    other_case = make_case(db, worker=worker, young_person_name="Jo Bloggs")
    stranger_case = make_case(db, worker=make_user(db, email="other@example.org"))
    db.commit()
    jo = young_person(db, other_case)
    # Three houses is the young person's; a person of another case is not this case's.
    assert client.get(f"/family/{case.id}/{mum.id}/three-houses/worries").status_code == 404
    assert client.get(f"/family/{case.id}/{jo.id}/safety-scale").status_code == 404
    assert client.get(f"/family/{case.id}/{kayla.id}/three-houses/attic").status_code == 404
    assert (
        client.get(f"/family/{stranger_case.id}/{young_person(db, stranger_case).id}/safety-scale").status_code == 404
    )
    # Online family mode: the young person's home leads to the new screens, and only this case's open.
    assert hand_over(client, case, kayla).status_code == 303
    home = client.get(f"/family/{case.id}/{kayla.id}").text
    assert (
        f"/family/{case.id}/{kayla.id}/three-houses/worries" in home
        and f"/family/{case.id}/{kayla.id}/safety-scale" in home
    )
    response = client.post(
        f"/family/{case.id}/{kayla.id}/three-houses/worries",
        data={"id": new_id(), "text": "Shouting at night.", "own_words": ""},
    )
    assert response.status_code == 303 and response.headers["location"].endswith("/three-houses/good_things")
    assert "Saved in the house of worries." in client.get(response.headers["location"]).text
    assert client.get(f"/family/{other_case.id}/{jo.id}/three-houses/worries").status_code == 404
    assert (
        client.post(f"/family/{other_case.id}/{jo.id}/safety-scale", data={"id": new_id(), "score-0": "5"}).status_code
        == 404
    )
    entry = db.exec(select(ThreeHousesEntry)).one()
    assert (entry.person_id, entry.own_words, entry.text) == (kayla.id, True, "Shouting at night.")
    assert uuid.UUID(entry.id)


def test_the_statement_pairs_can_be_rated_too_if_the_person_wants(client, db, family):
    worker, case, _, mum = family
    pair = add_item(
        db,
        case=case,
        by=worker,
        category=Category.pair,
        text="Worried Kayla goes to adults who may hurt her.",
        goal="Donna knows where Kayla is every night.",
    )
    db.commit()
    url = f"/family/{case.id}/{mum.id}/safety-scale"
    page = client.get(url).text
    assert "More, if you want (you can skip these)" in page and f'name="scale-1" value="{pair.item_key}"' in page
    rating_id = new_id()
    assert (
        client.post(
            url, data={"id": rating_id, "scale-0": "overall", "score-0": "5", "scale-1": pair.item_key, "score-1": "2"}
        ).status_code
        == 303
    )
    rows = {r.pair_key: (r.score, r.rater_person_id) for r in db.exec(select(ScaleRating)).all()}
    assert rows == {None: (5, mum.id), pair.item_key: (2, mum.id)}


def test_in_family_mode_a_rating_takes_the_hand_overs_day_whatever_the_form_says(client, db, family):
    """The family never sees a date; a rated_on field added to the form cannot back-date it."""
    from datetime import timedelta

    from app.timeutil import local, today

    worker, case, kayla, mum = family
    given = today() - timedelta(days=2)  # a visit entered afterwards
    handed = client.post(
        f"/cases/{case.id}/hand-to-family", data={"person": mum.id, "pin": "246813", "rated_on": given.isoformat()}
    )
    assert handed.status_code == 303
    forged = (today() - timedelta(days=1)).isoformat()
    data = {"id": new_id(), "scale-0": "overall", "score-0": "4", "rated_on": forged}
    assert client.post(f"/family/{case.id}/{mum.id}/safety-scale", data=data).status_code == 303
    db.expire_all()
    rating = db.exec(select(ScaleRating).where(ScaleRating.rater_person_id == mum.id)).one()
    assert local(rating.rated_at).date() == given


def test_a_note_the_worker_wrote_in_a_house_is_not_shown_to_the_young_person_as_her_words(client, db, family):
    """The worker writes two things in Kayla's house of worries: what Kayla said, in her own words,
    and a note of their own (not ticked as her words), both marked OK to share. Kayla's house on the
    family screens shows her words only: until December 2026 the worker's note was listed there too,
    in quotation marks, as if she had said it (and on the copy kept on the tablet)."""
    worker, case, kayla, _mum = family
    hers = {"house": "worries", "text": "Mum and Dad shouting at night.", "own_words": "on", "consent_to_share": "on"}
    note = {"house": "worries", "text": "Worker: check the school's attendance log.", "consent_to_share": "on"}
    for entry in (hers, note):
        response = client.post(f"/cases/{case.id}/signs-of-safety/three-houses/entries", data=entry)
        assert response.status_code == 303
    kept = client.get(f"/family/{case.id}/{kayla.id}/three-houses/worries").text  # what Take offline keeps
    assert "Mum and Dad shouting at night." in kept and "attendance log" not in kept
    assert hand_over(client, case, kayla).status_code == 303
    screen = client.get(f"/family/{case.id}/{kayla.id}/three-houses/worries").text
    assert "Mum and Dad shouting at night." in screen and "attendance log" not in screen


def test_a_scale_answer_sent_after_the_hand_back_keeps_the_day_the_hand_over_gave(client, db, family):
    """The worker hands over for a visit two days ago; Mum's safety-scale answer waits on the tablet
    (no signal) and is sent after the hand-back. Its form carries the hand-over's day, as the
    Diamond's does, so it is dated with the Diamond answers from the same sitting: until December
    2026 it was dated the day it was sent."""
    from datetime import timedelta

    from app.timeutil import local, today

    worker, case, kayla, mum = family
    given = today() - timedelta(days=2)
    handed = client.post(
        f"/cases/{case.id}/hand-to-family", data={"person": mum.id, "pin": "246813", "rated_on": given.isoformat()}
    )
    assert handed.status_code == 303
    page = client.get(f"/family/{case.id}/{mum.id}/safety-scale").text
    field = re.search(r'<input type="hidden" name="rated_on" value="([^"]*)" data-made-on>', page)
    assert field is not None and field.group(1) == given.isoformat()
    assert client.post(f"/family/{case.id}/hand-back", data={"pin": "246813"}).status_code == 303
    # What the tablet kept from that form, sent as the worker after the hand-back.
    data = {"id": new_id(), "scale-0": "overall", "score-0": "6", "rated_on": field.group(1)}
    assert client.post(f"/family/{case.id}/{mum.id}/safety-scale", data=data).status_code == 303
    db.expire_all()
    rating = db.exec(select(ScaleRating).where(ScaleRating.rater_person_id == mum.id)).one()
    assert local(rating.rated_at).date() == given


def test_two_parents_of_one_name_are_two_raters_on_the_scales_and_the_case_page(client, db, family):
    """Kayla's father and stepfather are both Chris Morgan. The father rates 2 on his own screen, the
    stepfather 9 a little later. They are two raters: two columns on the scales page, told apart by
    their relationship, and both numbers on the case page. Until December 2026 they were grouped by
    name: one column reading "2, then 9", and the case page showed the 9 alone."""
    worker, case, _kayla, _mum = family
    father = make_person(db, case=case, name="Chris Morgan", relationship="Father")
    stepfather = make_person(db, case=case, name="Chris Morgan", relationship="Stepfather")
    db.commit()
    for person, score in ((father, "2"), (stepfather, "9")):
        data = {"id": new_id(), "scale-0": "overall", "score-0": score}
        assert client.post(f"/family/{case.id}/{person.id}/safety-scale", data=data).status_code == 303
    scales = client.get(f"/cases/{case.id}/signs-of-safety/scales").text
    assert "Chris Morgan (parent or carer, father)" in scales
    assert "Chris Morgan (parent or carer, stepfather)" in scales
    case_page = client.get(f"/cases/{case.id}").text
    latest = case_page[case_page.index("Latest overall scale:") :][:200]
    assert "Chris Morgan 2/10" in latest and "Chris Morgan 9/10" in latest
