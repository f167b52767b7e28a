"""Every dormancy, reactivation and reopen path through the services, and who may take each."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import CaseEvent
from app.cases.service import Conflict, Refused
from app.endings import rules, service
from app.endings.models import DormantSpell, EndingTask
from app.review.models import Notification
from app.timeutil import today
from tests.cases.factories import actor_for
from tests.endings.factories import active_case, full_ending, make_dormant, make_team_people


@pytest.fixture
def people(db):
    return make_team_people(db)


def kinds(db, case):
    return [
        e.kind
        for e in db.exec(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.recorded_at)).all()
    ]


def test_ending_to_dormant_keeps_worker_and_sets_review_three_months_ahead(db, people):
    case = active_case(db, people.worker)
    ending = make_dormant(db, case, people.worker)
    assert case.status == "dormant" and case.key_worker_id == people.worker.id
    spell = db.exec(select(DormantSpell).where(DormantSpell.case_id == case.id)).one()
    assert spell.review_due_on == rules.add_months(today(), 3) == ending.dormant_review_on
    assert spell.ending_id == ending.id and spell.ended_at is None
    assert kinds(db, case) == ["dormant"]


def test_worker_cannot_end_with_items_missing_and_is_told_which(db, people):
    case = active_case(db, people.worker)
    with pytest.raises(Refused) as refused:
        service.end_active_work(
            session=db,
            case=case,
            by=actor_for(people.worker),
            data=full_ending(named_contact="", young_person_views=""),
        )
    assert (
        "a named contact for the family" in refused.value.message
        and "the young person's views" in refused.value.message
    )
    assert case.status == "active"


def test_supervisor_approves_ending_with_items_missing_giving_reason(db, people):
    case = active_case(db, people.worker)
    by = actor_for(people.supervisor)
    with pytest.raises(Refused, match="Give a reason"):
        service.end_active_work(
            session=db, case=case, by=by, data=full_ending(taper="", sustainability_plan="", approve=True)
        )
    ending, _ = service.end_active_work(
        session=db,
        case=case,
        by=by,
        data=full_ending(sustainability_plan="", approve=True, approval_reason="Family moved; plan agreed by phone"),
    )
    assert ending.missing == ["a sustainability plan"] and ending.approved_by_id == people.supervisor.id
    assert case.status == "dormant"


def test_ending_closed_when_stepped_up_records_destination_and_named_lead(db, people):
    case = active_case(db, people.worker)
    by = actor_for(people.worker)
    with pytest.raises(Refused, match="name the lead"):
        service.end_active_work(
            session=db,
            case=case,
            by=by,
            data=full_ending(outcome="closed", closure_reason="stepped_up", destination="cp"),
        )
    ending, _ = service.end_active_work(
        session=db,
        case=case,
        by=by,
        data=full_ending(outcome="closed", closure_reason="stepped_up", destination="cp", lead_name="Jo Social Worker"),
    )
    assert case.status == "closed" and case.closure_reason == "stepped_up"
    assert (ending.destination, ending.lead_name) == ("cp", "Jo Social Worker")
    assert kinds(db, case) == ["step_up", "closed"]


def test_ending_closed_for_other_reason_needs_the_reason(db, people):
    case = active_case(db, people.worker)
    with pytest.raises(Refused, match="other reason"):
        service.end_active_work(
            session=db,
            case=case,
            by=actor_for(people.worker),
            data=full_ending(outcome="closed", closure_reason="other"),
        )
    service.end_active_work(
        session=db,
        case=case,
        by=actor_for(people.worker),
        data=full_ending(outcome="closed", closure_reason="moved_away"),
    )
    assert case.closure_reason == "moved_away"


def test_replayed_ending_id_changes_nothing_and_stale_version_conflicts(db, people):
    case = active_case(db, people.worker)
    by = actor_for(people.worker)
    with pytest.raises(Conflict):
        service.end_active_work(session=db, case=case, by=by, data=full_ending(), base_version=case.version + 1)
    record_id = "3f1b7c1e-8f0a-4c1e-9a55-1f6a8e1d2c3b"
    first, created = service.end_active_work(
        session=db, case=case, by=by, data=full_ending(), record_id=record_id, base_version=case.version
    )
    again, created_again = service.end_active_work(
        session=db, case=case, by=by, data=full_ending(), record_id=record_id, base_version=1
    )
    assert created and not created_again and again.id == first.id == record_id
    assert len(db.exec(select(DormantSpell).where(DormantSpell.case_id == case.id)).all()) == 1


def test_only_active_case_can_end_active_work(db, people):
    case = active_case(db, people.worker, status="screening")
    with pytest.raises(Refused, match="active work"):
        service.end_active_work(session=db, case=case, by=actor_for(people.worker), data=full_ending())


def test_dormant_case_reactivated_by_same_worker_without_referral(db, people):
    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    back, created = service.reactivate(
        session=db,
        case=case,
        by=actor_for(people.worker),
        asked_by="young_person",
        what_changed="Kayla rang: rows at home again",
        urgency="soon",
    )
    assert created and case.status == "active" and back.kind == "reactivated" and back.days_dormant == 0
    assert kinds(db, case) == ["dormant", "reactivated"]
    assert "referral" not in kinds(db, case)
    spell = db.exec(select(DormantSpell).where(DormantSpell.case_id == case.id)).one()
    assert spell.ended_how == "reactivated" and spell.ended_at is not None
    tasks = db.exec(select(EndingTask).where(EndingTask.case_id == case.id)).all()
    assert sorted(t.what for t in tasks) == sorted(service.PROMPTED_TASKS)
    assert {t.due_on for t in tasks} == {rules.add_working_days(today(), 10)}


def test_other_worker_and_co_worker_cannot_reactivate(db, people):
    case = active_case(db, people.worker, co_worker_id=people.other.id)
    make_dormant(db, case, people.worker)
    with pytest.raises(Refused, match="Only the key worker"):
        service.reactivate(
            session=db, case=case, by=actor_for(people.other), asked_by="parent", what_changed="x", urgency="routine"
        )
    assert case.status == "dormant"


def test_supervisor_reactivates_and_reassigns_but_a_worker_cannot_reassign(db, people):
    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    with pytest.raises(Refused, match="supervisor"):
        service.reactivate(
            session=db,
            case=case,
            by=actor_for(people.worker),
            asked_by="school",
            what_changed="x",
            urgency="routine",
            new_key_worker=people.other,
        )
    service.reactivate(
        session=db,
        case=case,
        by=actor_for(people.supervisor),
        asked_by="school",
        what_changed="Exclusion risk",
        urgency="urgent",
        new_key_worker=people.other,
    )
    assert case.status == "active" and case.key_worker_id == people.other.id
    # A reallocation like any other: on the timeline, in the audit trail, and the new worker told.
    assert kinds(db, case)[-1] == "reallocated"
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "reallocate", AuditEntry.case_id == case.id)).one()
    assert db.exec(select(Notification).where(Notification.user_id == people.other.id)).first() is not None


def test_a_supervisor_of_another_team_co_working_the_case_has_no_supervisors_powers_over_it(
    client, db, people, settings
):
    """Co-working makes them one of the case's workers: they may not give it to their own team's
    worker on reactivation, reopen it, or write its supervision notes."""
    from app.accounts.models import Role
    from tests.factories import login, make_user

    case = active_case(db, people.worker)
    elsewhere = make_user(db, role=Role.supervisor)
    theirs = make_user(db, team_id=elsewhere.team_id)
    case.co_worker_id = elsewhere.id
    db.add(case)
    db.commit()
    make_dormant(db, case, people.worker)
    db.commit()
    login(client, db, elsewhere, settings)
    form = client.get(f"/cases/{case.id}/reactivate").text
    assert theirs.full_name not in form and people.other.full_name not in form
    sent = {
        "id": "7f1c1a9e-0000-4000-8000-000000000001",
        "base_version": str(case.version),
        "asked_by": "parent",
        "what_changed": "x",
        "urgency": "routine",
        "key_worker_id": str(theirs.id),
    }
    answer = client.post(f"/cases/{case.id}/reactivate", data=sent)
    assert answer.status_code == 422 and "Only the key worker (or their supervisor)" in answer.text
    with pytest.raises(Refused, match="team's supervisor"):
        service.reactivate(
            session=db,
            case=case,
            by=actor_for(elsewhere),
            asked_by="parent",
            what_changed="x",
            urgency="routine",
            new_key_worker=theirs,
        )
    db.rollback()
    db.expire_all()
    assert db.get(type(case), case.id).key_worker_id == people.worker.id
    note = {"text": "t", "decision": "d", "rationale": "r"}
    assert client.post(f"/cases/{case.id}/supervision", data=note).status_code == 403
    assert client.post(f"/cases/{case.id}/reopen", data={"reason": "x", "base_version": "1"}).status_code == 403


def test_active_and_closed_cases_cannot_be_reactivated(db, people):
    case = active_case(db, people.worker)
    with pytest.raises(Refused):
        service.reactivate(
            session=db, case=case, by=actor_for(people.worker), asked_by="parent", what_changed="x", urgency="routine"
        )
    service.end_active_work(
        session=db,
        case=case,
        by=actor_for(people.worker),
        data=full_ending(outcome="closed", closure_reason="aims_achieved"),
    )
    with pytest.raises(Refused):
        service.reactivate(
            session=db,
            case=case,
            by=actor_for(people.supervisor),
            asked_by="parent",
            what_changed="x",
            urgency="routine",
        )
    assert case.status == "closed"


def test_dormant_review_stays_dormant_with_new_date_or_closes(db, people):
    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    by = actor_for(people.worker)
    with pytest.raises(Refused, match="after today"):
        service.dormant_review(
            session=db, case=case, by=by, decision="stay", rationale="All well", new_review_on=today()
        )
    later = today() + timedelta(days=60)
    service.dormant_review(
        session=db, case=case, by=by, decision="stay", rationale="All well, spoke to mum", new_review_on=later
    )
    spell = db.exec(select(DormantSpell).where(DormantSpell.case_id == case.id)).one()
    assert (spell.review_due_on, spell.reviews, case.status) == (later, 1, "dormant")
    service.dormant_review(
        session=db, case=case, by=by, decision="close", rationale="Settled a long time", closure_reason="aims_achieved"
    )
    assert case.status == "closed" and spell.ended_how == "closed"
    assert kinds(db, case) == ["dormant", "dormant_review", "closed"]


def test_only_supervisor_reopens_closed_case_recorded_as_re_referral(db, people):
    case = active_case(db, people.worker)
    service.end_active_work(
        session=db,
        case=case,
        by=actor_for(people.worker),
        data=full_ending(outcome="closed", closure_reason="aims_achieved"),
    )
    with pytest.raises(Refused, match="supervisor"):
        service.reopen(session=db, case=case, by=actor_for(people.worker), reason="Mum rang")
    back, _ = service.reopen(
        session=db, case=case, by=actor_for(people.supervisor), reason="New MASH referral: police call-out"
    )
    assert case.status == "screening" and back.kind == "reopened"
    assert kinds(db, case)[-1] == "reopened"


def test_dormant_case_cannot_be_reopened_only_reactivated(db, people):
    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    with pytest.raises(Refused):
        service.reopen(session=db, case=case, by=actor_for(people.supervisor), reason="x")


def test_first_contact_after_reactivation_is_timed_like_a_referral(db, people):
    from app.cases.contacts import record_contact

    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    service.reactivate(
        session=db,
        case=case,
        by=actor_for(people.worker),
        asked_by="young_person",
        what_changed="Called",
        urgency="soon",
    )
    timing = service.latest_return(session=db, case=case, target_hours=24)
    assert timing.first_contact_hours is None and timing.on_target is None
    record_contact(
        session=db,
        case=case,
        by=actor_for(people.worker),
        kind="phone",
        occurred_on=today(),
        start_time=None,
        duration_minutes=20,
        place="other",
        present=[],
        young_person_seen=False,
        seen_alone=False,
        attended=True,
    )
    timing = service.latest_return(session=db, case=case, target_hours=24)
    assert timing.first_contact_hours is not None and timing.first_contact_hours < 24 and timing.on_target is True


def test_rules_dates_and_missing_items():
    assert rules.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert rules.add_working_days(date(2026, 11, 20), 10) == date(2026, 12, 4)  # a Friday, over two weekends
    facts = rules.EndingFacts(
        goals=2,
        goals_rated=1,
        agreed=True,
        sustainability_plan=True,
        named_contact=True,
        family_summary=True,
        young_person_views=True,
        outcome_summary=True,
    )
    assert rules.missing_items(facts) == ["a rating and a line of evidence for every goal"]
    assert rules.median([5, 1, 9, 3]) == 4.0 and rules.median([]) is None
    assert rules.dormant_prompts(
        today=date(2027, 3, 1), started_on=date(2026, 3, 1), review_due_on=date(2027, 4, 1), max_months=12
    ) == ["max_dormancy"]


def test_an_ending_waiting_from_before_the_case_was_closed_and_reopened_neither_waits_nor_moves_it(db, people):
    """Asked for, then the case closed from the status screen, reopened and active again: the old
    ending belongs to work that is over. It does not show as waiting (a new ending may be asked
    for), and approving it from the queue does not send the new work dormant."""
    from app.cases import service as cases
    from app.review.models import Submission
    from tests.cases.factories import make_screened

    case = active_case(db, people.worker)
    make_screened(db, case, people.worker)
    db.flush()
    ending, _ = service.end_active_work(
        session=db, case=case, by=actor_for(people.worker), data=full_ending(), approval_first=True
    )
    assert ending.pending and service.pending_ending(session=db, case=case) is not None
    cases.close(
        session=db, case=case, by=actor_for(people.worker), rationale="Family moved", closure_reason="moved_away"
    )
    service.reopen(session=db, case=case, by=actor_for(people.supervisor), reason="Back in the area")
    cases.activate(session=db, case=case, by=actor_for(people.supervisor), rationale="Working again")
    db.flush()
    assert case.status == "active" and service.pending_ending(session=db, case=case) is None
    old = db.exec(select(Submission).where(Submission.kind == "ending")).one()
    with pytest.raises(Refused, match="work that is over"):
        service.approve_ending(session=db, submission=old, by=actor_for(people.supervisor), rationale="ok")
    assert case.status == "active"


def test_tasks_a_return_prompted_close_when_that_work_ends_and_never_pile_up(db, people):
    """Dormant, reactivated (two tasks), dormant again, reactivated again: two tasks, not four,
    and none shown on the dormant case between."""
    from app.endings import todo

    def shown():
        items = todo.items(session=db, case=case, actor=actor_for(people.worker))
        return [t.title for t in items if t.kind == "task" and t.key != "dormant_review"]

    case = active_case(db, people.worker)
    make_dormant(db, case, people.supervisor)
    back = {"asked_by": "parent", "what_changed": "x", "urgency": "routine"}
    service.reactivate(session=db, case=case, by=actor_for(people.worker), **back)
    db.flush()
    assert len(shown()) == 2
    make_dormant(db, case, people.supervisor)
    db.flush()
    assert shown() == []
    service.reactivate(session=db, case=case, by=actor_for(people.worker), **back)
    db.flush()
    open_tasks = db.exec(select(EndingTask).where(EndingTask.case_id == case.id, EndingTask.done_at.is_(None))).all()
    assert len(open_tasks) == 2 and len(shown()) == 2


def test_a_dormant_review_that_closes_the_case_sent_twice_is_already_saved_not_refused(db, people):
    """A replay (the outbox after a lost answer, a double tap) of the review that closed the case is
    recognised by the form's id, as the review that keeps it dormant already was."""
    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    review = {
        "decision": "close",
        "rationale": "No contact needed; family doing well.",
        "closure_reason": "aims_achieved",
        "record_id": "5d0f1a9e-0000-4000-8000-00000000aa01",
    }
    by = actor_for(people.worker)
    assert service.dormant_review(session=db, case=case, by=by, **review) is True
    assert case.status == "closed"
    assert service.dormant_review(session=db, case=case, by=by, **review) is False
