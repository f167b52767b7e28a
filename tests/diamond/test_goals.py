"""Family goals: up to three, in the family's words, rated 0-10 on the same screens and charted."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlmodel import select

from app.diamond.models import DiamondGoal, DiamondRating
from app.timeutil import today
from tests.diamond.factories import four
from tests.factories import login, make_case, make_user
from tests.family.factories import PIN, hand_over, with_pin, young_person


def _worker_case(client, db, settings):
    worker = with_pin(make_user(db, full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    login(client, db, worker, settings)
    return worker, case


def _add(client, case, title, goal_id=None, chosen_by=""):
    return client.post(
        f"/cases/{case.id}/diamond/goals",
        data={"id": goal_id or str(uuid.uuid4()), "title": title, "chosen_by": chosen_by},
    )


def test_worker_adds_up_to_three_goals_and_a_fourth_is_refused(client, db, settings):
    _, case = _worker_case(client, db, settings)
    kayla = young_person(db, case)
    for title in ("Get to school on time", "Cook tea once a week", "Join a club"):
        assert _add(client, case, title, chosen_by=kayla.id).status_code == 303
    refused = _add(client, case, "Fourth goal")
    assert refused.status_code == 422 and "There are already 3 goals." in refused.text
    assert "Fourth goal" in refused.text  # kept for the worker to see
    goals = db.exec(select(DiamondGoal)).all()
    assert len(goals) == 3 and all(g.chosen_by_person_id == kayla.id for g in goals)


def test_replayed_goal_is_added_once(client, db, settings):
    _, case = _worker_case(client, db, settings)
    goal_id = str(uuid.uuid4())
    assert _add(client, case, "Join a club", goal_id).status_code == 303
    assert _add(client, case, "Join a club", goal_id).status_code == 303
    assert len(db.exec(select(DiamondGoal)).all()) == 1


def test_goal_needs_words(client, db, settings):
    _, case = _worker_case(client, db, settings)
    response = _add(client, case, "  ")
    assert response.status_code == 422 and "The goal is needed." in response.text


def test_family_rates_goals_after_the_four_aims_on_the_same_screens(client, db, settings):
    _, case = _worker_case(client, db, settings)
    _add(client, case, "Get to school on time")
    goal = db.exec(select(DiamondGoal)).one()
    hand_over(client, case, young_person(db, case))
    y = f"/family/{case.id}/{young_person(db, case).id}"
    response = client.post(f"{y}/diamond/empowerment", data={"id": str(uuid.uuid4()), "score": 6})
    assert response.headers["location"] == f"{y}/goal/{goal.id}"
    page = client.get(f"{y}/goal/{goal.id}").text
    assert "Question 5 of 5" in page and "Get to school on time" in page
    assert "<bdi>0</bdi> = No progress yet" in page and "<bdi>10</bdi> = Fully reached" in page
    done = client.post(
        f"{y}/goal/{goal.id}", data={"id": re.search(r'name="id" value="([0-9a-f-]{36})"', page).group(1), "score": 4}
    )
    assert done.headers["location"] == f"{y}/done"
    rating = db.exec(select(DiamondRating).where(DiamondRating.goal_id == goal.id)).one()
    assert rating.aim == "goal" and rating.score == 4 and rating.person_id == young_person(db, case).id


def test_worker_rates_goals_with_the_aims_and_goal_gets_its_own_progress_chart(client, db, settings):
    worker, case = _worker_case(client, db, settings)
    _add(client, case, "Cook tea once a week")
    goal = db.exec(select(DiamondGoal)).one()
    data = {"id": str(uuid.uuid4()), **four(5, 5, 5, 5), f"goal:{goal.id}": 7}
    assert client.post(f"/cases/{case.id}/diamond/rate", data=data).status_code == 303
    assert db.exec(select(DiamondRating).where(DiamondRating.goal_id == goal.id)).one().score == 7
    page = client.get(f"/cases/{case.id}/diamond").text
    assert 'id="progress-goal:' in page and "Goal: Cook tea once a week over time" in page


def test_finished_goal_leaves_the_screens_but_keeps_its_ratings(client, db, settings):
    worker, case = _worker_case(client, db, settings)
    _add(client, case, "Join a club")
    goal = db.exec(select(DiamondGoal)).one()
    client.post(
        f"/cases/{case.id}/diamond/rate", data={"id": str(uuid.uuid4()), **four(5, 5, 5, 5), f"goal:{goal.id}": 3}
    )
    assert client.post(f"/cases/{case.id}/diamond/goals/{goal.id}/close").status_code == 303
    db.refresh(goal)
    assert goal.closed_at is not None
    assert "Goal: Join a club over time" in client.get(f"/cases/{case.id}/diamond").text
    hand_over(client, case, young_person(db, case))
    y = f"/family/{case.id}/{young_person(db, case).id}"
    assert client.get(f"{y}/goal/{goal.id}").status_code == 404
    assert (
        client.post(f"{y}/diamond/empowerment", data={"id": str(uuid.uuid4()), "score": 6}).headers["location"]
        == f"{y}/done"
    )
    client.post(f"/family/{case.id}/hand-back", data={"pin": PIN})


def test_goal_ratings_given_before_the_goal_was_finished_still_count_when_they_arrive_after(client, db, settings):
    """A visit's rating form and a family member's goal answer, both made offline on Monday; the
    goal is marked finished at the office before the tablet syncs. close_goal says its ratings stay."""
    worker, case = _worker_case(client, db, settings)
    kayla = young_person(db, case)
    _add(client, case, "Join a club")
    goal = db.exec(select(DiamondGoal)).one()
    monday = today() - timedelta(days=2)
    # The forms as they were drawn on the device, before the goal was finished.
    worker_form = {"id": str(uuid.uuid4()), **four(5, 5, 5, 5), f"goal:{goal.id}": 8, "rated_on": monday.isoformat()}
    family_answer = {"id": str(uuid.uuid4()), "score": 9, "rated_on": monday.isoformat()}
    assert client.post(f"/cases/{case.id}/diamond/goals/{goal.id}/close").status_code == 303
    outbox = {"Accept": "application/json"}
    for _ in range(2):  # sent, then sent again as after a lost answer
        saved = client.post(f"/cases/{case.id}/diamond/rate", data=worker_form, headers=outbox)
        assert saved.status_code == 303
        answer = client.post(f"/family/{case.id}/{kayla.id}/goal/{goal.id}", data=family_answer, headers=outbox)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/family/{case.id}/{kayla.id}/done"
    rows = db.exec(select(DiamondRating).where(DiamondRating.goal_id == goal.id).order_by(DiamondRating.score)).all()
    assert [(r.score, r.person_id, r.user_id, r.rated_on) for r in rows] == [
        (8, None, worker.id, monday),
        (9, kayla.id, None, monday),
    ]
    # The finished goal still leaves the screens drawn from now on.
    assert f"goal:{goal.id}" not in client.get(f"/cases/{case.id}/diamond/rate").text
    assert client.get(f"/family/{case.id}/{kayla.id}/goal/{goal.id}").status_code == 404


def test_a_late_goal_rating_with_a_mistake_keeps_the_finished_goals_number_on_the_form(client, db, settings):
    _, case = _worker_case(client, db, settings)
    _add(client, case, "Join a club")
    goal = db.exec(select(DiamondGoal)).one()
    client.post(f"/cases/{case.id}/diamond/goals/{goal.id}/close")
    tomorrow = (today() + timedelta(days=1)).isoformat()
    data = {"id": str(uuid.uuid4()), **four(5, 5, 5, 5), f"goal:{goal.id}": 8, "rated_on": tomorrow}
    response = client.post(f"/cases/{case.id}/diamond/rate", data=data)
    assert response.status_code == 422 and "The rating date is in the future" in response.text
    assert f'id="goal:{goal.id}-8" name="goal:{goal.id}" value="8" checked' in response.text
    assert not db.exec(select(DiamondRating)).all()


def test_a_goal_of_another_case_is_still_refused(client, db, settings):
    worker = with_pin(make_user(db, full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    other = make_case(db, worker=worker, young_person_name="Jordan Lee")
    login(client, db, worker, settings)
    _add(client, case, "Join a club")
    goal = db.exec(select(DiamondGoal)).one()
    client.post(f"/cases/{case.id}/diamond/goals/{goal.id}/close")
    jordan = young_person(db, other)
    answer = client.post(f"/family/{other.id}/{jordan.id}/goal/{goal.id}", data={"id": str(uuid.uuid4()), "score": 9})
    assert answer.status_code == 404
    data = {"id": str(uuid.uuid4()), **four(5, 5, 5, 5), f"goal:{goal.id}": 8}
    refused = client.post(f"/cases/{other.id}/diamond/rate", data=data)
    assert refused.status_code == 422 and "reload the page" in refused.text
    assert not db.exec(select(DiamondRating)).all()


def test_a_goal_finished_days_ago_takes_no_rating_given_after_it_was_finished(client, db, settings):
    """A form naming a goal marked finished on Monday, filled in today, is refused beside the goal
    (its number taken off, so saving again without it works); one dated Monday still applies."""
    _, case = _worker_case(client, db, settings)
    kayla = young_person(db, case)
    _add(client, case, "Join a club")
    goal = db.exec(select(DiamondGoal)).one()
    monday = today() - timedelta(days=3)
    assert client.post(f"/cases/{case.id}/diamond/goals/{goal.id}/close").status_code == 303
    db.refresh(goal)
    goal.closed_at = goal.closed_at - timedelta(days=3)
    db.add(goal)
    db.commit()
    data = {"id": str(uuid.uuid4()), **four(5, 5, 5, 5), f"goal:{goal.id}": 9}
    refused = client.post(f"/cases/{case.id}/diamond/rate", data=data)
    assert refused.status_code == 422
    error = re.search(rf'<p class="field-error" id="goal:{goal.id}-error">(.*?)</p>', refused.text, re.S).group(1)
    assert f"\u201cJoin a club\u201d was marked finished on {monday:%-d %b %Y}" in error
    assert (
        f'name="goal:{goal.id}" value="9"' in refused.text
        and "checked" not in refused.text.split(goal.id + "-error")[1]
    )
    resent = client.post(f"/cases/{case.id}/diamond/rate", data={**data, f"goal:{goal.id}": ""})
    assert resent.status_code == 303
    answer = client.post(f"/family/{case.id}/{kayla.id}/goal/{goal.id}", data={"id": str(uuid.uuid4()), "score": 2})
    assert answer.status_code == 422 and "This form is out of date" in answer.text.split('id="score-error"')[1]
    assert not db.exec(select(DiamondRating).where(DiamondRating.goal_id == goal.id)).all()
    # Given on Monday and sent from the outbox since: still the goal's.
    on_monday = {"id": str(uuid.uuid4()), **four(5, 5, 5, 5), f"goal:{goal.id}": 7, "rated_on": monday.isoformat()}
    assert client.post(f"/cases/{case.id}/diamond/rate", data=on_monday).status_code == 303
    answer = {"id": str(uuid.uuid4()), "score": 6, "rated_on": monday.isoformat()}
    assert client.post(f"/family/{case.id}/{kayla.id}/goal/{goal.id}", data=answer).status_code == 303
    rows = db.exec(select(DiamondRating).where(DiamondRating.goal_id == goal.id)).all()
    assert sorted((r.score, r.rated_on) for r in rows) == [(6, monday), (7, monday)]
