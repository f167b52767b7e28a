"""The endings screens through HTTP: the case page's buttons, the guided form, the register, figures."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app.cases.models import Case
from app.cases.page_cache import pages
from app.endings import service
from app.endings.models import DormantSpell, Ending, EndingTask, Reactivation
from app.review.models import Submission
from app.timeutil import today
from tests.cases.factories import actor_for, make_screened
from tests.endings.factories import active_case, full_ending, make_dormant, make_team_people
from tests.factories import login
from tests.querycount import count_queries


@pytest.fixture
def people(db):
    return make_team_people(db)


def ending_form(case, **overrides) -> dict:
    data = {
        "id": "6a1e3c52-2b7c-4d0a-8f6e-2d1b9c0a7e11",
        "base_version": str(case.version),
        "own_0_goal": "Back at school every day",
        "own_0_rating": "met",
        "own_0_evidence": "96% attendance",
        "agreed_on": (today() - timedelta(days=3)).isoformat(),
        "agreement_how": "At home with Kayla and mum",
        "sustainability_plan": "Nan on call",
        "named_contact": "Amy, 0151 000 0000",
        "family_summary": "Well done",
        "young_person_views": "Ready",
        "outcome_summary": "At home, in school",
        "outcome": "dormant",
        "dormant_review_on": (today() + timedelta(days=90)).isoformat(),
    }
    data.update(overrides)
    return data


def test_case_page_shows_end_active_work_when_active_and_reactivate_when_dormant(client, db, settings, people):
    case = active_case(db, people.worker)
    login(client, db, people.worker, settings)
    page = client.get(f"/cases/{case.id}").text
    assert "End active work" in page and ">Reactivate<" not in page
    make_dormant(db, case, people.worker)
    db.commit()
    page = client.get(f"/cases/{case.id}").text
    assert ">Reactivate<" in page and "End active work" not in page and "Dormant review" in page


def test_guided_ending_to_dormant_leaves_caseload_count_and_appears_in_register(client, db, settings, people):
    case = active_case(db, people.worker, young_person_name="Kayla Morgan")
    db.commit()
    login(client, db, people.worker, settings)
    assert client.get(f"/cases/{case.id}/end").status_code == 200
    response = client.post(f"/cases/{case.id}/end", data=ending_form(case))
    assert response.status_code == 303
    db.expire_all()
    assert db.get(Case, case.id).status == "active"  # until the supervisor approves the ending
    replay = client.post(f"/cases/{case.id}/end", data=ending_form(case))
    assert replay.status_code == 303 and len(db.exec(select(Ending)).all()) == 1
    login(client, db, people.supervisor, settings)
    waiting = db.exec(select(Submission).where(Submission.kind == "ending")).one()
    assert client.post(f"/review/{waiting.id}/approve", data={"rationale": "Good ending."}).status_code == 303
    db.expire_all()
    assert db.get(Case, case.id).status == "dormant"
    register = client.get("/dormant").text
    assert "Kayla Morgan" in register and "Amy Worker" in register


def test_ending_form_names_missing_items_beside_the_form_with_422(client, db, settings, people):
    case = active_case(db, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    response = client.post(f"/cases/{case.id}/end", data=ending_form(case, named_contact="", young_person_views=""))
    assert response.status_code == 422
    assert "a named contact for the family" in response.text and "the young person&#39;s views" in response.text
    assert 'value="Back at school every day"' in response.text
    db.expire_all()
    assert db.get(Case, case.id).status == "active"


def test_the_agreed_date_is_refused_beside_it_in_the_future_or_before_the_referral(client, db, settings, people):
    case = active_case(db, people.worker, referral_date=today() - timedelta(days=30))
    db.commit()
    login(client, db, people.supervisor, settings)
    before = (today() - timedelta(days=31)).isoformat()
    for agreed_on, words in (
        ((today() + timedelta(days=1)).isoformat(), "The date the family agreed is in the future"),
        (before, f"This is before the referral on {today() - timedelta(days=30):%-d %b %Y}."),
    ):
        response = client.post(f"/cases/{case.id}/end", data=ending_form(case, agreed_on=agreed_on))
        assert response.status_code == 422
        assert words in re.search(r'id="agreed_on-error">(.*?)</p>', response.text, re.S).group(1)
        assert f'value="{agreed_on}"' in response.text
    db.expire_all()
    assert db.get(Case, case.id).status == "active" and db.exec(select(Ending)).all() == []


def test_ending_from_a_stale_version_is_a_409_conflict(client, db, settings, people):
    case = active_case(db, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    response = client.post(f"/cases/{case.id}/end", data=ending_form(case, base_version=str(case.version + 3)))
    assert response.status_code == 409


def test_reactivate_form_needs_no_referral_and_shows_prompted_tasks(client, db, settings, people):
    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    page = client.get(f"/cases/{case.id}/reactivate").text
    assert "Who asked" in page and "referral" not in page.split("<h1>")[1].split("No referral")[0].lower()
    bad = client.post(
        f"/cases/{case.id}/reactivate",
        data={"asked_by": "young_person", "urgency": "soon", "base_version": str(case.version)},
    )
    assert bad.status_code == 422 and "What has changed is needed." in bad.text
    ok = client.post(
        f"/cases/{case.id}/reactivate",
        data={
            "id": "1c9d6a2e-6b0f-4b8e-9d3a-0e4f2a7b5c61",
            "asked_by": "young_person",
            "what_changed": "She rang",
            "urgency": "soon",
            "base_version": str(case.version),
        },
    )
    assert ok.status_code == 303
    page = client.get(f"/cases/{case.id}").text
    assert "Update the Signs of Safety map or the BASE risk assessment" in page and "Do a Diamond rating" in page
    assert "Dormant period" in page


def test_tasks_a_return_prompted_that_its_work_ended_undone_read_closed_not_done(client, db, settings, people):
    """On the case page and the plan they belonged to work that is over: not "Done", and not to be
    ticked any more; the next return's own tasks are."""
    case = active_case(db, people.worker)
    back = {"asked_by": "parent", "what_changed": "Rows again", "urgency": "soon"}
    for _ in range(2):
        make_dormant(db, case, people.supervisor)
        service.reactivate(session=db, case=case, by=actor_for(people.worker), **back)
    db.commit()
    old = db.exec(select(EndingTask).where(EndingTask.done_at.is_not(None))).all()
    assert len(old) == 2
    login(client, db, people.worker, settings)
    tasks = client.get(f"/cases/{case.id}").text.split('class="ending-tasks"', 1)[1].split("</ul>", 1)[0]
    assert tasks.count("Closed, not done: the work ended") == 2 and "· Done" not in tasks
    assert tasks.count(">Mark done<") == 2 and ">Not done<" not in tasks
    plan = client.get(f"/cases/{case.id}/plan").text
    assert plan.count("Closed, not done: the work ended") == 2 and "Closed by itself" not in plan
    assert all(f'name="status-endings:{task.id}"' not in plan for task in old)
    ticked = client.post(f"/cases/{case.id}/endings/tasks/{old[0].id}", data={"done": ""})
    assert ticked.status_code == 404
    db.expire_all()
    assert db.get(EndingTask, old[0].id).done_at is not None


def test_a_closed_case_names_an_earlier_endings_contact_as_the_earlier_works(client, db, settings, people):
    """Reopened and closed again from the status screen, the case's last ending was for the work
    before: its named contact is not given as the family's contact now."""
    case = active_case(db, people.worker)
    make_screened(db, case, people.worker)
    ended = full_ending(outcome="closed", closure_reason="aims_achieved", named_contact="Kim Lee, 0151 222 0000")
    service.end_active_work(session=db, case=case, by=actor_for(people.supervisor), data=ended)
    db.commit()
    login(client, db, people.supervisor, settings)
    assert "Named contact for the family: Kim Lee, 0151 222 0000." in client.get(f"/cases/{case.id}").text
    assert client.post(f"/cases/{case.id}/reopen", data={"reason": "Re-referred by school"}).status_code == 303
    for to in ("active", "closed"):
        moved = {"to": to, "rationale": "Agreed", "closure_reason": "consent_withdrawn" if to == "closed" else ""}
        assert client.post(f"/cases/{case.id}/status", data=moved).status_code == 303
    page = client.get(f"/cases/{case.id}").text
    assert "Named contact for the family" not in page
    assert f"Earlier work, ended {today():%-d %b %Y}: its named contact for the family was Kim Lee" in page


def test_other_worker_cannot_see_and_co_worker_cannot_reactivate(client, db, settings, people):
    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    outsider_case = active_case(db, people.other)
    db.commit()
    login(client, db, people.other, settings)
    assert (
        client.post(
            f"/cases/{case.id}/reactivate", data={"asked_by": "parent", "what_changed": "x", "urgency": "routine"}
        ).status_code
        == 404
    )
    case.co_worker_id = people.other.id
    db.add(case)
    db.commit()
    response = client.post(
        f"/cases/{case.id}/reactivate", data={"asked_by": "parent", "what_changed": "x", "urgency": "routine"}
    )
    assert response.status_code == 422 and "Only the key worker" in response.text
    assert outsider_case.status == "active"


def test_only_a_supervisor_may_open_the_reopen_form(client, db, settings, people):
    case = active_case(db, people.worker)
    service.end_active_work(
        session=db,
        case=case,
        by=actor_for(people.worker),
        data=full_ending(outcome="closed", closure_reason="aims_achieved"),
    )
    db.commit()
    login(client, db, people.worker, settings)
    assert client.post(f"/cases/{case.id}/reopen", data={"reason": "x"}).status_code == 403
    client.cookies.clear()
    login(client, db, people.supervisor, settings)
    assert "Reopen" in client.get(f"/cases/{case.id}").text
    assert (
        client.post(
            f"/cases/{case.id}/reopen", data={"reason": "New referral from school", "base_version": str(case.version)}
        ).status_code
        == 303
    )
    db.expire_all()
    assert db.get(Case, case.id).status == "screening"
    assert db.exec(select(Reactivation.kind)).all() == ["reopened"]
    assert "Re-referral" in client.get(f"/cases/{case.id}").text


def test_dormant_review_page_keeps_case_dormant_with_a_new_date(client, db, settings, people):
    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    later = today() + timedelta(days=80)
    data = {
        "id": "0b7e2c4a-1d3f-4e5a-9b6c-7d8e9f0a1b2c",
        "decision": "stay",
        "new_review_on": later.isoformat(),
        "rationale": "Spoke to Kayla",
        "base_version": str(case.version),
    }
    assert [client.post(f"/cases/{case.id}/dormant-review", data=data).status_code for _ in range(2)] == [303, 303]
    db.expire_all()
    assert db.exec(select(DormantSpell.review_due_on, DormantSpell.reviews)).one() == (later, 1)
    stale = client.post(f"/cases/{case.id}/dormant-review", data={**data, "id": "9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"})
    assert stale.status_code == 409
    assert (
        client.post(f"/cases/{case.id}/dormant-review", data={"decision": "close", "rationale": "x"}).status_code == 422
    )


def test_figures_for_supervisors_count_dormancy_reactivations_median_and_reasons(client, db, settings, people):
    cases = [active_case(db, people.worker) for _ in range(4)]
    for case in cases[:3]:
        make_dormant(db, case, people.worker)
    service.end_active_work(
        session=db,
        case=cases[3],
        by=actor_for(people.worker),
        data=full_ending(outcome="closed", closure_reason="consent_withdrawn"),
    )
    for case in cases[:2]:
        service.reactivate(
            session=db, case=case, by=actor_for(people.worker), asked_by="parent", what_changed="x", urgency="routine"
        )
    backs = db.exec(select(Reactivation)).all()
    backs[0].days_dormant, backs[1].days_dormant = 30, 90
    db.commit()
    login(client, db, people.worker, settings)
    assert client.get("/endings/figures").status_code == 403
    client.cookies.clear()
    login(client, db, people.supervisor, settings)
    page = client.get("/endings/figures").text
    assert "<dt>Dormant now</dt><dd>1</dd>" in page
    assert "<dt>Reactivations in the period</dt><dd>2</dd>" in page
    assert "<dt>Median days dormant before reactivation</dt><dd>60</dd>" in page
    assert "<dt>Reactivations that avoided a re-referral</dt><dd>2</dd>" in page
    assert '<th scope="row">Consent withdrawn</th><td>1</td>' in page
    assert client.get("/endings/figures?start=2030-01-01&end=2029-01-01").status_code == 422


def test_register_and_case_page_use_a_constant_number_of_queries(client, db, settings, people, engine):
    def many(n):
        for _ in range(n):
            make_dormant(db, active_case(db, people.worker), people.worker)
        db.commit()

    many(2)
    login(client, db, people.worker, settings)
    case_id = db.exec(select(Case.id)).first()
    with count_queries(engine) as few:
        client.get("/dormant")
        client.get(f"/cases/{case_id}")
    many(6)
    pages.clear()  # the case itself did not change: compare its page built again, not its cached copy
    with count_queries(engine) as more:
        client.get("/dormant")
        client.get(f"/cases/{case_id}")
    assert len(more) == len(few)


def test_figures_period_defaults_to_the_last_year_and_shows_its_dates(client, db, settings, people):
    login(client, db, people.manager, settings)
    page = client.get("/endings/figures").text
    assert f'value="{today().isoformat()}"' in page and f'value="{(today() - timedelta(days=365)).isoformat()}"' in page


def test_ending_form_assesses_the_network_meeting_tasks_as_goals(client, db, settings, people):
    from app.network.models import NetworkMeeting, NetworkTask

    case = active_case(db, people.worker)
    meeting = NetworkMeeting(case_id=case.id, held_on=today() - timedelta(days=60), created_by_id=people.worker.id)
    db.add(meeting)
    db.flush()
    db.add(NetworkTask(case_id=case.id, meeting_id=meeting.id, what="Nan picks Kayla up on Tuesdays", who="Pat Morgan"))
    db.add(NetworkTask(case_id=case.id, meeting_id=meeting.id, what="Old idea", who="Donna", status="dropped"))
    db.commit()
    login(client, db, people.worker, settings)
    page = client.get(f"/cases/{case.id}/end").text
    assert "How it went: Nan picks Kayla up on Tuesdays" in page and "Old idea" not in page
    form = ending_form(case, goal_0_rating="partly", goal_0_evidence="Most weeks since October")
    assert client.post(f"/cases/{case.id}/end", data=form).status_code == 303
    goals = db.exec(select(Ending.goals)).one()
    assert [(g["source"], g["goal"], g["rating"]) for g in goals] == [
        ("network_task", "Nan picks Kayla up on Tuesdays", "partly"),
        ("worker", "Back at school every day", "met"),
    ]


def test_a_manager_reads_the_register_but_cannot_reactivate(client, db, settings, people):
    case = active_case(db, people.worker, young_person_name="Chloe Walsh")
    make_dormant(db, case, people.worker)
    db.commit()
    login(client, db, people.manager, settings)
    assert "Chloe Walsh" in client.get("/dormant").text
    assert ">Reactivate<" not in client.get(f"/cases/{case.id}").text
    assert (
        client.post(
            f"/cases/{case.id}/reactivate", data={"asked_by": "parent", "what_changed": "x", "urgency": "routine"}
        ).status_code
        == 403
    )


def test_a_reopening_recorded_afterwards_is_dated_when_it_happened_and_not_before_the_closure(
    client, db, settings, people
):
    from datetime import datetime, time

    from app.cases import service as cases
    from app.cases.models import CaseEvent
    from app.timeutil import LOCAL, local
    from tests.factories import make_case

    case = make_case(db, worker=people.worker, status="screening", referral_date=today() - timedelta(days=60))
    make_screened(db, case, people.worker)
    closed_on = today() - timedelta(days=10)
    cases.transition(
        session=db,
        case=case,
        to_status="closed",
        by=actor_for(people.worker),
        rationale="Family moved away",
        closure_reason="other",
        occurred_at=datetime.combine(closed_on, time(12), tzinfo=LOCAL),
    )
    db.commit()
    login(client, db, people.supervisor, settings)
    assert 'name="happened_on"' in client.get(f"/cases/{case.id}/reopen").text
    sent = {"reason": "Re-referred by school", "base_version": str(case.version)}
    too_early = client.post(
        f"/cases/{case.id}/reopen", data={**sent, "happened_on": (closed_on - timedelta(days=1)).isoformat()}
    )
    assert too_early.status_code == 422
    assert re.search(
        r'id="happened_on-error">.*?The case moved to closed on .*?cannot be dated before it', too_early.text
    )
    six_days_ago = today() - timedelta(days=6)
    response = client.post(f"/cases/{case.id}/reopen", data={**sent, "happened_on": six_days_ago.isoformat()})
    assert response.status_code == 303
    db.expire_all()
    moved = db.exec(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.to_status == "screening")).all()
    assert [local(e.occurred_at).date() for e in moved][-1] == six_days_ago
    back = db.exec(select(Reactivation).where(Reactivation.case_id == case.id)).one()
    assert local(back.reactivated_at).date() == six_days_ago
    # the worker then records the work that started the day after, as it happened
    client.cookies.clear()
    login(client, db, people.worker, settings)
    five_days_ago = (today() - timedelta(days=5)).isoformat()
    response = client.post(
        f"/cases/{case.id}/status", data={"to": "active", "rationale": "Agreed with mum", "happened_on": five_days_ago}
    )
    assert response.status_code == 303
    db.expire_all()
    assert db.get(Case, case.id).status == "active"


def test_a_step_that_would_close_a_dormant_case_is_sent_to_the_dormant_review(client, db, settings, people):
    """The dormant review closes a dormant case and ends its dormant spell; a step that closed it
    would leave the spell open, back on the dormant register at the case's next dormancy."""
    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    db.commit()
    assert case.status == "dormant"
    login(client, db, people.worker, settings)
    step = {"direction": "up", "destination_up": "cp", "then": "closes", "rationale": "Strategy meeting: CP"}
    response = client.post(f"/cases/{case.id}/step", data=step)
    assert response.status_code == 422
    beside_then = re.search(r'id="then-error">(.*?)</p>', response.text, re.S).group(1)
    assert "A dormant case is closed at its dormant review" in beside_then
    assert f'href="/cases/{case.id}/dormant-review"' in response.text
    db.expire_all()
    assert db.get(Case, case.id).status == "dormant"
    assert db.exec(select(DormantSpell.ended_at).where(DormantSpell.case_id == case.id)).one() is None


def test_the_step_screen_of_a_dormant_case_does_not_offer_closing_and_says_where_it_closes(
    client, db, settings, people
):
    """A dormant case is closed at its dormant review: the Step screen offers only "The work
    continues", and says in plain words where a dormant case is closed, with the link."""
    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    page = client.get(f"/cases/{case.id}/step").text
    then = page.split('id="then"', 1)[1].split("</fieldset>", 1)[0]
    assert 'value="closes"' not in then and "The case closes" not in then
    assert 'value="continues"' in then
    assert "A dormant case is closed from its" in then
    assert f'href="/cases/{case.id}/dormant-review"' in then
    # An active case still offers both.
    other = active_case(db, people.worker)
    db.commit()
    then = client.get(f"/cases/{other.id}/step").text.split('id="then"', 1)[1].split("</fieldset>", 1)[0]
    assert "The case closes" in then and "dormant review" not in then.lower()
