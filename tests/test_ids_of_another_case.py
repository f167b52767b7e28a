"""A record's id belonging to another case, posted under this case's address (a forged or mixed-up
replay), is answered 404 and stores nothing: a success answer would tell a device its item was kept.
"""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import func, select

from app.base import feedback
from app.base.models import BaseFeedback, BaseVersion
from app.signs_of_safety.models import ScaleRating, StoryPanel, StoryShare, ThreeHousesEntry
from tests.factories import login, make_case, make_user
from tests.signs_of_safety.factories import make_person


@pytest.fixture
def two_cases(client, db, settings):
    worker = make_user(db)
    mine, theirs = make_case(db, worker=worker), make_case(db, worker=make_user(db))
    mum = make_person(db, case=mine, name="Samira Hassan")
    db.commit()
    return worker, mine, theirs, mum


def _count(db, model) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(model)).one()


def _as(client, db, settings, user):
    client.cookies.clear()
    login(client, db, user, settings)


def test_three_houses_scale_and_story_ids_of_another_case_are_not_found(client, db, settings, two_cases):
    worker, mine, theirs, mum = two_cases
    other = db.get(type(theirs), theirs.id).key_worker_id
    from app.accounts.models import User

    _as(client, db, settings, db.get(User, other))
    sos = f"/cases/{theirs.id}/signs-of-safety"
    entry, rating, panel, share = (str(uuid.uuid4()) for _ in range(4))
    assert (
        client.post(f"{sos}/three-houses/entries", data={"id": entry, "house": "worries", "text": "Theirs"}).status_code
        == 303
    )
    assert (
        client.post(f"{sos}/scales/ratings", data={"id": rating, "rater": "key_worker", "score-0": "5"}).status_code
        == 303
    )
    story = f"{sos}/words-and-pictures"
    assert client.post(f"{story}/panels", data={"id": panel, "base_version": "0", "text": "Theirs."}).status_code == 303
    theirs_mum = make_person(db, case=theirs, name="Donna Morgan")
    db.commit()
    shared = {"id": share, "base_version": "1", "person": theirs_mum.id, "shared_on": "2026-01-10"}
    assert client.post(f"{story}/shares", data=shared).status_code == 303
    counts = [_count(db, m) for m in (ThreeHousesEntry, ScaleRating, StoryPanel, StoryShare)]

    _as(client, db, settings, worker)
    sos = f"/cases/{mine.id}/signs-of-safety"
    story = f"{sos}/words-and-pictures"
    for url, data in (
        (f"{sos}/three-houses/entries", {"id": entry, "house": "worries", "text": "Mine"}),
        (f"{sos}/scales/ratings", {"id": rating, "rater": "key_worker", "score-0": "5"}),
        (f"{story}/panels", {"id": panel, "base_version": "0", "text": "Mine."}),
    ):
        assert client.post(url, data=data).status_code == 404, url
    client.post(f"{story}/panels", data={"id": str(uuid.uuid4()), "base_version": "0", "text": "Mine."})
    shared = {"id": share, "base_version": "1", "person": mum.id, "shared_on": "2026-01-10"}
    assert client.post(f"{story}/shares", data=shared).status_code == 404
    assert [_count(db, m) for m in (ThreeHousesEntry, ScaleRating, StoryShare)] == [counts[0], counts[1], counts[3]]


def test_a_base_version_id_of_another_case_is_not_found(client, db, settings, two_cases):
    from app.accounts.models import User

    worker, mine, theirs, _ = two_cases
    _as(client, db, settings, db.get(User, theirs.key_worker_id))
    version = str(uuid.uuid4())
    assert client.post(f"/cases/{theirs.id}/base", data={"id": version}).status_code == 303
    _as(client, db, settings, worker)
    assert client.post(f"/cases/{mine.id}/base", data={"id": version}).status_code == 404
    assert client.post(f"/cases/{mine.id}/base", data={"id": str(uuid.uuid4())}).status_code == 303
    assert client.post(f"/cases/{mine.id}/base/versions", data={"id": version}).status_code == 404
    db.expire_all()
    assert [v.case_id for v in db.exec(select(BaseVersion).order_by(BaseVersion.case_id)).all()] == sorted(
        [theirs.id, mine.id]
    )


def _scores(perspective: str) -> dict[str, str]:
    return {f"score_{q['theme']}": "3" for q in feedback.question_set(perspective)["questions"]}


def test_a_feedback_id_of_another_case_is_not_found_on_the_workers_form_or_the_familys(client, db, settings, two_cases):
    from app.accounts.models import User

    worker, mine, theirs, mum = two_cases
    other = db.get(User, theirs.key_worker_id)
    _as(client, db, settings, other)
    feedback_id = str(uuid.uuid4())
    theirs_answers = {"id": feedback_id, "about_worker": str(other.id), "round": "1", "rater_name": "SW Jones"}
    sent = {**theirs_answers, **_scores("social_worker")}
    assert client.post(f"/cases/{theirs.id}/base/feedback/social_worker", data=sent).status_code == 303

    _as(client, db, settings, worker)
    mine_answers = {"id": feedback_id, "about_worker": str(worker.id), "round": "1", "rater_name": "SW Smith"}
    sent = {**mine_answers, **_scores("social_worker")}
    assert client.post(f"/cases/{mine.id}/base/feedback/social_worker", data=sent).status_code == 404
    sent = {"id": feedback_id, "about_worker": str(worker.id), "round": "1", **_scores("parent")}
    assert client.post(f"/family/{mine.id}/{mum.id}/feedback", data=sent).status_code == 404
    db.expire_all()
    assert db.exec(select(BaseFeedback).where(BaseFeedback.case_id == mine.id)).all() == []
    assert _count(db, BaseFeedback) == 1
    # Not an id at all: the worker's form says so beside it, like the family's screen.
    sent = {**mine_answers, "id": "not-an-id", **_scores("social_worker")}
    response = client.post(f"/cases/{mine.id}/base/feedback/social_worker", data=sent)
    assert response.status_code == 422 and "This form is out of date" in response.text
    assert 'value="not-an-id"' not in response.text


def test_an_ending_return_or_dormant_review_id_of_another_case_is_not_found(client, db, settings):
    from app.cases.models import Case, CaseEvent
    from app.endings.models import Ending, Reactivation
    from tests.endings.factories import active_case, make_dormant, make_team_people
    from tests.endings.test_pages import ending_form

    people = make_team_people(db)
    ending_a, ending_b = active_case(db, people.worker), active_case(db, people.worker)
    back_a, back_b, review_a, review_b = (active_case(db, people.worker) for _ in range(4))
    for case in (back_a, back_b, review_a, review_b):
        make_dormant(db, case, people.supervisor)
    closed_a, closed_b = (make_case(db, worker=people.worker, status="closed") for _ in range(2))
    db.commit()
    status = {case.id: case.status for case in (ending_b, back_b, review_b, closed_b)}

    _as(client, db, settings, people.worker)
    ending = ending_form(ending_a)
    assert client.post(f"/cases/{ending_a.id}/end", data=ending).status_code == 303
    assert client.post(f"/cases/{ending_b.id}/end", data={**ending, "base_version": ""}).status_code == 404
    back = {"id": str(uuid.uuid4()), "asked_by": "parent", "what_changed": "Rows again", "urgency": "soon"}
    assert client.post(f"/cases/{back_a.id}/reactivate", data=back).status_code == 303
    assert client.post(f"/cases/{back_b.id}/reactivate", data=back).status_code == 404
    review = {"id": str(uuid.uuid4()), "decision": "close", "rationale": "All well", "closure_reason": "aims_achieved"}
    assert client.post(f"/cases/{review_a.id}/dormant-review", data=review).status_code == 303
    assert client.post(f"/cases/{review_b.id}/dormant-review", data=review).status_code == 404
    stay = {**review, "decision": "stay", "new_review_on": "2099-01-01"}
    assert client.post(f"/cases/{review_b.id}/dormant-review", data=stay).status_code == 404

    _as(client, db, settings, people.supervisor)
    reopening = {"id": str(uuid.uuid4()), "reason": "Re-referred by school"}
    assert client.post(f"/cases/{closed_a.id}/reopen", data=reopening).status_code == 303
    assert client.post(f"/cases/{closed_b.id}/reopen", data=reopening).status_code == 404
    assert client.post(f"/cases/{closed_b.id}/reopen", data={**reopening, "id": back["id"]}).status_code == 404

    db.expire_all()
    assert {case_id: db.get(Case, case_id).status for case_id in status} == status
    assert db.exec(select(Ending).where(Ending.case_id == ending_b.id)).all() == []
    assert db.exec(select(Reactivation).where(Reactivation.case_id.in_([back_b.id, closed_b.id]))).all() == []
    assert (
        db.exec(select(CaseEvent).where(CaseEvent.case_id == review_b.id, CaseEvent.kind == "dormant_review")).all()
        == []
    )
