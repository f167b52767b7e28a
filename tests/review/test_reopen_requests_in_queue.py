"""Reopen requests as people use the pages: the worker asks from the closed case, the request waits
in the supervisor's queue (its own kind in the filter), and is approved, or returned and sent again."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import Case, CaseEvent
from app.endings.models import ReopenRequest
from app.review.models import Submission
from app.timeutil import utcnow
from tests.factories import login, make_case, make_team, make_user
from tests.signs_of_safety.factories import add_item

ASK = {
    "asked_by": "school",
    "urgency": "urgent",
    "what_changed": "Head of year rang: Ellie has not been in for nine days and was seen with older lads at the station.",
    "reason": "Risk of exploitation; Ellie's mum asked for the same worker back.",
}


def _team(db):
    team = make_team(db, name="North Adolescent Support Team")
    worker = make_user(db, team=team, full_name="Priya Shah")
    supervisor = make_user(db, team=team, role="supervisor", full_name="Helen Marsh")
    case = make_case(
        db,
        worker=worker,
        young_person_name="Ellie Shaw",
        status="closed",
        closed_at=utcnow() - timedelta(days=60),
        closure_reason="aims_achieved",
    )
    db.commit()
    return worker, supervisor, case


def _request(db, case) -> Submission:
    return db.exec(
        select(Submission)
        .where(Submission.case_id == case.id, Submission.kind == "reopen_request")
        .order_by(Submission.version_number.desc())
    ).first()


def test_the_worker_asks_from_the_closed_case_and_the_supervisor_approves_from_the_queue(client, db, settings):
    worker, supervisor, case = _team(db)
    login(client, db, worker, settings)
    assert f'href="/cases/{case.id}/reopen-request">Ask to reopen' in client.get(f"/cases/{case.id}").text
    assert client.post(f"/cases/{case.id}/reopen-request", data=ASK).status_code == 303
    page = client.get(f"/cases/{case.id}/reopen-request").text
    assert "Waiting for your supervisor" in page and "seen with older lads at the station" in page
    assert "Ask to reopen</a>" not in client.get(f"/cases/{case.id}").text  # one open request per case

    login(client, db, supervisor, settings)
    queue = client.get("/review").text
    assert "Reopen request, version 1" in queue and "Ellie Shaw" in queue
    assert '<option value="reopen_request">Reopen request</option>' in queue
    submission = _request(db, case)
    screen = client.get(f"/review/{submission.id}").text
    for words in (
        "Who asked",
        "School",
        "What has changed",
        "Urgent (today)",
        "Why reopen",
        "Risk of exploitation",
        "Approving reopens the case for screening",
    ):
        assert words in screen
    # Read-only: the request's fields are shown, not offered for editing on the review screen.
    assert 'name="what_changed"' not in screen and 'name="reason"' not in screen
    response = client.post(f"/review/{submission.id}/approve", data={"rationale": "Agreed, same worker."})
    assert response.status_code == 303 and response.headers["location"] == "/review"
    db.expire_all()
    case = db.get(Case, case.id)
    assert case.status == "screening"
    event = db.exec(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "reopened")).one()
    assert event.rationale == "Re-referral: " + ASK["reason"] and event.by_user_id == supervisor.id
    assert db.get(Submission, submission.id).status == "approved"
    assert "Nothing is waiting for review." in client.get("/review").text
    audited = {
        (a.action, a.object_type) for a in db.exec(select(AuditEntry).where(AuditEntry.case_id == case.id)).all()
    }
    assert {("create", "reopen_request"), ("approve", "review_submission"), ("create", "reactivation")} <= audited


def test_queue_filters_reopen_requests_by_kind(client, db, settings):
    worker, supervisor, case = _team(db)
    open_case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    add_item(db, case=open_case, by=worker)
    db.commit()
    login(client, db, worker, settings)
    client.post(f"/cases/{open_case.id}/signs-of-safety/submit", data={"base_version": "1"})
    client.post(f"/cases/{case.id}/reopen-request", data=ASK)
    login(client, db, supervisor, settings)
    everything = client.get("/review").text
    assert "Ellie Shaw" in everything and "Kayla Morgan" in everything
    only = client.get("/review?kind=reopen_request").text
    assert "Ellie Shaw" in only and "Kayla Morgan" not in only and "1 waiting, oldest first." in only
    maps = client.get("/review?kind=sos_map").text
    assert "Kayla Morgan" in maps and "Ellie Shaw" not in maps


def test_bad_input_is_422_with_each_message_beside_its_field_and_nothing_lost(client, db, settings):
    worker, _supervisor, case = _team(db)
    login(client, db, worker, settings)
    response = client.post(
        f"/cases/{case.id}/reopen-request",
        data={"asked_by": "", "urgency": "someday", "what_changed": "Mum rang twice this week.", "reason": ""},
    )
    assert response.status_code == 422
    page = response.text
    assert re.search(r'id="asked_by-error">.*Please choose one\.', page)
    assert re.search(r'id="urgency-error">.*Please choose one of the options shown\.', page)
    assert re.search(r'id="reason-error">.*Why it should reopen is needed\.', page)
    assert "Mum rang twice this week." in page
    assert db.exec(select(ReopenRequest)).all() == []


def test_returned_request_shows_on_the_workers_home_page_then_is_sent_again_as_version_2(client, db, settings):
    worker, supervisor, case = _team(db)
    login(client, db, worker, settings)
    client.post(f"/cases/{case.id}/reopen-request", data=ASK)
    first = _request(db, case)
    login(client, db, supervisor, settings)
    client.post(
        f"/review/{first.id}/comments", data={"section": "What has changed", "text": "What does Ellie say herself?"}
    )
    refused = client.post(f"/review/{first.id}/return", data={"rationale": ""})
    assert refused.status_code == 422 and re.search(
        r'id="rationale-error">.*Why it is returned is needed\.', refused.text
    )
    assert (
        client.post(f"/review/{first.id}/return", data={"rationale": "I need Ellie's own view first."}).status_code
        == 303
    )

    login(client, db, worker, settings)
    home = client.get("/review/returned").text
    assert (
        "Reopen request for Ellie Shaw, version 1" in home
        and "I need Ellie&#39;s own view first." in home
        and "What does Ellie say herself?" in home
    )
    page = client.get(f"/cases/{case.id}/reopen-request").text
    assert "Returned to you" in page and "Send again" in page and "Withdraw the request" in page
    assert "seen with older lads at the station" in page  # the form starts from what was sent
    # The returned request's review screen says what to do with this kind of item, not a map's steps.
    returned = client.get(f"/review/{first.id}").text
    assert "send it again from there, changed as the comments ask, or withdraw it" in returned
    assert "your next change starts a new version" not in returned
    again = {
        **ASK,
        "what_changed": ASK["what_changed"] + "\nEllie told me she wants help: she is scared of one of them.",
    }
    assert client.post(f"/cases/{case.id}/reopen-request", data=again).status_code == 303
    second = _request(db, case)
    assert second.version_number == 2 and second.status == "waiting" and second.item_id == first.item_id
    assert "Nothing has been returned to you" in client.get("/review/returned").text

    login(client, db, supervisor, settings)
    screen = client.get(f"/review/{second.id}").text
    assert re.search(
        r'class="review-added"><span class="visually-hidden">Added: </span>Ellie told me she wants help', screen
    )


def test_withdrawing_a_returned_request_keeps_the_case_closed(client, db, settings):
    worker, supervisor, case = _team(db)
    login(client, db, worker, settings)
    client.post(f"/cases/{case.id}/reopen-request", data=ASK)
    first = _request(db, case)
    login(client, db, supervisor, settings)
    client.post(f"/review/{first.id}/return", data={"rationale": "This needs a new referral through the front door."})
    login(client, db, worker, settings)
    assert client.post(f"/cases/{case.id}/reopen-request/withdraw").status_code == 303
    db.expire_all()
    assert db.get(Case, case.id).status == "closed"
    assert db.exec(select(ReopenRequest.state)).all() == ["withdrawn"]
    assert "Nothing has been returned to you" in client.get("/review/returned").text
    assert "Ask to reopen</a>" in client.get(f"/cases/{case.id}").text


def test_who_may_ask_and_who_may_decide(client, db, settings):
    worker, supervisor, case = _team(db)
    colleague = make_user(db, team_id=worker.team_id, full_name="Jo Evans")
    elsewhere = make_user(db, role="supervisor", team=make_team(db, name="South team"), full_name="Dan Cole")
    manager = make_user(db, role="manager", full_name="Max Manager")
    active = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    db.commit()
    login(client, db, worker, settings)
    assert "Ask to reopen" not in client.get(f"/cases/{active.id}").text
    refused = client.post(f"/cases/{active.id}/reopen-request", data=ASK)
    assert refused.status_code == 422 and "Only a closed case can be asked to reopen." in refused.text
    client.post(f"/cases/{case.id}/reopen-request", data=ASK)
    submission = _request(db, case)
    assert client.post(f"/review/{submission.id}/approve").status_code == 403

    login(client, db, colleague, settings)  # not on the case: it does not exist for them
    assert client.get(f"/cases/{case.id}/reopen-request").status_code == 404
    assert client.post(f"/cases/{case.id}/reopen-request", data=ASK).status_code == 404
    assert client.get(f"/review/{submission.id}").status_code == 404

    login(client, db, elsewhere, settings)
    assert client.get(f"/review/{submission.id}").status_code == 404
    assert client.post(f"/review/{submission.id}/approve").status_code == 404
    assert "Ellie Shaw" not in client.get("/review").text

    login(client, db, supervisor, settings)  # the team's supervisor reopens directly; asking is for the case's workers
    assert "Ask to reopen</a>" not in client.get(f"/cases/{case.id}").text
    assert client.post(f"/cases/{case.id}/reopen-request", data=ASK).status_code == 403

    login(client, db, manager, settings)  # a manager sees the queue, but the team's supervisor decides
    assert "Ellie Shaw" in client.get("/review").text
    assert client.post(f"/review/{submission.id}/approve").status_code == 403
    db.expire_all()
    assert db.get(Case, case.id).status == "closed"


def test_a_reopen_request_waiting_over_five_working_days_is_flagged_on_team_oversight(client, db, settings):
    from app.review import oversight
    from app.timeutil import today

    worker, supervisor, case = _team(db)
    login(client, db, worker, settings)
    client.post(f"/cases/{case.id}/reopen-request", data=ASK)
    board = oversight.dashboard(session=db, viewer=supervisor, settings=settings, today=today(), now=utcnow())
    assert [r.waiting for r in board.rows if r.worker.id == worker.id] == [1] and board.flags == []
    submission = _request(db, case)
    submission.submitted_at = utcnow() - timedelta(days=10)
    db.add(submission)
    db.commit()
    board = oversight.dashboard(session=db, viewer=supervisor, settings=settings, today=today(), now=utcnow())
    assert [(f.key, f.name) for f in board.flags] == [("waiting", "Ellie Shaw")]


def test_the_supervisor_sees_the_waiting_request_from_the_case_page_and_reaches_its_review(client, db, settings):
    worker, supervisor, case = _team(db)
    login(client, db, worker, settings)
    client.post(f"/cases/{case.id}/reopen-request", data=ASK)
    submission = _request(db, case)
    login(client, db, supervisor, settings)
    assert "A worker has asked for this case to be reopened" in client.get(f"/cases/{case.id}").text
    page = client.get(f"/cases/{case.id}/reopen-request").text
    assert "Waiting for review" in page and f'<a href="/review/{submission.id}">Open it in the review queue</a>' in page
    assert "Ask to reopen</button>" not in page
