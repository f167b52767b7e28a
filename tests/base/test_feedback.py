"""Service-user feedback: family-mode screens, can't say, two workers, and the side-by-side view."""
from __future__ import annotations

from sqlmodel import select

from app.base import feedback
from app.base.models import BaseFeedback
from app.cases.models import Person
from app.security.models import UserSession
from tests.base.factories import case_with_family, uid
from tests.factories import login, make_user

THEMES = [q["theme"] for q in feedback.question_set("young_person")["questions"]]


def answers(score="4", **overrides):
    data = {f"score_{t}": score for t in THEMES}
    data.update({f"score_{k}": v for k, v in overrides.items()})
    return data


def enter_family_mode(db, case) -> None:
    for user_session in db.exec(select(UserSession).where(UserSession.ended_at.is_(None))).all():
        user_session.family_case_id = case.id
        db.add(user_session)
    db.commit()


def test_young_person_set_has_the_eleven_questions_from_the_practice_reference():
    questions = feedback.question_set("young_person")["questions"]
    assert len(questions) == 11
    assert questions[0]["text"].startswith("building a secure base")
    assert {q["theme"] for q in feedback.question_set("parent")["questions"]} == set(THEMES)
    assert {q["theme"] for q in feedback.question_set("social_worker")["questions"]} == set(THEMES)


def test_young_person_and_parent_rate_in_family_mode_and_triangulation_shows_both(client, db, settings):
    worker, case, mother = case_with_family(db)
    login(client, db, worker, settings)
    young = db.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person == True)).one()  # noqa: E712
    enter_family_mode(db, case)
    assert client.get(f"/cases/{case.id}/base/feedback/young_person").status_code == 200
    assert client.get(f"/cases/{case.id}").status_code == 403
    assert client.get(f"/cases/{case.id}/base/feedback/social_worker").status_code == 403
    response = client.post(f"/cases/{case.id}/base/feedback/young_person", data={"id": uid(), "rater": young.id, "round": "1", **answers("5", risks="cant_say"), "comment_listening": "She really listens"})
    assert response.status_code == 303
    assert client.post(f"/cases/{case.id}/base/feedback/parent", data={"id": uid(), "rater": mother.id, "round": "1", **answers("3")}).status_code == 303
    rows = db.exec(select(BaseFeedback).order_by(BaseFeedback.perspective)).all()
    assert [r.given_in_family_mode for r in rows] == [True, True]
    young_answers = {a["theme"]: a["score"] for a in rows[1].answers}
    assert young_answers["risks"] is None and young_answers["listening"] == 5

    for user_session in db.exec(select(UserSession)).all():
        user_session.family_case_id = None
        db.add(user_session)
    db.commit()
    view = client.get(f"/cases/{case.id}/base/feedback?round=1")
    assert view.status_code == 200
    assert "Young person" in view.text and "Parent or carer" in view.text
    assert 'score-na">Can\'t say' in view.text and "She really listens" in view.text
    triangle = feedback.triangulation(session=db, case_id=case.id, review_round=1)
    assert triangle["averages"] == {"young_person": 5.0, "parent": 3.0, "social_worker": None}


def test_unanswered_question_is_refused_with_the_error_beside_it(client, db, settings):
    worker, case, mother = case_with_family(db)
    login(client, db, worker, settings)
    data = {"id": uid(), "rater": mother.id, "round": "1", **answers()}
    del data["score_explaining"]
    response = client.post(f"/cases/{case.id}/base/feedback/parent", data=data)
    assert response.status_code == 422 and 'id="score_explaining-error"' in response.text
    assert db.exec(select(BaseFeedback)).all() == []


def test_replayed_feedback_is_recorded_once_and_a_rater_may_rate_two_workers(client, db, settings):
    worker, case, mother = case_with_family(db)
    co_worker = make_user(db, full_name="Priya Shah", team=None, team_id=worker.team_id)
    case.co_worker_id = co_worker.id
    db.add(case)
    login(client, db, worker, settings)
    same = {"id": uid(), "rater": mother.id, "round": "1", "about_worker": str(worker.id), **answers()}
    client.post(f"/cases/{case.id}/base/feedback/parent", data=same)
    client.post(f"/cases/{case.id}/base/feedback/parent", data=same)
    client.post(f"/cases/{case.id}/base/feedback/parent", data={**same, "id": uid(), "about_worker": str(co_worker.id)})
    rows = db.exec(select(BaseFeedback)).all()
    assert sorted(r.about_worker_id for r in rows) == sorted([worker.id, co_worker.id])
    view = client.get(f"/cases/{case.id}/base/feedback")
    assert "Priya Shah" in view.text and "Sam Okafor" in view.text


def test_social_worker_feedback_names_the_rater(client, db, settings):
    worker, case, _ = case_with_family(db)
    login(client, db, worker, settings)
    assert client.post(f"/cases/{case.id}/base/feedback/social_worker", data={"id": uid(), "rater_name": "Dee Social Worker", "round": "2", **answers("4")}).status_code == 303
    row = db.exec(select(BaseFeedback)).one()
    assert (row.perspective, row.rater_name, row.round) == ("social_worker", "Dee Social Worker", 2)


def test_worker_starts_a_new_review_round_and_the_family_form_records_into_it(client, db, settings):
    worker, case, mother = case_with_family(db)
    login(client, db, worker, settings)
    client.post(f"/cases/{case.id}/base/feedback/parent", data={"id": uid(), "rater": mother.id, "round": "1", **answers()})
    view = client.get(f"/cases/{case.id}/base/feedback")
    assert "Start review 2" in view.text
    view = client.get(f"/cases/{case.id}/base/feedback?round=2")
    assert "/base/feedback/parent?round=2" in view.text and "No feedback for this review yet." in view.text
    enter_family_mode(db, case)
    form = client.get(f"/cases/{case.id}/base/feedback/parent?round=2")
    assert 'name="round" value="2"' in form.text
