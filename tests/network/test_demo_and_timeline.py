"""The demo gives Kayla a network and two meetings; meetings and FGDM steps reach the case timeline."""

from __future__ import annotations

import uuid

from sqlmodel import select

from app.demo import load_demo
from app.network.models import NetworkMeeting, NetworkMember, NetworkTask, TaskUpdate
from tests.factories import login
from tests.network.factories import make_family_case, meeting_form


def test_demo_gives_kayla_a_network_and_a_review_that_updated_the_first_meetings_tasks(db, settings):
    demo = load_demo(session=db, settings=settings)
    kayla = demo.cases["Kayla"]
    meetings = db.exec(
        select(NetworkMeeting).where(NetworkMeeting.case_id == kayla.id).order_by(NetworkMeeting.held_on)
    ).all()
    assert [m.kind for m in meetings] == ["network", "review"]
    assert meetings[0].finalised_at is not None
    first_tasks = db.exec(select(NetworkTask).where(NetworkTask.meeting_id == meetings[0].id)).all()
    assert sorted(t.status for t in first_tasks) == ["done", "done", "dropped", "partly"]
    assert len(db.exec(select(TaskUpdate).where(TaskUpdate.meeting_id == meetings[1].id)).all()) == 4
    assert len(db.exec(select(NetworkMember).where(NetworkMember.case_id == kayla.id)).all()) >= 6


def test_meetings_and_fgdm_steps_appear_on_the_case_timeline(client, db, settings):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    meeting_id = meeting_form(people)["id"]
    client.post(f"/cases/{case.id}/network/meetings", data=meeting_form(people, meeting_id=meeting_id))
    client.post(
        f"/cases/{case.id}/network/fgdm",
        data={"id": str(uuid.uuid4()), "fgdm_status": "offered", "fgdm_date": "2026-09-20", "fgdm_to": "Donna Morgan"},
    )
    page = client.get(f"/cases/{case.id}").text
    timeline = page[page.index('id="timeline-h"') :]
    assert f'href="/cases/{case.id}/network/meetings/{meeting_id}">Family network meeting</a>' in timeline
    assert "Family group decision making: offered" in timeline
