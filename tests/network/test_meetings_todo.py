"""A network task the worker still has to do stays on the case's "Needs doing" list."""

from __future__ import annotations

from sqlmodel import select

from app.cases.models import Case
from app.network import todo
from app.network.models import NetworkTask, TaskStatus
from tests.factories import login
from tests.network.factories import make_family_case, meeting_form


def test_a_task_marked_not_done_at_a_review_stays_on_needs_doing(client, db, settings):
    worker, case, people = make_family_case(db)
    db.commit()
    login(client, db, worker, settings)
    assert client.post(f"/cases/{case.id}/network/meetings", data=meeting_form(people)).status_code == 303
    tasks = db.exec(select(NetworkTask).where(NetworkTask.case_id == case.id).order_by(NetworkTask.what)).all()
    statuses = [TaskStatus.not_done, TaskStatus.partly, TaskStatus.done, TaskStatus.dropped]
    for task, status in zip(tasks, statuses, strict=False):
        task.status = status
        db.add(task)
    db.commit()
    listed = {item.title for item in todo.items(session=db, case=case, actor=None)}
    assert listed == {tasks[0].what, tasks[1].what}


def test_closing_a_case_with_network_tasks_still_open_says_how_many_beside_the_close(client, db, settings):
    """Closing stays possible, but the worker is told before closing that tasks the family's
    network agreed are still open, on the status screen and the Step screen."""
    worker, case, people = make_family_case(db)
    db.commit()
    login(client, db, worker, settings)
    assert client.post(f"/cases/{case.id}/network/meetings", data=meeting_form(people)).status_code == 303
    tasks = db.exec(select(NetworkTask).where(NetworkTask.case_id == case.id).order_by(NetworkTask.what)).all()
    assert len(tasks) >= 3
    for task in tasks[2:]:
        task.status = TaskStatus.done
        db.add(task)
    tasks[1].status = TaskStatus.partly
    db.add(tasks[1])
    db.commit()

    for screen in ("status", "step"):
        page = client.get(f"/cases/{case.id}/{screen}").text
        assert "2 tasks agreed at the family&#39;s network meetings are still open" in page, screen
    close = {"to": "closed", "closure_reason": "moved_away", "rationale": "Family moved to Leeds"}
    response = client.post(f"/cases/{case.id}/status", data={**close, "base_version": str(case.version)})
    assert response.status_code == 303
    db.expire_all()
    assert db.get(Case, case.id).status == "closed"


def test_no_note_beside_the_close_when_every_network_task_is_finished(client, db, settings):
    worker, case, people = make_family_case(db)
    db.commit()
    login(client, db, worker, settings)
    assert client.post(f"/cases/{case.id}/network/meetings", data=meeting_form(people)).status_code == 303
    for task in db.exec(select(NetworkTask).where(NetworkTask.case_id == case.id)).all():
        task.status = TaskStatus.dropped
        db.add(task)
    db.commit()
    assert "network meetings" not in client.get(f"/cases/{case.id}/status").text
