"""A team's supervisor who key-works a case sends work for review: nobody reviews their own, so a
service manager decides it (as another supervisor of the team still can), and only that."""

from __future__ import annotations

from sqlmodel import select

from app.audit.models import AuditEntry
from app.review import service
from app.review.models import Notification, Submission, SubmissionStatus
from app.signs_of_safety.models import Category
from tests.factories import login, make_case, make_user
from tests.signs_of_safety.factories import add_item


def _send_map(client, db, settings, worker, **case):
    case = make_case(db, worker=worker, **case)
    add_item(db, case=case, by=worker, category=Category.strength, text="Nan collects Kayla from school.")
    db.commit()
    login(client, db, worker, settings)
    assert client.post(f"/cases/{case.id}/signs-of-safety/submit", data={"base_version": "1"}).status_code == 303
    return db.exec(select(Submission).where(Submission.case_id == case.id)).one()


def _status(db, submission) -> str:
    db.expire_all()
    return db.get(Submission, submission.id).status


def test_a_manager_approves_the_map_the_teams_only_supervisor_sent_and_the_supervisor_sees_it_approved(
    client, db, settings
):
    supervisor = make_user(db, role="supervisor", full_name="Helen Marsh")
    manager = make_user(db, role="manager", team=None, full_name="Dana Webb")
    submission = _send_map(client, db, settings, supervisor, young_person_name="Kayla Morgan")

    # The supervisor cannot decide their own work, and is told whom it waits for.
    page = client.get(f"/review/{submission.id}").text
    # What the map leaves empty is said once, before its parts (a strength is all it holds).
    assert "Nothing recorded in 8 of 9 parts:</strong> Harm, Worries and goals," in page
    assert ">Approve</button>" not in page
    assert "another supervisor of the team or a service manager decides it" in page
    assert "another supervisor of the team or a service manager decides it" in client.get("/review").text
    assert client.post(f"/review/{submission.id}/approve").status_code == 403
    # They are not sent "waiting for review" about their own work; the manager is.
    told = db.exec(select(Notification.user_id).where(Notification.about.like("item:sos_map:%"))).all()
    assert told == [manager.id]

    login(client, db, manager, settings)
    queue = client.get("/review").text
    assert "Kayla Morgan" in queue and "Yours to decide" in queue and "1 is yours to decide" in queue
    assert "Kayla Morgan" in client.get("/review?decide=1").text
    assert "1 waiting item is yours to decide" in client.get("/review/oversight").text
    page = client.get(f"/review/{submission.id}").text
    assert ">Approve</button>" in page and "Why it is returned" in page
    assert client.post(f"/review/{submission.id}/approve", data={"rationale": "Clear and balanced."}).status_code == 303
    assert _status(db, submission) == SubmissionStatus.approved
    assert db.exec(
        select(AuditEntry).where(
            AuditEntry.action == "approve", AuditEntry.object_id == submission.id, AuditEntry.user_id == manager.id
        )
    ).one()

    login(client, db, supervisor, settings)
    page = client.get(f"/review/{submission.id}").text
    assert "Approved by Dana Webb" in page and "Clear and balanced." in page
    assert "Signs of Safety map version 1 approved" in client.get("/notifications").text


def test_a_manager_returns_the_supervisors_own_work_with_a_reason(client, db, settings):
    supervisor = make_user(db, role="supervisor")
    manager = make_user(db, role="manager", team=None)
    submission = _send_map(client, db, settings, supervisor)
    login(client, db, manager, settings)
    assert client.post(f"/review/{submission.id}/comments", data={"text": "Add when Nan does this."}).status_code == 303
    assert client.post(f"/review/{submission.id}/return", data={"rationale": "Say how often."}).status_code == 303
    assert _status(db, submission) == SubmissionStatus.returned
    login(client, db, supervisor, settings)
    returned = client.get("/review/returned").text
    assert "Say how often." in returned and "Add when Nan does this." in returned


def test_another_supervisor_of_the_team_still_decides_the_supervisors_own_work(client, db, settings):
    supervisor = make_user(db, role="supervisor")
    peer = make_user(db, role="supervisor", team=None, team_id=supervisor.team_id)
    submission = _send_map(client, db, settings, supervisor)
    login(client, db, peer, settings)
    assert client.post(f"/review/{submission.id}/approve").status_code == 303
    assert _status(db, submission) == SubmissionStatus.approved


def test_a_manager_still_cannot_decide_a_workers_work_the_teams_supervisor_decides(client, db, settings):
    worker = make_user(db, full_name="Sam Okafor")
    make_user(db, role="supervisor", team=None, team_id=worker.team_id)
    manager = make_user(db, role="manager", team=None)
    submission = _send_map(client, db, settings, worker, young_person_name="Kayla Morgan")
    assert "The supervisor of the case&#39;s team decides this." in client.get(f"/review/{submission.id}").text

    login(client, db, manager, settings)
    queue = client.get("/review").text
    assert "Kayla Morgan" in queue and "Yours to decide</span>" not in queue and "Nothing is yours to decide" in queue
    assert "Kayla Morgan" not in client.get("/review?decide=1").text
    assert "yours to decide" not in client.get("/review/oversight").text
    page = client.get(f"/review/{submission.id}").text
    assert ">Approve</button>" not in page and "The supervisor of the case&#39;s team decides this." in page
    assert client.post(f"/review/{submission.id}/approve").status_code == 403
    assert client.post(f"/review/{submission.id}/return", data={"rationale": "No."}).status_code == 403
    assert client.post(f"/review/{submission.id}/comments", data={"text": "Hm."}).status_code == 403
    assert _status(db, submission) == SubmissionStatus.waiting
    # Nor does the manager gain any casework write on the supervisor's own case.
    supervisor = make_user(db, role="supervisor")
    own = make_case(db, worker=supervisor)
    db.commit()
    assert client.post(f"/cases/{own.id}/signs-of-safety/submit", data={"base_version": "1"}).status_code == 403


def test_a_manager_does_not_decide_what_moves_a_case_even_when_a_supervisor_of_the_team_sent_it(db):
    supervisor = make_user(db, role="supervisor")
    manager = make_user(db, role="manager", team=None)
    case = make_case(db, worker=supervisor)
    for kind, decides in (("sos_map", True), ("base_assessment", True), ("ending", False), ("reopen_request", False)):
        sent = service.submit_item(
            session=db, kind=kind, case=case, item_id=f"x-{kind}", version_id="x", version_number=1, by=supervisor
        )
        assert service.can_review(manager, sent) is decides, kind


def test_a_manager_decides_work_a_supervisor_of_the_team_sent_or_one_whose_sender_became_its_supervisor(
    client, db, settings
):
    """Helen, the team's supervisor, sends her map; Sam, a key worker, sends his. The administrator
    makes Sam the team's supervisor, then Helen a key worker. The manager still decides Helen's
    (settled when sent: the notice they were sent still opens work they can decide), and decides
    Sam's too: nobody reviews their own work, and Sam is now the team's only supervisor. Until
    December 2026 Sam's map waited with nobody able to decide it (his Approve refused, the
    manager's too)."""
    from app.accounts.models import Team
    from app.accounts.service import change_role_and_team

    helen = make_user(db, role="supervisor", full_name="Helen Marsh")
    manager = make_user(db, role="manager", team=None, full_name="Dana Webb")
    hers = _send_map(client, db, settings, helen, young_person_name="Kayla Morgan")
    sam = make_user(db, team=db.get(Team, helen.team_id), full_name="Sam Okafor")
    his = _send_map(client, db, settings, sam, young_person_name="Tyler Brooks")
    change_role_and_team(session=db, user=sam, role="supervisor", team_id=sam.team_id)
    db.commit()
    change_role_and_team(session=db, user=helen, role="worker", team_id=helen.team_id)
    db.commit()

    # The managers are told, as when a supervisor sends work.
    told = db.exec(select(Notification.user_id).where(Notification.url == f"/review/{his.id}")).all()
    assert manager.id in told

    login(client, db, sam, settings)
    page = client.get(f"/review/{his.id}").text
    assert ">Approve</button>" not in page and "a service manager decides it" in page
    assert client.post(f"/review/{his.id}/approve", data={"rationale": "Mine."}).status_code == 403
    assert ">Approve</button>" in client.get(f"/review/{hers.id}").text  # Helen's, as her successor

    login(client, db, manager, settings)
    to_decide = client.get("/review?decide=1").text
    assert "Kayla Morgan" in to_decide and "Tyler Brooks" in to_decide
    assert client.post(f"/review/{hers.id}/approve", data={"rationale": "Clear."}).status_code == 303
    assert client.post(f"/review/{his.id}/approve", data={"rationale": "Fine."}).status_code == 303
    assert _status(db, hers) == SubmissionStatus.approved and _status(db, his) == SubmissionStatus.approved


def test_a_supervisor_who_steps_down_leaves_their_work_to_the_manager_and_a_worker_sent_one_to_the_supervisor(
    client, db, settings
):
    """Whether a manager decides is settled when the work is sent: Helen, the supervisor, sends her
    map and steps down once Nadia is made supervisor; Sam's map, sent as a key worker, stays
    Nadia's to decide, not a manager's."""
    from app.accounts.models import Team
    from app.accounts.service import change_role_and_team

    helen = make_user(db, role="supervisor", full_name="Helen Marsh")
    team = db.get(Team, helen.team_id)
    nadia = make_user(db, team=team, full_name="Nadia Rahman")
    manager = make_user(db, role="manager", team=None, full_name="Dana Webb")
    hers = _send_map(client, db, settings, helen, young_person_name="Kayla Morgan")
    sam = make_user(db, team=team, full_name="Sam Okafor")
    his = _send_map(client, db, settings, sam, young_person_name="Tyler Brooks")
    change_role_and_team(session=db, user=nadia, role="supervisor", team_id=team.id)
    db.commit()
    change_role_and_team(session=db, user=helen, role="worker", team_id=team.id)
    db.commit()

    login(client, db, manager, settings)
    to_decide = client.get("/review?decide=1").text
    assert "Kayla Morgan" in to_decide and "Tyler Brooks" not in to_decide
    assert client.post(f"/review/{his.id}/approve", data={"rationale": "Fine."}).status_code == 403
    assert client.post(f"/review/{hers.id}/approve", data={"rationale": "Clear."}).status_code == 303
    login(client, db, nadia, settings)
    assert client.post(f"/review/{his.id}/approve", data={"rationale": "Fine."}).status_code == 303
    assert _status(db, hers) == SubmissionStatus.approved and _status(db, his) == SubmissionStatus.approved
