"""A worker's ending of active work waits for the supervisor's sign-off in the review queue."""

from __future__ import annotations

from sqlmodel import select

from app.review.models import Submission
from tests.endings.factories import active_case, make_dormant, make_team_people
from tests.factories import login


def test_ending_to_dormant_waits_in_the_queue_and_the_supervisor_sees_the_plan_and_approves(client, db, settings):
    people = make_team_people(db)
    case = active_case(db, people.worker)
    ending = make_dormant(
        db, case, people.worker, sustainability_plan="Mum rings Aunt Sue first; youth club on Tuesdays."
    )
    db.commit()
    submission = db.exec(select(Submission).where(Submission.kind == "ending", Submission.case_id == case.id)).one()
    assert submission.version_id == ending.id and submission.status == "waiting"

    login(client, db, people.supervisor, settings)
    assert "Ending of active work" in client.get("/review").text
    page = client.get(f"/review/{submission.id}").text
    assert "Sustainability plan" in page and "Mum rings Aunt Sue first" in page
    assert client.post(f"/review/{submission.id}/approve", data={"rationale": "A good ending."}).status_code == 303
    db.expire_all()
    assert db.get(Submission, submission.id).status == "approved"


def test_a_supervisors_own_ending_does_not_queue_for_themselves(db):
    people = make_team_people(db)
    case = active_case(db, people.supervisor)
    make_dormant(db, case, people.supervisor)
    assert db.exec(select(Submission).where(Submission.kind == "ending")).all() == []
