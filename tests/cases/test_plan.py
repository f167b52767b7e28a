"""Issue 18: one plan per case, gathered from every framework, updated in one place."""

from __future__ import annotations

import re
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


def _as_shown(page: str) -> dict[str, str]:
    """What a plan page posts when saved as it is: each item's status and the status it showed."""
    fields = dict(re.findall(r'<input type="hidden" name="(was-[^"]+)" value="([^"]*)">', page))
    fields |= dict(re.findall(r'<select id="(status-[^"]+)" name="[^"]+">.*?<option value="([^"]+)" selected', page))
    return fields


def test_a_plan_page_opened_before_a_change_elsewhere_does_not_undo_it(client, db, settings):
    _worker, case, _people, data = _case_with_a_plan(client, db, settings)
    task = data["task-0-id"]
    step = next(
        i.item_key
        for i in sos.items(session=db, map_version=sos.latest_version(session=db, case=case))
        if i.category == "next_step"
    )
    open_earlier = _as_shown(client.get(f"/cases/{case.id}/plan").text)
    # Another screen marks the meeting's task done; then the earlier page changes only the next step.
    assert client.post(f"/cases/{case.id}/plan", data={f"status-network:{task}": "done"}).status_code == 303
    response = client.post(f"/cases/{case.id}/plan", data={**open_earlier, f"status-signs_of_safety:{step}": "done"})

    assert response.status_code == 303
    db.expire_all()
    assert db.get(NetworkTask, task).status == "done"
    assert "Plan saved: 1 item changed." in client.get(response.headers["location"]).text


def test_a_prompt_that_closed_itself_is_not_reopened_by_a_page_opened_before(client, db, settings):
    _worker, case, _people, data = _case_with_a_plan(client, db, settings)
    open_earlier = _as_shown(client.get(f"/cases/{case.id}/plan").text)
    assert (
        client.post(f"/cases/{case.id}/diamond/rate", data={"id": str(uuid.uuid4()), **four(5, 6, 7, 5)}).status_code
        == 303
    )
    response = client.post(
        f"/cases/{case.id}/plan", data={**open_earlier, f"status-network:{data['task-1-id']}": "partly"}
    )

    assert response.status_code == 303
    db.expire_all()
    assert db.exec(select(EndingTask)).one().done_at is not None
    assert db.get(NetworkTask, data["task-1-id"]).status == "partly"


def test_changing_an_item_someone_else_changed_since_asks_again_and_keeps_the_other_choices(client, db, settings):
    _worker, case, _people, data = _case_with_a_plan(client, db, settings)
    task, other = data["task-0-id"], data["task-1-id"]
    open_earlier = _as_shown(client.get(f"/cases/{case.id}/plan").text)
    assert client.post(f"/cases/{case.id}/plan", data={f"status-network:{task}": "done"}).status_code == 303
    response = client.post(
        f"/cases/{case.id}/plan",
        data={**open_earlier, f"status-network:{task}": "dropped", f"status-network:{other}": "partly"},
    )

    assert response.status_code == 422
    assert "Changed elsewhere to Done since this page was opened." in response.text
    db.expire_all()
    assert db.get(NetworkTask, task).status == "done"
    assert db.get(NetworkTask, other).status == "open"  # nothing of the refused save is kept...
    again = _as_shown(response.text)
    assert again[f"status-network:{other}"] == "partly"  # ...but every choice is still on the page
    assert again[f"status-network:{task}"] == "dropped"
    assert client.post(f"/cases/{case.id}/plan", data=again).status_code == 303  # chosen again, it changes
    db.expire_all()
    assert db.get(NetworkTask, task).status == "dropped"
    assert db.get(NetworkTask, other).status == "partly"


def test_a_refused_save_shows_what_homeward_holds_for_the_items_left_alone(client, db, settings):
    _worker, case, _people, data = _case_with_a_plan(client, db, settings)
    task, other = data["task-0-id"], data["task-1-id"]
    open_earlier = _as_shown(client.get(f"/cases/{case.id}/plan").text)
    assert client.post(f"/cases/{case.id}/plan", data={f"status-network:{task}": "done"}).status_code == 303
    assert client.post(f"/cases/{case.id}/plan", data={f"status-network:{other}": "partly"}).status_code == 303
    # The earlier page changes only the second task, which was changed elsewhere too: refused.
    refused = client.post(f"/cases/{case.id}/plan", data={**open_earlier, f"status-network:{other}": "dropped"})
    assert refused.status_code == 422
    again = _as_shown(refused.text)
    assert again[f"status-network:{task}"] == "done"  # left alone: shown as it now is
    assert again[f"status-network:{other}"] == "dropped"  # changed: the worker's choice kept

    assert client.post(f"/cases/{case.id}/plan", data=again).status_code == 303
    db.expire_all()
    assert db.get(NetworkTask, task).status == "done"
    assert db.get(NetworkTask, other).status == "dropped"
