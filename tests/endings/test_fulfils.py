"""Prompted tasks close themselves on the save that does what they ask (issue 18, app/endings/fulfils.py):
the plan says what closed each, "Needs doing" drops it, and work dated before the prompt does not count."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from app.audit.models import AuditEntry
from app.endings.models import EndingTask, Prompt
from app.endings.scheduled import tick
from app.endings.service import PROMPTED_TASKS
from app.timeutil import today
from tests.base.factories import RISK
from tests.diamond.factories import four
from tests.endings.factories import active_case, make_dormant, make_team_people
from tests.endings.test_tick import at, missed_visit, open_prompts
from tests.factories import login
from tests.family.factories import PIN, with_pin, young_person

MAP_OR_RISK, DIAMOND = PROMPTED_TASKS


@pytest.fixture
def people(db):
    return make_team_people(db)


def _day(d) -> str:
    return f"{d:%-d %b %Y}"


def _reactivated(client, db, settings, people):
    """A case back from dormancy through the worker's form, with its two prompted tasks open."""
    case = active_case(db, with_pin(people.worker, db), young_person_name="Kayla Morgan")
    make_dormant(db, case, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    response = client.post(
        f"/cases/{case.id}/reactivate",
        data={
            "id": str(uuid.uuid4()),
            "asked_by": "young_person",
            "what_changed": "She rang",
            "urgency": "soon",
            "base_version": str(case.version),
        },
    )
    assert response.status_code == 303
    # Due this week, so "Needs doing" lists them (due in ten working days, they would wait below).
    for task in db.exec(select(EndingTask).where(EndingTask.case_id == case.id)).all():
        task.due_on = today() + timedelta(days=2)
        db.add(task)
    db.commit()
    needs = _needs_doing(client, case)
    assert MAP_OR_RISK in needs and DIAMOND in needs
    return case


def _task(db, what) -> EndingTask:
    db.expire_all()
    return db.exec(select(EndingTask).where(EndingTask.what == what)).one()


def _needs_doing(client, case) -> str:
    return client.get(f"/cases/{case.id}").text.split("Needs doing")[1].split("</section>")[0]


def _plan_line(client, case, what) -> str:
    page = client.get(f"/cases/{case.id}/plan").text
    return page[page.index(what) :][:900]


def _worker_rating(client, case, **extra):
    return client.post(f"/cases/{case.id}/diamond/rate", data={"id": str(uuid.uuid4()), **four(5, 6, 7, 5), **extra})


def test_the_workers_diamond_rating_closes_do_a_diamond_rating_on_save(client, db, settings, people):
    case = _reactivated(client, db, settings, people)
    assert _worker_rating(client, case).status_code == 303
    # Closed by the save itself, before anyone opens the plan.
    task = _task(db, DIAMOND)
    assert task.done_at is not None and task.done_by_id == people.worker.id
    assert task.closed_by == f"A Diamond rating on {_day(today())}"
    assert DIAMOND not in _needs_doing(client, case) and MAP_OR_RISK in _needs_doing(client, case)
    line = _plan_line(client, case, DIAMOND)
    assert f"Closed by itself: A Diamond rating on {_day(today())}" in line
    assert db.exec(
        select(AuditEntry).where(
            AuditEntry.object_type == "ending_task", AuditEntry.detail.contains("closed by itself")
        )
    ).one()
    assert _task(db, MAP_OR_RISK).done_at is None


def test_a_rating_dated_before_the_return_does_not_close_the_prompt(client, db, settings, people):
    case = _reactivated(client, db, settings, people)
    assert _worker_rating(client, case, rated_on=(today() - timedelta(days=3)).isoformat()).status_code == 303
    assert _task(db, DIAMOND).done_at is None
    assert DIAMOND in _needs_doing(client, case)


def test_the_familys_rating_closes_do_a_diamond_rating(client, db, settings, people):
    case = _reactivated(client, db, settings, people)
    y = young_person(db, case)
    assert client.post(f"/cases/{case.id}/hand-to-family", data={"person": y.id, "pin": PIN}).status_code == 303
    response = client.post(f"/family/{case.id}/{y.id}/diamond/wellbeing", data={"id": str(uuid.uuid4()), "score": 6})
    assert response.status_code == 303
    assert _task(db, DIAMOND).done_at is not None


def test_a_change_to_the_signs_of_safety_map_closes_update_the_map(client, db, settings, people):
    case = _reactivated(client, db, settings, people)
    data = {
        "id": str(uuid.uuid4()),
        "base_version": "0",
        "category": "strength",
        "text": "Gran has Kayla every weekend.",
        "who": "key_worker",
    }
    assert client.post(f"/cases/{case.id}/signs-of-safety/items", data=data).status_code == 303
    task = _task(db, MAP_OR_RISK)
    assert task.done_at is not None and task.closed_by.startswith("A change to the Signs of Safety map")
    assert MAP_OR_RISK not in _needs_doing(client, case)
    assert "Closed by itself: A change to the Signs of Safety map" in _plan_line(client, case, MAP_OR_RISK)
    assert _task(db, DIAMOND).done_at is None


def test_a_risk_saved_in_base_closes_update_the_risk_assessment(client, db, settings, people):
    case = _reactivated(client, db, settings, people)
    assert client.post(f"/cases/{case.id}/base", data={"id": str(uuid.uuid4())}).status_code == 303
    assert _task(db, MAP_OR_RISK).done_at is None  # starting an assessment is not updating the risk
    vid = client.get(f"/cases/{case.id}/base/risk").text.split('name="version_id" value="')[1].split('"')[0]
    response = client.post(f"/cases/{case.id}/base/risk", data={"version_id": vid, "id": str(uuid.uuid4()), **RISK})
    assert response.status_code == 303
    assert _task(db, MAP_OR_RISK).closed_by.startswith("A change to the BASE risk assessment")


def test_a_task_ticked_by_hand_says_nothing_about_closing_itself(client, db, settings, people):
    case = _reactivated(client, db, settings, people)
    task = _task(db, DIAMOND)
    response = client.post(f"/cases/{case.id}/plan", data={f"status-endings:{task.id}": "done"})
    assert response.status_code == 303
    assert _task(db, DIAMOND).done_at is not None
    assert "Closed by itself" not in _plan_line(client, case, DIAMOND)


def _contact(client, case, outcome: str):
    data = {
        "kind": "visit",
        "place": "home",
        "outcome": outcome,
        "occurred_on": today().isoformat(),
        "duration_minutes": "60",
    }
    return client.post(f"/cases/{case.id}/contacts", data=data)


def test_an_attended_visit_closes_the_missed_visits_prompt_on_save(client, db, settings, people):
    case = active_case(db, people.worker)
    for days in (9, 6, 3):
        missed_visit(db, case, people.worker, days)
    tick(session=db, now=at(0))
    db.commit()
    login(client, db, people.worker, settings)
    assert "Three missed visits in a row" in client.get(f"/cases/{case.id}").text
    # Another missed visit is not what the prompt asks for.
    assert _contact(client, case, "missed").status_code == 303
    db.expire_all()
    assert open_prompts(db, case) == ["engagement"]
    assert _contact(client, case, "attended").status_code == 303
    db.expire_all()
    assert open_prompts(db, case) == []
    assert "Three missed visits in a row" not in client.get(f"/cases/{case.id}").text
    # The next tick agrees: nothing raised again, nothing left to resolve.
    result = tick(session=db, now=at(0))
    assert (result.raised, result.resolved) == (0, 0)
    assert db.exec(select(Prompt).where(Prompt.case_id == case.id)).one().resolved_at is not None
