"""Reopen requests through the services: a case worker asks, the team's supervisor decides."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import CaseEvent
from app.cases.service import Refused
from app.endings import reopen_requests
from app.endings.models import Reactivation, ReopenRequest, ReopenRequestVersion
from app.review import registry
from app.review import service as review
from app.review.models import Notification, Submission
from app.timeutil import utcnow
from tests.cases.factories import actor_for
from tests.endings.factories import make_team_people
from tests.factories import login, make_case, make_user


@pytest.fixture
def people(db):
    return make_team_people(db)


def closed_case(db, worker, **overrides):
    return make_case(
        db,
        worker=worker,
        **{
            "status": "closed",
            "closed_at": utcnow() - timedelta(days=40),
            "closure_reason": "aims_achieved",
            **overrides,
        },
    )


def asking(**overrides) -> reopen_requests.RequestInput:
    fields = {
        "asked_by": "parent",
        "what_changed": "Mum rang: Kayla has been missing two nights this week and police brought her home.",
        "urgency": "soon",
        "reason": "Missing episodes are back; the family want the work to start again.",
    }
    return reopen_requests.RequestInput(**{**fields, **overrides})


def submissions(db, case):
    return db.exec(
        select(Submission)
        .where(Submission.case_id == case.id, Submission.kind == "reopen_request")
        .order_by(Submission.version_number)
    ).all()


def test_the_key_worker_asks_and_it_waits_in_the_teams_queue_with_the_supervisor_told(db, people):
    case = closed_case(db, people.worker)
    request = reopen_requests.ask(session=db, case=case, by=actor_for(people.worker), data=asking())
    (submission,) = submissions(db, case)
    assert submission.item_id == request.id and submission.status == "waiting" and submission.version_number == 1
    rows = review.queue(session=db, user=people.supervisor)
    assert [r.kind_label for r in rows] == ["Reopen request"]
    assert db.exec(select(Notification.text).where(Notification.user_id == people.supervisor.id)).all() == [
        f"Reopen request for {case.reference} is waiting for review"
    ]
    sections = dict(registry.kind("reopen_request").sections(db, submission))
    assert sections["Who asked"] == "A parent or carer" and sections["Urgency"] == "Soon (this week)"
    assert sections["Why reopen"].startswith("Missing episodes are back") and sections["The case"].startswith(
        "Closed on"
    )
    assert db.exec(select(AuditEntry.action).where(AuditEntry.object_type == "reopen_request")).all() == ["create"]


def test_a_co_worker_may_ask_too(db, people):
    case = closed_case(db, people.worker, co_worker_id=people.other.id)
    reopen_requests.ask(session=db, case=case, by=actor_for(people.other), data=asking())
    assert submissions(db, case)[0].submitted_by_id == people.other.id


def test_a_case_has_at_most_one_open_request(db, people):
    case = closed_case(db, people.worker)
    reopen_requests.ask(session=db, case=case, by=actor_for(people.worker), data=asking())
    with pytest.raises(Refused, match="already has a request"):
        reopen_requests.ask(session=db, case=case, by=actor_for(people.worker), data=asking(asked_by="school"))
    assert len(db.exec(select(ReopenRequest)).all()) == 1


def test_the_database_refuses_a_second_open_request_for_one_case(db, people):
    case = closed_case(db, people.worker)
    db.add(ReopenRequest(case_id=case.id, open_case_id=case.id, created_by_id=people.worker.id))
    db.flush()
    db.add(ReopenRequest(case_id=case.id, open_case_id=case.id, created_by_id=people.worker.id))
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


@pytest.mark.parametrize("status", ["referred", "screening", "active", "dormant"])
def test_only_a_closed_case_can_be_asked_to_reopen(db, people, status):
    case = make_case(db, worker=people.worker, status=status)
    with pytest.raises(Refused, match="Only a closed case"):
        reopen_requests.ask(session=db, case=case, by=actor_for(people.worker), data=asking())
    assert submissions(db, case) == []


def test_only_the_cases_workers_ask(db, people):
    case = closed_case(db, people.worker)
    for user in (people.other, people.supervisor, people.manager):
        with pytest.raises(Refused, match="Only the case's workers"):
            reopen_requests.ask(session=db, case=case, by=actor_for(user), data=asking())


def test_each_part_of_the_request_is_needed(db, people):
    case = closed_case(db, people.worker)
    for missing, words in [
        ({"asked_by": ""}, "who asked"),
        ({"urgency": "whenever"}, "how urgent"),
        ({"what_changed": " "}, "what has changed"),
        ({"reason": ""}, "why the case"),
    ]:
        with pytest.raises(Refused, match=words):
            reopen_requests.ask(session=db, case=case, by=actor_for(people.worker), data=asking(**missing))


def test_approving_reopens_the_case_as_a_re_referral_with_the_requests_reason(db, people):
    case = closed_case(db, people.worker)
    reopen_requests.ask(session=db, case=case, by=actor_for(people.worker), data=asking())
    (submission,) = submissions(db, case)
    registry.kind("reopen_request").approve(
        db, submission, actor_for(people.supervisor), "Agreed: start screening this week."
    )
    assert case.status == "screening" and case.closed_at is None
    event = db.exec(select(CaseEvent).where(CaseEvent.case_id == case.id)).one()
    assert (
        event.kind == "reopened"
        and event.rationale == "Re-referral: Missing episodes are back; the family want the work to start again."
    )
    back = db.exec(select(Reactivation)).one()
    assert (
        back.kind == "reopened"
        and back.asked_by == "parent"
        and back.urgency == "soon"
        and back.by_user_id == people.supervisor.id
    )
    assert (
        submission.status == "approved"
        and submission.rationale == "Agreed: start screening this week."
        and submission.decided_by_id == people.supervisor.id
    )
    request = db.get(ReopenRequest, submission.item_id)
    assert request.state == "approved" and request.open_case_id is None and request.reactivation_id == back.id
    assert ("create", "reactivation") in {(a.action, a.object_type) for a in db.exec(select(AuditEntry)).all()}
    assert (
        "Reopen request version 1 approved"
        in db.exec(select(Notification.text).where(Notification.user_id == people.worker.id)).all()
    )


def test_the_supervisors_own_reopen_settles_a_waiting_request(db, people):
    from app.endings import service

    case = closed_case(db, people.worker)
    reopen_requests.ask(session=db, case=case, by=actor_for(people.worker), data=asking())
    service.reopen(session=db, case=case, by=actor_for(people.supervisor), reason="New referral from school as well")
    (submission,) = submissions(db, case)
    assert (
        submission.status == "approved"
        and submission.rationale == "The case was reopened: New referral from school as well"
    )
    assert review.queue(session=db, user=people.supervisor) == []
    assert reopen_requests.open_request(session=db, case=case) is None


def test_a_worker_cannot_approve_through_the_request(db, people):
    case = closed_case(db, people.worker, co_worker_id=people.other.id)
    reopen_requests.ask(session=db, case=case, by=actor_for(people.worker), data=asking())
    (submission,) = submissions(db, case)
    with pytest.raises(Refused, match="only be reopened by a supervisor"):
        reopen_requests.approve(session=db, submission=submission, by=actor_for(people.other))
    assert case.status == "closed"


def test_return_needs_a_rationale_and_resubmission_makes_version_2(db, people):
    case = closed_case(db, people.worker)
    request = reopen_requests.ask(session=db, case=case, by=actor_for(people.worker), data=asking())
    (first,) = submissions(db, case)
    with pytest.raises(review.Refused, match="Say why"):
        review.return_to_worker(session=db, submission=first, by=people.supervisor, rationale="  ")
    with pytest.raises(Refused, match="waiting for review"):
        reopen_requests.resubmit(session=db, request=request, by=actor_for(people.worker), data=asking())
    review.add_comment(
        session=db,
        submission=first,
        section="What has changed",
        text="Has anyone spoken to Kayla herself?",
        by=people.supervisor,
    )
    review.return_to_worker(
        session=db, submission=first, by=people.supervisor, rationale="I need Kayla's own view before a re-referral."
    )
    ((row, comments),) = review.returned_for(session=db, user=people.worker)
    assert row.submission.id == first.id and [c.text for c in comments] == ["Has anyone spoken to Kayla herself?"]

    version = reopen_requests.resubmit(
        session=db,
        request=request,
        by=actor_for(people.worker),
        data=asking(what_changed="Kayla told me herself she wants help again."),
    )
    assert version.number == 2
    first_again, second = submissions(db, case)
    assert second.version_number == 2 and second.status == "waiting" and second.version_id == version.id
    changes = {
        c.name: c
        for c in registry.compare(
            registry.kind("reopen_request").sections(db, second),
            registry.kind("reopen_request").sections(db, first_again),
        )
    }
    assert (
        changes["What has changed"].added == ["Kayla told me herself she wants help again."]
        and not changes["Why reopen"].changed
    )
    assert review.returned_for(session=db, user=people.worker) == []
    assert len(db.exec(select(ReopenRequestVersion)).all()) == 2


def test_a_returned_request_can_be_withdrawn_and_leaves_the_workers_returned_list(db, people):
    case = closed_case(db, people.worker)
    request = reopen_requests.ask(session=db, case=case, by=actor_for(people.worker), data=asking())
    (first,) = submissions(db, case)
    with pytest.raises(Refused, match="waiting for review"):
        reopen_requests.withdraw(session=db, request=request, by=actor_for(people.worker))
    review.return_to_worker(
        session=db,
        submission=first,
        by=people.supervisor,
        rationale="A new referral through the front door is the right way.",
    )
    with pytest.raises(Refused, match="Only the case's workers"):
        reopen_requests.withdraw(session=db, request=request, by=actor_for(people.supervisor))
    reopen_requests.withdraw(session=db, request=request, by=actor_for(people.worker))
    assert request.state == "withdrawn" and case.status == "closed"
    assert review.returned_for(session=db, user=people.worker) == []
    # With the old one withdrawn, the case may be asked about again later.
    reopen_requests.ask(session=db, case=case, by=actor_for(people.worker), data=asking(asked_by="school"))
    assert len(submissions(db, case)) == 2


def test_another_teams_supervisor_cannot_decide(db, people):
    from tests.factories import make_team

    case = closed_case(db, people.worker)
    reopen_requests.ask(session=db, case=case, by=actor_for(people.worker), data=asking())
    (submission,) = submissions(db, case)
    elsewhere = make_user(db, role="supervisor", team=make_team(db, name="South team"))
    assert not review.can_review(elsewhere, submission) and review.can_review(people.supervisor, submission)
    assert review.queue(session=db, user=elsewhere) == []


def test_a_request_waiting_when_the_supervisor_reopens_from_the_status_screen_is_settled(client, db, settings, people):
    """The status screen sends the supervisor to Reopen, which settles the worker's request: reopened
    there, it stayed waiting and could reopen the case again later, on grounds long gone."""
    case = closed_case(db, people.worker)
    reopen_requests.ask(session=db, case=case, by=actor_for(people.worker), data=asking())
    db.commit()
    login(client, db, people.supervisor, settings)
    again = {"to": "screening", "rationale": "Re-referred by school", "base_version": str(case.version)}
    assert client.post(f"/cases/{case.id}/status", data=again).status_code == 422
    assert client.post(f"/cases/{case.id}/reopen", data={"reason": "Re-referred by school"}).status_code == 303
    db.expire_all()
    (submission,) = submissions(db, case)
    assert submission.status == "approved" and submission.rationale == "The case was reopened: Re-referred by school"
    assert reopen_requests.open_request(session=db, case=case) is None
    assert review.queue(session=db, user=people.supervisor) == []
