"""Endings under oversight (issue 19): a worker's ending waits for the supervisor's approval and the
case stays in active work, showing "Ending awaiting approval", until it is approved (then it becomes
dormant or closed) or returned (it stays active, with the comments). ENDING_APPROVAL=after keeps
the older way: the ending moves the case at once and is signed off afterwards."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.cases import service as cases
from app.cases.models import Case
from app.endings import service as endings
from app.endings.models import DormantSpell, Ending, Reactivation
from app.locks import hold_case_write_lock
from app.main import create_app
from app.review.models import Notification, Submission
from app.timeutil import today
from tests.cases.factories import actor_for, make_screened
from tests.endings.factories import active_case, make_team_people
from tests.endings.test_pages import ending_form
from tests.factories import login

SECOND_ID = "7b2f4d63-3c8d-4e1b-9a7f-3e2c0d1b8f22"


@pytest.fixture
def people(db):
    return make_team_people(db)


def _ending_submissions(db) -> list[Submission]:
    db.expire_all()
    return list(db.exec(select(Submission).where(Submission.kind == "ending").order_by(Submission.version_number)))


def _live_notes(db, user) -> list[Notification]:
    db.expire_all()
    return list(db.exec(select(Notification).where(Notification.user_id == user.id, Notification.cleared_at.is_(None))))


def test_an_ending_waits_for_approval_with_the_case_active_then_approval_makes_it_dormant(client, db, settings, people):
    case = active_case(db, people.worker, young_person_name="Kayla Morgan")
    db.commit()
    login(client, db, people.worker, settings)
    response = client.post(f"/cases/{case.id}/end", data=ending_form(case), follow_redirects=True)
    assert "sent to your supervisor for approval" in response.text
    db.expire_all()
    assert db.get(Case, case.id).status == "active"
    page = client.get(f"/cases/{case.id}").text
    assert "Ending awaiting approval" in page and f'href="/cases/{case.id}/end"' not in page
    # Said at the top of the page, under Needs doing, not only inside the closed Ending part.
    needs = page.split('id="needs-doing"', 1)[1].split("</section>", 1)[0]
    assert "Waiting for your supervisor" in needs and "Ending awaiting approval" in needs
    assert "Ending sent for the supervisor&#39;s approval" in page  # the timeline says so too

    # A second ending while one waits is refused beside the form, nothing lost.
    again = client.post(f"/cases/{case.id}/end", data=ending_form(case, id=SECOND_ID, base_version=""))
    assert again.status_code == 422 and "already waiting for the supervisor" in again.text
    assert 'value="Back at school every day"' in again.text

    (waiting,) = _ending_submissions(db)
    assert [n.url for n in _live_notes(db, people.supervisor)] == [f"/review/{waiting.id}"]

    login(client, db, people.supervisor, settings)
    review = client.get(f"/review/{waiting.id}").text
    assert "At home, in school" in review and "Awaiting approval" in review  # the outcome summary, saved
    assert client.post(f"/review/{waiting.id}/approve", data={"rationale": "A good ending."}).status_code == 303

    db.expire_all()
    assert db.get(Case, case.id).status == "dormant"
    ending = db.get(Ending, waiting.version_id)
    assert not ending.pending
    spell = db.exec(select(DormantSpell).where(DormantSpell.case_id == case.id)).one()
    assert spell.ending_id == ending.id and spell.review_due_on == today() + timedelta(days=90)
    assert _live_notes(db, people.supervisor) == []  # "waiting for review" cleared by the decision
    assert [n.text for n in _live_notes(db, people.worker)] == ["Ending of active work version 1 approved"]
    login(client, db, people.worker, settings)
    assert "Active work ended" in client.get(f"/cases/{case.id}").text


def test_a_returned_ending_leaves_the_case_active_and_the_worker_answers_it_with_a_new_version(
    client, db, settings, people
):
    case = active_case(db, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    client.post(f"/cases/{case.id}/end", data=ending_form(case))
    (first,) = _ending_submissions(db)

    login(client, db, people.supervisor, settings)
    missing_reason = client.post(f"/review/{first.id}/return", data={"rationale": ""})
    assert missing_reason.status_code == 422
    reason = "Say who the family can ring out of hours."
    assert client.post(f"/review/{first.id}/return", data={"rationale": reason}).status_code == 303
    db.expire_all()
    assert db.get(Case, case.id).status == "active"

    login(client, db, people.worker, settings)
    page = client.get(f"/cases/{case.id}").text
    assert "Ending returned by the supervisor" in page and reason in page
    assert f'href="/cases/{case.id}/end"' in page  # free to end it again
    review = client.get(f"/review/{first.id}").text
    assert "Send for review again" not in review and "end active work again from there" in review
    assert client.post(f"/review/{first.id}/resubmit").status_code == 303
    assert len(_ending_submissions(db)) == 1  # not sent unchanged from the review screen

    form = client.get(f"/cases/{case.id}/end").text
    assert "Your supervisor returned the ending" in form and reason in form
    assert "Nan on call" in form and 'value="Back at school every day"' in form  # what was sent, kept

    db.expire_all()
    case = db.get(Case, case.id)
    changed = ending_form(case, id=SECOND_ID, sustainability_plan="Nan on call; the out-of-hours line 0151 111")
    assert client.post(f"/cases/{case.id}/end", data=changed).status_code == 303
    first, second = _ending_submissions(db)
    assert (second.item_id, second.version_number, second.status) == (first.item_id, 2, "waiting")
    assert [n for n in _live_notes(db, people.worker) if "returned" in n.text] == []  # answered

    login(client, db, people.supervisor, settings)
    review = client.get(f"/review/{second.id}").text
    assert "out-of-hours line" in review and "Sustainability plan" in review
    assert client.post(f"/review/{second.id}/approve", data={"rationale": ""}).status_code == 303
    db.expire_all()
    assert db.get(Case, case.id).status == "dormant"
    assert db.get(Ending, first.version_id).pending  # the returned one never moved the case


def test_an_ending_that_closes_the_case_closes_it_only_when_approved(client, db, settings, people):
    case = active_case(db, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    data = ending_form(case, outcome="closed", closure_reason="aims_achieved", dormant_review_on="")
    assert client.post(f"/cases/{case.id}/end", data=data).status_code == 303
    db.expire_all()
    assert db.get(Case, case.id).status == "active"
    (waiting,) = _ending_submissions(db)
    login(client, db, people.other, settings)  # another worker cannot approve
    assert client.post(f"/review/{waiting.id}/approve", data={}).status_code in (403, 404)
    login(client, db, people.supervisor, settings)
    client.post(f"/review/{waiting.id}/approve", data={"rationale": "Agreed."})
    db.expire_all()
    closed = db.get(Case, case.id)
    assert closed.status == "closed" and closed.closure_reason == "aims_achieved"


def test_a_case_whose_ending_waits_for_approval_cannot_be_closed_from_the_status_screen(client, db, settings, people):
    """Closed there, the ending stayed waiting in the queue and its goals and plan went unread."""
    case = active_case(db, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    assert client.post(f"/cases/{case.id}/end", data=ending_form(case)).status_code == 303
    close = {"to": "closed", "closure_reason": "moved_away", "rationale": "They moved to Leeds"}
    for who in (people.worker, people.supervisor):
        login(client, db, who, settings)
        response = client.post(f"/cases/{case.id}/status", data=close)
        assert response.status_code == 422
        assert "An ending of this case is waiting for the supervisor&#39;s approval" in response.text
    db.expire_all()
    assert db.get(Case, case.id).status == "active"
    (waiting,) = _ending_submissions(db)
    client.post(f"/review/{waiting.id}/return", data={"rationale": "Say more about the plan."})
    assert _ending_submissions(db)[0].status == "returned"
    login(client, db, people.worker, settings)  # returned, it is the worker's again: closing is open
    assert client.post(f"/cases/{case.id}/status", data=close).status_code == 303


def test_a_case_whose_ending_waits_for_approval_cannot_be_closed_by_a_step(client, db, settings, people):
    """A step up that closes the case is closing it too: the waiting ending is decided first."""
    case = active_case(db, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    assert client.post(f"/cases/{case.id}/end", data=ending_form(case)).status_code == 303
    step = {"direction": "up", "destination_up": "cp", "then": "closes", "rationale": "Strategy meeting: CP"}
    response = client.post(f"/cases/{case.id}/step", data=step)
    assert response.status_code == 422
    beside_then = re.search(r'id="then-error">(.*?)</p>', response.text, re.S).group(1)
    assert "An ending of this case is waiting for the supervisor&#39;s approval" in beside_then
    db.expire_all()
    assert db.get(Case, case.id).status == "active"
    continuing = {**step, "then": "continues", "co_worker_id": str(people.other.id)}
    assert client.post(f"/cases/{case.id}/step", data=continuing).status_code == 303  # the work goes on


def test_an_ending_waiting_from_before_a_reopening_cannot_end_the_new_work(client, db, settings, people):
    """The status screen sends the supervisor to Reopen, which records the re-referral and starts a
    new spell of work: the ending still waiting from the work before can no longer be approved into
    it (reopened from the status screen, it made the new work closed as soon as it was approved)."""
    case = active_case(db, people.worker)
    make_screened(db, case, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    closing = ending_form(case, outcome="closed", closure_reason="aims_achieved", dormant_review_on="")
    assert client.post(f"/cases/{case.id}/end", data=closing).status_code == 303
    cases.close(
        session=db, case=case, by=actor_for(people.supervisor), rationale="Moved away", closure_reason="moved_away"
    )
    db.commit()
    login(client, db, people.supervisor, settings)
    status_page = client.get(f"/cases/{case.id}/status").text
    assert f'href="/cases/{case.id}/reopen">Reopen</a>' in status_page and 'value="screening"' not in status_page
    again = {"to": "screening", "rationale": "Re-referred", "base_version": str(case.version)}
    refused = client.post(f"/cases/{case.id}/status", data=again)
    assert refused.status_code == 422 and "use Reopen" in refused.text
    db.expire_all()
    assert db.get(Case, case.id).status == "closed"
    assert client.post(f"/cases/{case.id}/reopen", data={"reason": "Re-referred by school"}).status_code == 303
    db.expire_all()
    assert db.exec(select(Reactivation.kind).where(Reactivation.case_id == case.id)).all() == ["reopened"]
    cases.activate(session=db, case=db.get(Case, case.id), by=actor_for(people.supervisor), rationale="Working again")
    db.commit()
    assert "Ending awaiting approval" not in client.get(f"/cases/{case.id}").text
    (old,) = _ending_submissions(db)
    refusal = client.post(f"/review/{old.id}/approve", data={"rationale": "ok"}, follow_redirects=True).text
    assert "belongs to work that is over" in refusal
    db.expire_all()
    assert db.get(Case, case.id).status == "active"


def test_a_supervisors_own_ending_moves_the_case_at_once(client, db, settings, people):
    case = active_case(db, people.supervisor)
    db.commit()
    login(client, db, people.supervisor, settings)
    assert client.post(f"/cases/{case.id}/end", data=ending_form(case)).status_code == 303
    db.expire_all()
    assert db.get(Case, case.id).status == "dormant" and _ending_submissions(db) == []


def test_with_approval_after_the_fact_the_ending_moves_the_case_and_is_signed_off(engine, db, settings, people):
    after = settings.model_copy(update={"ending_approval": "after"})
    case = active_case(db, people.worker)
    db.commit()
    with TestClient(create_app(after, engine=engine), follow_redirects=False) as client:
        login(client, db, people.worker, after)
        assert client.post(f"/cases/{case.id}/end", data=ending_form(case)).status_code == 303
        db.expire_all()
        assert db.get(Case, case.id).status == "dormant"
        (waiting,) = _ending_submissions(db)
        login(client, db, people.supervisor, after)
        assert client.post(f"/review/{waiting.id}/approve", data={"rationale": "Signed off."}).status_code == 303
    db.expire_all()
    assert db.get(Case, case.id).status == "dormant" and _ending_submissions(db)[0].status == "approved"


def _returned_ending(client, db, settings, people) -> Case:
    case = active_case(db, people.worker, young_person_name="Kayla Morgan")
    db.commit()
    login(client, db, people.worker, settings)
    client.post(f"/cases/{case.id}/end", data=ending_form(case))
    (first,) = _ending_submissions(db)
    login(client, db, people.supervisor, settings)
    client.post(f"/review/{first.id}/return", data={"rationale": "Say who the family can ring out of hours."})
    login(client, db, people.worker, settings)
    assert "Kayla Morgan" in client.get("/review/returned").text
    db.expire_all()
    return db.get(Case, case.id)


def _worker_still_asked(client, case) -> list[str]:
    """Where a returned ending would still ask the worker to act: their home page and Needs doing."""
    places = []
    if "Kayla Morgan" in client.get("/review/returned").text:
        places.append("Returned to you")
    page = client.get(f"/cases/{case.id}").text
    if "Ending of active work, version 1" in page.split('id="needs-doing"', 1)[-1].split("</section>", 1)[0]:
        places.append("Needs doing")
    return places


def test_a_returned_ending_leaves_the_workers_list_when_the_supervisor_ends_the_work_themselves(
    client, db, settings, people
):
    case = _returned_ending(client, db, settings, people)
    login(client, db, people.supervisor, settings)
    assert client.post(f"/cases/{case.id}/end", data=ending_form(case, id=SECOND_ID)).status_code == 303
    db.expire_all()
    assert db.get(Case, case.id).status == "dormant"
    login(client, db, people.worker, settings)
    assert _worker_still_asked(client, case) == []


def test_a_returned_ending_leaves_the_workers_list_when_the_case_is_closed_or_reopened(client, db, settings, people):
    case = _returned_ending(client, db, settings, people)
    cases.close(
        session=db, case=case, by=actor_for(people.supervisor), rationale="Moved away", closure_reason="moved_away"
    )
    db.commit()
    assert _worker_still_asked(client, case) == []
    # Reopened, it is a new spell of work: the ending asked for in the last one is not the worker's to answer.
    endings.reopen(session=db, case=case, by=actor_for(people.supervisor), reason="Back in the area")
    db.commit()
    assert _worker_still_asked(client, case) == []


def test_an_ending_approved_while_the_case_is_being_closed_is_checked_against_the_closed_case(
    client, db, engine, settings, people
):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite: one writer at a time; the writers' turn is PostgreSQL's")
    case = active_case(db, people.worker, young_person_name="Kayla Morgan")
    db.commit()
    login(client, db, people.worker, settings)
    client.post(f"/cases/{case.id}/end", data=ending_form(case))
    (waiting,) = _ending_submissions(db)
    login(client, db, people.supervisor, settings)
    sent: dict = {}

    def supervisor_approves() -> None:
        url = f"/review/{waiting.id}/approve"
        sent["response"] = client.post(url, data={"rationale": "A good ending."}, follow_redirects=False)

    with Session(engine) as office:  # the case is being closed as the approval arrives
        hold_case_write_lock(office)
        closing = office.get(Case, case.id)
        closing.status = "closed"
        office.add(closing)
        office.flush()
        arriving = threading.Thread(target=supervisor_approves)
        arriving.start()
        time.sleep(0.5)  # the approval waits its turn
        assert "response" not in sent
        office.commit()
    arriving.join(timeout=10)

    assert sent["response"].status_code == 303
    shown = client.get(sent["response"].headers["location"]).text
    assert "The case is no longer in active work (it is closed)" in shown
    db.expire_all()
    assert db.get(Case, case.id).status == "closed"
    assert (db.get(Submission, waiting.id).status, db.get(Ending, waiting.version_id).pending) == ("waiting", True)
