"""The lifecycle through the services and through crafted HTTP requests: who, when, why, audited."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases import service
from app.cases.models import Case, CaseEvent
from app.cases.service import Conflict, Refused
from app.timeutil import LOCAL, today, utcnow
from tests.cases.factories import actor_for, make_screened
from tests.factories import login, make_case, make_team, make_user


def events(db, case):
    return db.exec(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.recorded_at)).all()


def test_referral_to_active_to_dormant_and_back_records_who_when_why_and_audits(db):
    worker = make_user(db)
    case = make_case(db, worker=worker, status="referred")
    by = actor_for(worker)
    service.start_screening(session=db, case=case, by=by, rationale="Referral accepted for screening")
    make_screened(db, case, worker)
    service.activate(session=db, case=case, by=by, rationale="Eligible, family agreed")
    assert case.next_review_on is not None
    service.move_to_dormant(session=db, case=case, by=by, rationale="Goals met; she knows she can call")
    assert case.next_review_on is None
    service.reactivate(session=db, case=case, by=by, rationale="Kayla phoned: trouble at school")
    moves = [(e.kind, e.from_status, e.to_status, e.by_user_id) for e in events(db, case) if e.to_status]
    assert moves == [
        ("screening_started", "referred", "screening", worker.id),
        ("activated", "screening", "active", worker.id),
        ("dormant", "active", "dormant", worker.id),
        ("reactivated", "dormant", "active", worker.id),
    ]
    assert case.status == "active" and case.version == 5
    audited = db.exec(
        select(AuditEntry.detail)
        .where(AuditEntry.case_id == case.id, AuditEntry.action == "transition")
        .order_by(AuditEntry.id)  # in the order written: PostgreSQL returns unordered rows in any order
    ).all()
    assert audited == [
        "status referred -> screening",
        "status screening -> active",
        "status active -> dormant",
        "status dormant -> active",
    ]


def test_closing_records_reason_and_closed_time(db):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    service.close(
        session=db, case=case, by=actor_for(worker), rationale="Plan goals achieved", closure_reason="aims_achieved"
    )
    assert case.status == "closed" and case.closure_reason == "aims_achieved" and case.closed_at is not None
    assert events(db, case)[-1].reason == "aims_achieved"


def test_refused_transition_changes_nothing(db):
    worker = make_user(db)
    case = make_case(db, worker=worker, status="referred")
    with pytest.raises(Refused, match="Screening comes first"):
        service.transition(session=db, case=case, to_status="active", by=actor_for(worker), rationale="keen to start")
    assert case.status == "referred" and case.version == 1 and events(db, case) == []


def test_stale_base_version_is_a_conflict(db):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    with pytest.raises(Conflict):
        service.transition(
            session=db, case=case, to_status="dormant", by=actor_for(worker), rationale="x", base_version=0
        )


def test_step_up_continuing_adds_co_worker_and_context(db):
    team = make_team(db)
    worker, social_worker = make_user(db, team=team), make_user(db, team=team)
    case = make_case(db, worker=worker, practice_context="early_help")
    event = service.step(
        session=db,
        case=case,
        by=actor_for(worker),
        direction="up",
        destination="cp",
        rationale="Strategy meeting held",
        closes=False,
        co_worker=social_worker,
    )
    assert event.kind == "step_up" and event.destination == "cp" and event.reason == "continues"
    assert case.co_worker_id == social_worker.id and case.practice_context == "cp" and case.status == "active"
    detail = db.exec(select(AuditEntry.detail).where(AuditEntry.action == "step")).one()
    assert detail == f"step_up to cp; co-worker None -> {social_worker.id}"


def test_a_step_up_never_replaces_the_co_worker_and_names_only_someone_of_the_team(client, db, settings):
    team = make_team(db)
    worker = make_user(db, team=team)
    colleague = make_user(db, team=team, full_name="Xena Colleague")
    newcomer = make_user(db, team=team)
    elsewhere = make_user(db, role="supervisor", full_name="Other Team Supervisor")
    case = make_case(db, worker=worker, co_worker=colleague, practice_context="early_help")
    login(client, db, worker, settings)
    step = {"direction": "up", "destination_up": "cp", "then": "continues", "rationale": "CP plan made"}
    # Someone of the team instead: refused beside the field, the supervisor named as who decides.
    response = client.post(f"/cases/{case.id}/step", data={**step, "co_worker_id": str(newcomer.id)})
    assert response.status_code == 422
    field = response.text.split('id="co_worker_id-hint"', 1)[1].split("</select>", 1)[0]
    assert "The case has a co-worker already" in field and "ask the team&#39;s supervisor" in field
    # Another team's supervisor is not offered, and a crafted request naming them is refused too.
    response = client.post(f"/cases/{case.id}/step", data={**step, "co_worker_id": str(elsewhere.id)})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text.split('id="co_worker_id"', 1)[1].split(">", 1)[0] + ">"
    db.expire_all()
    assert db.get(Case, case.id).co_worker_id == colleague.id and events(db, case) == []
    assert client.get(f"/cases/{case.id}/step").text.count("Other Team Supervisor") == 0

    # Keeping the co-worker (the form's choice by default) records the step and changes no one.
    response = client.post(f"/cases/{case.id}/step", data={**step, "co_worker_id": str(colleague.id)})
    assert response.status_code == 303
    db.expire_all()
    assert db.get(Case, case.id).co_worker_id == colleague.id
    assert db.exec(select(AuditEntry.detail).where(AuditEntry.action == "step")).one() == "step_up to cp"


def test_a_step_up_on_a_case_without_a_co_worker_names_only_someone_of_the_case_team(db):
    worker = make_user(db)
    elsewhere = make_user(db, role="supervisor")
    case = make_case(db, worker=worker, practice_context="early_help")
    step = {"direction": "up", "destination": "cp", "rationale": "CP plan", "closes": False}
    with pytest.raises(Refused) as refused:
        service.step(session=db, case=case, by=actor_for(worker), co_worker=elsewhere, **step)
    assert refused.value.field == "co_worker_id" and "case's team" in refused.value.message
    assert case.co_worker_id is None


def test_step_down_that_closes_closes_with_reason_stepped_down(db):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    service.step(
        session=db,
        case=case,
        by=actor_for(worker),
        direction="down",
        destination="early_help",
        rationale="Needs met by school EH",
        closes=True,
    )
    assert case.status == "closed" and case.closure_reason == "stepped_down"
    assert [e.kind for e in events(db, case)] == ["step_down", "closed"]


# ---------------------------------------------------------------- crafted HTTP requests


def test_crafted_request_cannot_skip_screening(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker, status="referred")
    login(client, db, worker, settings)
    response = client.post(f"/cases/{case.id}/status", data={"to": "active", "rationale": "Let's start"})
    assert response.status_code == 422
    assert "Screening comes first" in response.text
    db.expire_all()
    assert db.get(Case, case.id).status == "referred"


def test_crafted_request_cannot_activate_without_eligibility_and_consent(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker, status="screening")
    login(client, db, worker, settings)
    response = client.post(f"/cases/{case.id}/status", data={"to": "active", "rationale": "Let's start"})
    assert response.status_code == 422 and "eligibility decision" in response.text
    make_screened(db, case, worker)
    db.commit()
    assert (
        client.post(f"/cases/{case.id}/status", data={"to": "active", "rationale": "Eligible and agreed"}).status_code
        == 303
    )
    db.expire_all()
    assert db.get(Case, case.id).status == "active"


def test_worker_cannot_reopen_closed_case_by_crafted_request_but_supervisor_can(client, db, settings):
    worker = make_user(db)
    supervisor = make_user(db, role="supervisor", team_id=worker.team_id)
    case = make_case(db, worker=worker, status="closed")
    login(client, db, worker, settings)
    for to in ("active", "screening", "dormant"):
        response = client.post(f"/cases/{case.id}/status", data={"to": to, "rationale": "Family asked for help again"})
        assert response.status_code == 422
    db.expire_all()
    assert db.get(Case, case.id).status == "closed"
    login(client, db, supervisor, settings)
    # The supervisor reopens it with the Reopen form, as a re-referral (tests/endings).
    assert client.post(f"/cases/{case.id}/reopen", data={"reason": "Re-referred within a month"}).status_code == 303
    db.expire_all()
    assert db.get(Case, case.id).status == "screening"


def test_closing_without_reason_or_rationale_is_refused_beside_the_field(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    response = client.post(f"/cases/{case.id}/status", data={"to": "closed"})
    assert response.status_code == 422
    assert 'id="closure_reason-error"' in response.text and 'id="rationale-error"' in response.text


def _moves(db, case):
    db.expire_all()
    rows = db.exec(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.to_status.is_not(None))
        .order_by(CaseEvent.occurred_at)
    ).all()
    return [e.to_status for e in rows]


def test_a_close_dated_before_the_case_became_active_is_refused_beside_the_date(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker, status="screening", referral_date=today() - timedelta(days=40))
    make_screened(db, case, worker)
    login(client, db, worker, settings)
    started = client.post(f"/cases/{case.id}/status", data={"to": "active", "rationale": "Eligible and agreed"})
    assert started.status_code == 303
    closing = {"to": "closed", "rationale": "Done", "closure_reason": "other"}
    back_dated = client.post(
        f"/cases/{case.id}/status", data={**closing, "happened_on": (today() - timedelta(days=30)).isoformat()}
    )
    assert back_dated.status_code == 422
    beside_date = re.search(r'id="happened_on-error">(.*?)</p>', back_dated.text, re.S).group(1)
    assert beside_date.endswith(
        f"The case moved to active on {today():%-d %b %Y}: this change cannot be dated before it."
    )
    db.expire_all()
    assert db.get(Case, case.id).status == "active" and db.get(Case, case.id).closed_at is None
    # The same day, given without a time, is kept and placed after the move to active.
    same_day = client.post(f"/cases/{case.id}/status", data={**closing, "happened_on": today().isoformat()})
    assert same_day.status_code == 303
    assert _moves(db, case) == ["active", "closed"]


def test_a_time_typed_before_the_latest_move_that_day_is_refused_beside_the_time_not_moved(client, db, settings):
    """Only a date given without a time (midday) is placed after the day's latest move; a time the
    worker typed is never stored as another one."""
    worker = make_user(db)
    case = make_case(db, worker=worker, status="screening", referral_date=today() - timedelta(days=40))
    make_screened(db, case, worker)
    login(client, db, worker, settings)
    yesterday = (today() - timedelta(days=1)).isoformat()
    start = {"to": "active", "rationale": "Eligible and agreed", "happened_on": yesterday, "happened_time": "15:30"}
    assert client.post(f"/cases/{case.id}/status", data=start).status_code == 303
    closing = {"to": "closed", "rationale": "Done", "closure_reason": "other", "happened_on": yesterday}
    early = client.post(f"/cases/{case.id}/status", data={**closing, "happened_time": "10:00"})
    assert early.status_code == 422
    beside_time = re.search(r'id="happened_time-error">(.*?)</p>', early.text, re.S).group(1)
    assert beside_time.endswith(
        f"The case moved to active at 15:30 on {today() - timedelta(days=1):%-d %b %Y}: give a time after it."
    )
    assert _moves(db, case) == ["active"]
    assert client.post(f"/cases/{case.id}/status", data=closing).status_code == 303
    assert _moves(db, case) == ["active", "closed"]


def test_a_reopening_dated_before_the_closure_is_refused(db):
    """The supervisor's Reopen form records the reopening when it is made; the service refuses one
    dated before the closure all the same, as it does any move."""
    worker = make_user(db)
    supervisor = make_user(db, role="supervisor", team_id=worker.team_id)
    case = make_case(db, worker=worker, status="referred", referral_date=today() - timedelta(days=40))
    two_days_ago = today() - timedelta(days=2)
    closing = {"to_status": "closed", "rationale": "No", "closure_reason": "other"}
    service.transition(session=db, case=case, by=actor_for(worker), occurred_at=_midday(two_days_ago), **closing)
    again = {"to_status": "screening", "rationale": "Again", "by": actor_for(supervisor)}
    with pytest.raises(Refused, match=f"The case moved to closed on {two_days_ago:%-d %b %Y}") as refused:
        service.transition(session=db, case=case, occurred_at=_midday(today() - timedelta(days=20)), **again)
    assert refused.value.field == "happened_on"
    assert _moves(db, case) == ["closed"] and db.get(Case, case.id).status == "closed"
    service.transition(session=db, case=case, occurred_at=utcnow(), **again)
    assert _moves(db, case) == ["closed", "screening"]


def _midday(day):
    return datetime.combine(day, time(12, 0), tzinfo=LOCAL)


def test_stale_status_form_answers_409(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    response = client.post(
        f"/cases/{case.id}/status",
        data={"to": "closed", "closure_reason": "aims_achieved", "rationale": "Goals met", "base_version": "7"},
    )
    assert response.status_code == 409 and "changed since" in response.text


def test_other_workers_case_is_404_and_manager_cannot_change_status(client, db, settings):
    worker, stranger = make_user(db), make_user(db)
    manager = make_user(db, role="manager")
    case = make_case(db, worker=worker)
    login(client, db, stranger, settings)
    assert client.post(f"/cases/{case.id}/status", data={"to": "dormant", "rationale": "x"}).status_code == 404
    assert client.get(f"/cases/{case.id}/status").status_code == 404
    login(client, db, manager, settings)
    assert client.post(f"/cases/{case.id}/status", data={"to": "dormant", "rationale": "x"}).status_code == 403
    db.expire_all()
    assert db.get(Case, case.id).status == "active"


def test_step_up_over_http_that_closes(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    response = client.post(
        f"/cases/{case.id}/step",
        data={"direction": "up", "destination_up": "cla", "then": "closes", "rationale": "Accommodated under s.20"},
    )
    assert response.status_code == 303
    db.expire_all()
    stored = db.get(Case, case.id)
    assert stored.status == "closed" and stored.closure_reason == "stepped_up"
    assert db.exec(select(AuditEntry.detail).where(AuditEntry.action == "step")).one() == "step_up to cla"
    page = client.get(f"/cases/{case.id}")
    assert "Stepped up" in page.text and "Child looked after (CLA), case closes" in page.text


def test_step_up_continuing_without_co_worker_is_refused_and_nothing_stored(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    response = client.post(
        f"/cases/{case.id}/step",
        data={"direction": "up", "destination_up": "cp", "then": "continues", "rationale": "Strategy meeting"},
    )
    assert response.status_code == 422 and "choose the co-worker" in response.text
    db.expire_all()
    assert events(db, case) == []


# Every move of the state machine, through the same HTTP request a crafted client could send.
HTTP_ALLOWED = [
    ("referred", "screening", "worker"),
    ("referred", "closed", "worker"),
    ("screening", "active", "worker"),
    ("screening", "closed", "worker"),
    ("active", "closed", "worker"),
]
# Allowed by the state machine, but only through their guided flows (tests/endings/).
HTTP_GUIDED = [
    ("active", "dormant", "End active work"),
    ("dormant", "active", "Reactivate"),
    ("dormant", "closed", "Dormant review"),  # which ends the dormant spell with the case
    ("closed", "screening", "Reopen"),  # the supervisor's, recorded as a re-referral
]
HTTP_ILLEGAL = [
    ("referred", "active"),
    ("referred", "dormant"),
    ("screening", "dormant"),
    ("screening", "referred"),
    ("active", "screening"),
    ("active", "referred"),
    ("dormant", "screening"),
    ("dormant", "referred"),
    ("closed", "active"),
    ("closed", "dormant"),
    ("closed", "referred"),
    ("active", "active"),
]


@pytest.mark.parametrize(("frm", "to", "role"), HTTP_ALLOWED)
def test_every_allowed_transition_over_http_records_an_event_and_audit(client, db, settings, frm, to, role):
    worker = make_user(db)
    actor = worker if role == "worker" else make_user(db, role="supervisor", team_id=worker.team_id)
    case = make_case(db, worker=worker, status=frm)
    if frm == "screening":
        make_screened(db, case, worker)
    login(client, db, actor, settings)
    response = client.post(
        f"/cases/{case.id}/status",
        data={
            "to": to,
            "rationale": "Agreed in supervision",
            "closure_reason": "aims_achieved" if to == "closed" else "",
        },
    )
    assert response.status_code == 303
    db.expire_all()
    assert db.get(Case, case.id).status == to
    assert (
        db.exec(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.to_status == to)).one().by_user_id
        == actor.id
    )
    assert (
        db.exec(select(AuditEntry.detail).where(AuditEntry.case_id == case.id, AuditEntry.action == "transition")).one()
        == f"status {frm} -> {to}"
    )


@pytest.mark.parametrize(("frm", "to"), HTTP_ILLEGAL)
def test_every_illegal_transition_over_http_is_refused_for_worker_and_supervisor(client, db, settings, frm, to):
    worker = make_user(db)
    supervisor = make_user(db, role="supervisor", team_id=worker.team_id)
    case = make_case(db, worker=worker, status=frm)
    if frm != "referred":  # deciding eligibility moves a referral into screening (issue 18)
        make_screened(db, case, worker)
    for user in (worker, supervisor):
        login(client, db, user, settings)
        response = client.post(
            f"/cases/{case.id}/status", data={"to": to, "rationale": "Trying it", "closure_reason": "other"}
        )
        assert response.status_code == 422
    db.expire_all()
    assert db.get(Case, case.id).status == frm
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "transition")).all() == []


@pytest.mark.parametrize(("frm", "to", "flow"), HTTP_GUIDED)
def test_dormancy_moves_on_the_plain_status_form_point_to_their_guided_flow(client, db, settings, frm, to, flow):
    worker = make_user(db)
    case = make_case(db, worker=worker, status=frm)
    reopener = make_user(db, role="supervisor", team_id=worker.team_id)  # only a supervisor reopens
    login(client, db, reopener if frm == "closed" else worker, settings)
    page = client.get(f"/cases/{case.id}/status").text
    assert f">{flow}</a>" in page and f'value="{to}"' not in page
    response = client.post(f"/cases/{case.id}/status", data={"to": to, "rationale": "Goals met"})
    assert response.status_code == 422 and f"use {flow}" in response.text
    db.expire_all()
    assert db.get(Case, case.id).status == frm


def test_todays_date_with_no_time_is_now_whatever_the_hour(client, db, settings, monkeypatch):
    """A worker recording a change at nine in the morning with today's date and no time is not
    told the time "has not happened yet": today with no time is now."""
    from datetime import UTC, datetime

    from app.cases import happened

    worker = make_user(db)
    case = make_case(db, worker=worker, status="screening")
    db.commit()
    login(client, db, worker, settings)
    nine = datetime.combine(today(), datetime.min.time(), tzinfo=UTC).replace(hour=9)
    monkeypatch.setattr(happened, "utcnow", lambda: nine)
    closing = {
        "to": "closed",
        "rationale": "Moved away",
        "closure_reason": "moved_away",
        "happened_on": today().isoformat(),
    }
    response = client.post(f"/cases/{case.id}/status", data={**closing, "base_version": str(case.version)})
    assert response.status_code == 303, response.text[:400]
    db.expire_all()
    assert db.get(type(case), case.id).status == "closed"
