"""A network task the worker still has to do stays on the case's "Needs doing" list."""

from __future__ import annotations

from sqlmodel import select

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
