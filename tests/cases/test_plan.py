"""Issue 18: one plan per case, gathered from every framework, updated in one place."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlmodel import select

from app.audit.models import AuditEntry
from app.base.models import BaseVersion
from app.endings.models import EndingTask, Reactivation
from app.network.models import NetworkTask
from app.signs_of_safety import service as sos
from app.signs_of_safety.models import Category
from app.timeutil import today, utcnow
from tests.diamond.factories import four
from tests.factories import login
from tests.network.factories import make_family_case, meeting_form
from tests.signs_of_safety.factories import add_item


def _case_with_a_plan(client, db, settings):
    worker, case, people = make_family_case(db)
    add_item(
        db,
        case=case,
        by=worker,
        category=Category.next_step,
        text="Meet the head of year with Donna.",
        due_on=today() + timedelta(days=4),
    )
    back = Reactivation(case_id=case.id, asked_by="young_person", by_user_id=worker.id, reactivated_at=utcnow())
    db.add(back)
    db.flush()
    db.add(
        EndingTask(
            case_id=case.id,
            reactivation_id=back.id,
            what="Do a Diamond rating with the young person and family",
            due_on=today() + timedelta(days=10),
        )
    )
    db.commit()
    login(client, db, worker, settings)
    assert client.post(f"/cases/{case.id}/base", data={"id": str(uuid.uuid4())}).status_code == 303
    vid = db.exec(select(BaseVersion.id).where(BaseVersion.case_id == case.id)).one()
    step = {
        "what": "Start the college taster days",
        "who": "Kayla",
        "by_when": (today() + timedelta(days=20)).isoformat(),
    }
    client.post(
        f"/cases/{case.id}/base/plan/steps",
        data={"version_id": vid, "id": str(uuid.uuid4()), **step, "outcome": "Back in education"},
    )
    held = today() - timedelta(days=2)
    data = meeting_form(
        people,
        held_on=held.isoformat(),
        next_meeting_on=(today() + timedelta(days=30)).isoformat(),
        **{f"task-{n}-due": (today() + timedelta(days=7 + n)).isoformat() for n in range(4)},
    )
    assert client.post(f"/cases/{case.id}/network/meetings", data=data).status_code == 303
    return worker, case, people, data


def test_the_plan_lists_every_frameworks_items_with_who_by_when_and_status(client, db, settings):
    worker, case, _people, data = _case_with_a_plan(client, db, settings)
    page = client.get(f"/cases/{case.id}/plan").text
    for words in (
        "Meet the head of year with Donna.",
        "Signs of Safety next step",
        "Start the college taster days",
        "BASE plan step",
        data["task-0-what"],
        "Network meeting task",
        "Do a Diamond rating with the young person and family",
        "Prompted task",
    ):
        assert words in page, words
    assert "Kayla" in page and "Key worker" in page and "by " in page and "Not done yet" in page


def test_updating_an_item_on_the_plan_updates_it_where_it_lives(client, db, settings):
    worker, case, _people, data = _case_with_a_plan(client, db, settings)
    latest = sos.latest_version(session=db, case=case)
    step_key = next(i.item_key for i in sos.items(session=db, map_version=latest) if i.category == "next_step")
    task_id = data["task-0-id"]
    response = client.post(
        f"/cases/{case.id}/plan",
        data={f"status-signs_of_safety:{step_key}": "done", f"status-network:{task_id}": "partly"},
    )
    assert response.status_code == 303
    db.expire_all()
    assert db.get(NetworkTask, task_id).status == "partly"
    map_page = client.get(f"/cases/{case.id}/signs-of-safety").text
    line = map_page[map_page.index("Meet the head of year with Donna.") :][:600]
    assert "Done" in line
    assert db.exec(select(AuditEntry).where(AuditEntry.object_type == "plan_item")).all()
    # The case page's network task list shows the same status.
    assert "Partly done" in client.get(f"/cases/{case.id}").text


def test_a_diamond_rating_after_the_prompt_closes_do_a_diamond_rating(client, db, settings):
    worker, case, people, _ = _case_with_a_plan(client, db, settings)
    page = client.get(f"/cases/{case.id}/plan").text
    assert "Closed by itself" not in page
    # The rating is saved through the worker's form: the save closes the prompt (app/endings/fulfils.py).
    response = client.post(f"/cases/{case.id}/diamond/rate", data={"id": str(uuid.uuid4()), **four(5, 6, 7, 5)})
    assert response.status_code == 303
    page = client.get(f"/cases/{case.id}/plan").text
    assert "Closed by itself: A Diamond rating" in page
    db.expire_all()
    assert db.exec(select(EndingTask)).one().done_at is not None


def test_the_ending_reviews_every_open_item_of_the_plan(client, db, settings):
    worker, case, _people, data = _case_with_a_plan(client, db, settings)
    page = client.get(f"/cases/{case.id}/end").text
    for words in ("Meet the head of year with Donna.", "Start the college taster days", data["task-0-what"]):
        assert words in page, words
