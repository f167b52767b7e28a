"""Outcome records through the case page: baseline with counterfactual, review, ending, follow-ups."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import select

from app.audit.models import AuditEntry
from app.outcomes.models import FollowUpTask, OutcomeRecord
from app.outcomes.scheduled import tick
from app.timeutil import today
from tests.endings.factories import active_case, make_dormant, make_team_people
from tests.factories import login


@pytest.fixture
def people(db):
    return make_team_people(db)


def baseline(**overrides) -> dict:
    data = {
        "point": "baseline",
        "taken_on": today().isoformat(),
        "living": "with_parents",
        "care_status": "cin",
        "education": "part_time",
        "attendance_percent": "62",
        "missing_episodes": "3",
        "police_contacts": "",
        "sexual_exploitation_risk": "medium",
        "counterfactual_worker": "entered_care",
        "counterfactual_worker_reason": "Mum said she could not cope and asked for accommodation.",
    }
    data.update(overrides)
    return data


def test_worker_records_a_baseline_from_the_case_page(client, db, people, settings):
    case = active_case(db, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    page = client.get(f"/cases/{case.id}")
    assert f'href="/cases/{case.id}/outcomes/new"' in page.text and "Record outcomes" in page.text
    assert client.get(f"/cases/{case.id}/outcomes/new").status_code == 200
    response = client.post(f"/cases/{case.id}/outcomes", data=baseline())
    assert response.status_code == 303
    record = db.exec(select(OutcomeRecord)).one()
    assert (record.point, record.living, record.care_status, record.missing_episodes) == (
        "baseline",
        "with_parents",
        "cin",
        3,
    )
    assert record.police_contacts is None  # left empty: not known
    assert record.anti_social_behaviour == "not_known"
    assert record.counterfactual_worker == "entered_care"
    audit = db.exec(select(AuditEntry).where(AuditEntry.object_type == "outcome_record")).one()
    assert audit.action == "create" and audit.case_id == case.id
    assert "Child in need plan" in client.get(f"/cases/{case.id}").text


def test_bad_input_is_refused_beside_each_field_and_nothing_is_stored(client, db, people, settings):
    case = active_case(db, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    response = client.post(
        f"/cases/{case.id}/outcomes",
        data=baseline(
            taken_on=(today() + timedelta(days=3)).isoformat(),
            living="castle",
            attendance_percent="140",
            counterfactual_worker_reason="",
        ),
    )
    assert response.status_code == 422
    text = response.text
    assert 'id="taken_on-error"' in text and "in the future" in text
    assert 'id="living-error"' in text
    assert 'id="attendance_percent-error"' in text
    assert 'id="counterfactual_worker_reason-error"' in text
    assert 'value="140"' in text  # the values are kept
    assert db.exec(select(OutcomeRecord)).all() == []


def test_placement_type_is_asked_when_the_young_person_is_in_care(client, db, people, settings):
    case = active_case(db, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    data = baseline(point="review", living="in_care", care_status="cla")
    assert client.post(f"/cases/{case.id}/outcomes", data=data).status_code == 422
    data["placement"] = "foster"
    assert client.post(f"/cases/{case.id}/outcomes", data=data).status_code == 303
    assert db.exec(select(OutcomeRecord.placement)).one() == "foster"


def test_follow_up_is_refused_while_the_work_has_not_ended(client, db, people, settings):
    case = active_case(db, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    response = client.post(f"/cases/{case.id}/outcomes", data=baseline(point="follow_up_3"))
    assert response.status_code == 422 and 'id="point-error"' in response.text


def test_a_manager_reads_but_cannot_record_and_another_worker_gets_404(client, db, people, settings):
    case = active_case(db, people.worker)
    db.commit()
    login(client, db, people.manager, settings)
    assert client.post(f"/cases/{case.id}/outcomes", data=baseline()).status_code == 403
    login(client, db, people.other, settings)
    assert client.get(f"/cases/{case.id}/outcomes/new").status_code == 404
    assert db.exec(select(OutcomeRecord)).all() == []


def _at(days: int) -> datetime:
    return datetime.combine(today() + timedelta(days=days), time(9, 0), tzinfo=UTC)


def test_tick_raises_each_follow_up_once_and_recording_it_marks_it_done(client, db, people, settings):
    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    db.commit()
    assert tick(session=db, now=_at(80)) == 0
    assert tick(session=db, now=_at(100)) == 1
    assert tick(session=db, now=_at(100)) == 0
    task = db.exec(select(FollowUpTask)).one()
    assert (task.point, task.assigned_user_id, task.due_on > today()) == ("follow_up_3", people.worker.id, True)
    db.commit()
    login(client, db, people.worker, settings)
    assert "Follow-up, 3 months after the work ended due" in client.get(f"/cases/{case.id}").text
    data = baseline(point="follow_up_3", taken_on=today().isoformat())
    assert client.post(f"/cases/{case.id}/outcomes", data=data).status_code == 303
    db.expire_all()
    assert db.exec(select(FollowUpTask.done_at)).one() is not None
    # Six months on, only the six-month follow-up is new.
    assert tick(session=db, now=_at(190)) == 1


def test_follow_up_goes_to_the_supervisor_when_the_worker_has_left(db, people):
    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    people.worker.is_active = False
    db.add(people.worker)
    db.flush()
    assert tick(session=db, now=_at(100)) == 1
    assert db.exec(select(FollowUpTask.assigned_user_id)).one() == people.supervisor.id


def test_case_page_shows_each_raters_first_against_latest_on_the_diamond(client, db, people, settings):
    from datetime import date

    from app.cases.models import Person
    from app.diamond.models import DiamondRating

    case = active_case(db, people.worker)
    young = db.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person)).first()

    def rated(score, on, person=None, aim="wellbeing"):
        db.add(DiamondRating(case_id=case.id, person_id=person.id if person else None,
                             user_id=None if person else people.worker.id, aim=aim, score=score, rated_on=on,
                             recorded_at=datetime.combine(on, time(12), UTC), recorded_by_user_id=people.worker.id))  # fmt: skip

    rated(3, date(2026, 1, 5), young)
    rated(4, date(2026, 2, 5), young)
    rated(6, date(2026, 3, 5), young)
    rated(7, date(2026, 3, 5), aim="learning")
    rated(5, date(2026, 1, 5), aim="learning")  # recorded later, rated earlier: still the first
    rated(5, date(2026, 3, 5), young, aim="relationships")  # rated once: no pair
    db.commit()
    login(client, db, people.worker, settings)
    page = client.get(f"/cases/{case.id}").text
    assert "Distance travelled on the Diamond" in page
    assert f"<td>{young.name}</td><td>Well-being and happiness</td><td>3</td><td>6</td><td>up 3</td><td>3</td>" in page
    assert "<td>Amy Worker (worker)</td><td>Learning</td><td>5</td><td>7</td><td>up 2</td><td>2</td>" in page
    assert "<td>Relationships</td>" not in page


def test_a_diamond_rating_put_right_the_same_day_is_not_the_first_on_the_case_page(client, db, people, settings):
    """A later rating the same day supersedes an earlier one: 2 put right to 6, then 7 a month on."""
    from datetime import date

    from app.cases.models import Person
    from app.diamond.models import DiamondRating

    case = active_case(db, people.worker)
    young = db.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person)).first()
    for score, on, at in (
        (2, date(2026, 1, 5), time(10)),
        (6, date(2026, 1, 5), time(10, 1)),
        (7, date(2026, 2, 5), time(12)),
    ):
        db.add(DiamondRating(case_id=case.id, person_id=young.id, aim="wellbeing", score=score, rated_on=on,
                             recorded_at=datetime.combine(on, at, UTC), recorded_by_user_id=people.worker.id))  # fmt: skip
    db.add(DiamondRating(case_id=case.id, person_id=young.id, aim="learning", score=1, rated_on=date(2026, 1, 5),
                         recorded_at=datetime(2026, 1, 5, 10, tzinfo=UTC), recorded_by_user_id=people.worker.id))  # fmt: skip
    db.add(DiamondRating(case_id=case.id, person_id=young.id, aim="learning", score=4, rated_on=date(2026, 1, 5),
                         recorded_at=datetime(2026, 1, 5, 11, tzinfo=UTC), recorded_by_user_id=people.worker.id))  # fmt: skip
    db.commit()
    login(client, db, people.worker, settings)
    page = client.get(f"/cases/{case.id}").text
    assert f"<td>{young.name}</td><td>Well-being and happiness</td><td>6</td><td>7</td><td>up 1</td><td>2</td>" in page
    assert "<td>Learning</td>" not in page  # rated on one day only


def test_two_diamond_ratings_in_one_second_agree_on_the_chart_and_the_case_page(client, db, people, settings):
    """A 3 sent half a second after an 8 (two answers of an outbox arriving together): the latest
    is the 3 on the Diamond chart and in the distance travelled alike, not the higher number."""
    from datetime import date

    from app.cases.models import Person
    from app.diamond.models import DiamondRating

    case = active_case(db, people.worker)
    young = db.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person)).first()
    for score, on, at in (
        (5, date(2026, 1, 5), time(10)),
        (8, date(2026, 2, 5), time(12, 0, 0, 100_000)),
        (3, date(2026, 2, 5), time(12, 0, 0, 600_000)),
    ):
        db.add(DiamondRating(case_id=case.id, person_id=young.id, aim="wellbeing", score=score, rated_on=on,
                             recorded_at=datetime.combine(on, at, UTC), recorded_by_user_id=people.worker.id))  # fmt: skip
    db.commit()
    login(client, db, people.worker, settings)
    page = client.get(f"/cases/{case.id}").text
    assert (
        f"<td>{young.name}</td><td>Well-being and happiness</td><td>5</td><td>3</td><td>down 2</td><td>2</td>" in page
    )
    chart = client.get(f"/cases/{case.id}/diamond").text.split("Everyone's latest numbers")[1].split("</table>")[0]
    assert "<td>3</td>" in chart and "<td>8</td>" not in chart


def _worked_twice_then_closed_from_the_status_screen(db, people):
    """Ended to dormant 400 days ago (an `Ending`), picked up again, then closed from the status
    screen yesterday, which makes no `Ending`: the work last ended yesterday."""
    from app.cases.models import CaseEvent
    from app.endings.models import Ending

    case = active_case(db, people.worker)
    db.add(Ending(case_id=case.id, outcome="dormant", recorded_at=_at(-400), by_user_id=people.worker.id))
    for kind, was, to, days in (("dormant", "active", "dormant", -400), ("reactivated", "dormant", "active", -200),
                                ("closed", "active", "closed", -1)):  # fmt: skip
        db.add(CaseEvent(case_id=case.id, kind=kind, from_status=was, to_status=to, occurred_at=_at(days),
                         by_user_id=people.worker.id))  # fmt: skip
    case.status, case.closed_at = "closed", _at(-1)
    db.add(case)
    db.commit()
    return case


def test_follow_ups_are_due_from_the_latest_end_of_active_work_not_an_earlier_spells_ending(db, people):
    _worked_twice_then_closed_from_the_status_screen(db, people)
    assert tick(session=db, now=_at(0)) == 0
    assert tick(session=db, now=_at(95)) == 1
    assert db.exec(select(FollowUpTask.ended_on)).one() == today() - timedelta(days=1)


def test_a_follow_up_taken_before_the_latest_end_of_active_work_is_refused(client, db, people, settings):
    case = _worked_twice_then_closed_from_the_status_screen(db, people)
    login(client, db, people.worker, settings)
    data = baseline(point="follow_up_3", taken_on=(today() - timedelta(days=10)).isoformat())
    response = client.post(f"/cases/{case.id}/outcomes", data=data)
    assert response.status_code == 422 and 'id="taken_on-error"' in response.text


def test_case_page_compares_each_worker_with_their_own_diamond_ratings(client, db, people, settings):
    """The key worker's 3 is not the co-worker's starting point: each worker rated once is no pair,
    and a worker who rated twice is named beside their own first and latest."""
    from datetime import date

    from app.diamond.models import DiamondRating

    case = active_case(db, people.worker, co_worker_id=people.other.id)

    def rated(score, on, user, aim="wellbeing"):
        db.add(DiamondRating(case_id=case.id, user_id=user.id, aim=aim, score=score, rated_on=on,
                             recorded_at=datetime.combine(on, time(12), UTC), recorded_by_user_id=user.id))  # fmt: skip

    rated(3, date(2026, 1, 5), people.worker)
    rated(8, date(2026, 3, 5), people.other)
    rated(4, date(2026, 1, 5), people.other, aim="learning")
    rated(6, date(2026, 3, 5), people.other, aim="learning")
    db.commit()
    login(client, db, people.worker, settings)
    page = client.get(f"/cases/{case.id}").text
    assert "<td>Well-being and happiness</td>" not in page
    assert "<td>Ben Other (worker)</td><td>Learning</td><td>4</td><td>6</td><td>up 2</td><td>2</td>" in page


def test_a_follow_up_raised_under_the_ending_days_key_is_not_raised_again(client, db, people, settings):
    """Until December 2026 a task's key named the day the `Ending` was recorded; the work now ends
    on its move out of active work (approved two days later here). A task still open under the old
    key is the same follow-up: the case page shows it once."""
    from app.cases.models import CaseEvent
    from app.endings.models import Ending
    from app.outcomes.rules import add_months

    case = active_case(db, people.worker)
    submitted, approved = today() - timedelta(days=97), today() - timedelta(days=95)
    db.add(Ending(case_id=case.id, outcome="dormant", recorded_at=_at(-97), by_user_id=people.worker.id))
    db.add(CaseEvent(case_id=case.id, kind="dormant", from_status="active", to_status="dormant", occurred_at=_at(-95),
                     by_user_id=people.worker.id))  # fmt: skip
    case.status = "dormant"
    db.add(case)
    db.add(FollowUpTask(key=f"{case.id}:follow_up_3:{submitted.isoformat()}", case_id=case.id, point="follow_up_3",
                        ended_on=submitted, due_on=add_months(submitted, 3), assigned_user_id=people.worker.id,
                        raised_at=_at(-5)))  # fmt: skip
    db.commit()
    assert add_months(approved, 3) <= today()
    assert tick(session=db, now=_at(0)) == 0
    db.commit()
    login(client, db, people.worker, settings)
    assert client.get(f"/cases/{case.id}").text.count("Follow-up, 3 months after the work ended due") == 1


def test_a_case_that_ends_again_gets_its_own_follow_up_while_the_first_endings_is_still_open(db, people):
    """Closed, reopened and ended again: the second ending's 3-month follow-up is raised although
    the first ending's is still open, since it belongs to work that ended before (in three queries)."""
    from app.cases.models import CaseEvent
    from tests.querycount import count_queries

    case = active_case(db, people.worker)
    first_end, second_end = today() - timedelta(days=200), today() - timedelta(days=100)
    moves = [(-300, "screening", "active"), (-200, "active", "closed"), (-150, "closed", "screening"),
             (-140, "screening", "active"), (-100, "active", "closed")]  # fmt: skip
    for days, frm, to in moves:
        db.add(CaseEvent(case_id=case.id, kind=to, from_status=frm, to_status=to, occurred_at=_at(days),
                         by_user_id=people.worker.id))  # fmt: skip
    case.status = "closed"
    db.add(case)
    db.add(FollowUpTask(key=f"{case.id}:follow_up_3:{first_end.isoformat()}", case_id=case.id, point="follow_up_3",
                        ended_on=first_end, due_on=today() - timedelta(days=10), assigned_user_id=people.worker.id,
                        raised_at=_at(-108)))  # fmt: skip
    db.commit()
    with count_queries(db.get_bind()) as statements:
        assert tick(session=db, now=_at(0)) == 1
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "advisory" not in s]
    assert len(reads) == 3  # PostgreSQL's advisory lock aside
    assert tick(session=db, now=_at(0)) == 0
    open_tasks = db.exec(select(FollowUpTask.ended_on).where(FollowUpTask.done_at.is_(None))).all()
    assert sorted(open_tasks) == [first_end, second_end]
