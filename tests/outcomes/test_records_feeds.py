"""The case's facts feed the outcome records, and the outcome records feed the case (issue 18):
where the young person lives, education (with attendance) and missing episodes are recorded once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import Case, EducationStatus, LivingSituation, MissingEpisode
from app.outcomes import service
from app.outcomes.models import OutcomeRecord
from app.timeutil import today
from tests.demo_copy import demo_service
from tests.endings.factories import active_case, make_team_people
from tests.factories import login
from tests.querycount import count_queries

D = today()


def ago(days: int) -> str:
    return (D - timedelta(days=days)).isoformat()


def words(days: int) -> str:
    return f"{D - timedelta(days=days):%-d %b %Y}"


@pytest.fixture
def people(db):
    return make_team_people(db)


@pytest.fixture
def case(db, people, client, settings):
    made = active_case(db, people.worker, referral_date=D - timedelta(days=120))
    db.commit()
    login(client, db, people.worker, settings)
    return made


def record(**overrides) -> dict:
    data = {"point": "review", "taken_on": D.isoformat(), "living": "with_parents", "education": "full_time"}
    data.update(overrides)
    return data


def selected(page: str, name: str) -> str | None:
    block = re.search(rf'<select id="{name}" name="{name}".*?</select>', page, re.S)
    chosen = re.search(r'<option value="([^"]*)" selected>', block.group(0)) if block else None
    return chosen.group(1) if chosen else None


def value_of(page: str, name: str) -> str | None:
    found = re.search(rf'<input id="{name}" name="{name}" type="[a-z]+" value="([^"]*)"', page)
    return found.group(1) if found else None


def living_history(db, case) -> list[tuple[str, str]]:
    db.expire_all()
    rows = db.exec(
        select(LivingSituation)
        .where(LivingSituation.case_id == case.id)
        .order_by(LivingSituation.since.desc(), LivingSituation.recorded_at.desc())
    ).all()
    return [(r.living, r.since.isoformat()) for r in rows]


def test_a_new_record_opens_filled_from_the_case_saying_where_each_value_came_from(client, db, case):
    posted = [
        (f"/cases/{case.id}/living", {"living": "sofa_surfing", "with_whom": "A friend", "since": ago(60)}),
        (f"/cases/{case.id}/education", {"education": "part_time", "attendance_percent": "70", "education_since": ago(50)}),
        (f"/cases/{case.id}/missing", {"went_missing_on": ago(25), "returned_on": ago(24)}),
    ]  # fmt: skip
    for url, data in posted:
        assert client.post(url, data=data).status_code == 303
    # A review 20 days ago counted the episode 25 days ago; the new record's period starts the day after it.
    review = record(taken_on=ago(20), living="sofa_surfing", education="part_time", missing_episodes="1")
    assert client.post(f"/cases/{case.id}/outcomes", data=review).status_code == 303
    for went in (ago(10), ago(0)):
        assert client.post(f"/cases/{case.id}/missing", data={"went_missing_on": went}).status_code == 303

    page = client.get(f"/cases/{case.id}/outcomes/new").text
    assert selected(page, "living") == "sofa_surfing"
    assert f"From the case: Sofa-surfing since {words(60)}" in page
    assert value_of(page, "living_since") == ago(60)
    assert selected(page, "education") == "part_time"
    assert f"From the case: Part-time education or timetable since {words(50)}" in page
    assert value_of(page, "attendance_percent") == "70"
    assert value_of(page, "missing_episodes") == "2"
    assert f"From the case: 2 recorded from {words(19)} to {words(0)}" in page


def test_a_record_for_an_earlier_day_opens_with_the_case_as_it_stood_that_day(client, db, case):
    for data in ({"living": "with_parents", "since": ago(100)}, {"living": "supported", "since": ago(10)}):
        assert client.post(f"/cases/{case.id}/living", data=data).status_code == 303
    assert client.post(f"/cases/{case.id}/missing", data={"went_missing_on": ago(5)}).status_code == 303
    page = client.get(f"/cases/{case.id}/outcomes/new?taken_on={ago(30)}").text
    assert selected(page, "living") == "with_parents" and value_of(page, "taken_on") == ago(30)
    assert value_of(page, "missing_episodes") == ""  # the episode 5 days ago is after that day
    assert f"The case records none from {words(120)} to {words(30)}" in page


def test_saving_a_different_living_situation_records_it_on_the_case_from_the_record_date(client, db, case, people):
    assert client.post(f"/cases/{case.id}/living", data={"living": "with_parents", "since": ago(90)}).status_code == 303
    response = client.post(f"/cases/{case.id}/outcomes", data=record(living="sofa_surfing"))
    assert response.status_code == 303
    assert living_history(db, case) == [("sofa_surfing", D.isoformat()), ("with_parents", ago(90))]
    audit = db.exec(
        select(AuditEntry).where(AuditEntry.object_type == "living_situation").order_by(AuditEntry.id.desc())
    ).first()
    assert audit.user_id == people.worker.id and audit.case_id == case.id and "sofa_surfing" in audit.detail
    living_page = client.get(f"/cases/{case.id}/living").text
    assert "Now: <strong>Sofa-surfing</strong>" in living_page
    # The case and the outcome record now agree: the next form opens with what was recorded.
    assert selected(client.get(f"/cases/{case.id}/outcomes/new").text, "living") == "sofa_surfing"


def test_a_living_since_date_given_on_the_record_dates_the_change_on_the_case(client, db, case):
    assert client.post(f"/cases/{case.id}/living", data={"living": "with_parents", "since": ago(90)}).status_code == 303
    data = record(living="homeless", living_since=ago(14))
    assert client.post(f"/cases/{case.id}/outcomes", data=data).status_code == 303
    assert living_history(db, case)[0] == ("homeless", ago(14))


def test_the_same_living_situation_adds_nothing_to_the_case_history(client, db, case):
    assert client.post(f"/cases/{case.id}/living", data={"living": "with_parents", "since": ago(90)}).status_code == 303
    assert client.post(f"/cases/{case.id}/outcomes", data=record(living="with_parents")).status_code == 303
    assert living_history(db, case) == [("with_parents", ago(90))]


def test_a_back_dated_record_changes_the_history_at_its_date_and_leaves_the_current_one(client, db, case):
    for data in ({"living": "with_parents", "since": ago(100)}, {"living": "supported", "since": ago(10)}):
        assert client.post(f"/cases/{case.id}/living", data=data).status_code == 303
    data = record(taken_on=ago(40), living="sofa_surfing", education="not_known")
    assert client.post(f"/cases/{case.id}/outcomes", data=data).status_code == 303
    assert living_history(db, case) == [("supported", ago(10)), ("sofa_surfing", ago(40)), ("with_parents", ago(100))]
    assert "Now: <strong>Supported accommodation</strong>" in client.get(f"/cases/{case.id}/living").text
    # A record for a day in that spell now opens with what the back-dated record said.
    page = client.get(f"/cases/{case.id}/outcomes/new?taken_on={ago(30)}").text
    assert selected(page, "living") == "sofa_surfing"


def test_not_known_does_not_overwrite_a_known_living_situation_unless_the_worker_says_so(client, db, case):
    assert client.post(f"/cases/{case.id}/living", data={"living": "with_parents", "since": ago(90)}).status_code == 303
    refused = client.post(f"/cases/{case.id}/outcomes", data=record(living="not_known", police_contacts="2"))
    assert refused.status_code == 422
    assert 'id="living-error"' in refused.text and "The case records" in refused.text
    assert 'value="2"' in refused.text  # what was typed is kept
    assert db.exec(select(OutcomeRecord)).all() == []
    assert living_history(db, case) == [("with_parents", ago(90))]
    chosen = client.post(f"/cases/{case.id}/outcomes", data=record(living="not_known", living_not_known="1"))
    assert chosen.status_code == 303
    assert living_history(db, case)[0] == ("not_known", D.isoformat())


def test_not_known_on_a_case_that_records_nothing_adds_nothing(client, db, case):
    data = record(living="not_known", education="not_known")
    assert client.post(f"/cases/{case.id}/outcomes", data=data).status_code == 303
    assert living_history(db, case) == []
    assert db.exec(select(EducationStatus)).all() == []


def test_education_and_attendance_feed_the_case_and_not_known_keeps_the_known_one(client, db, case):
    data = {"education": "full_time", "attendance_percent": "95", "education_since": ago(200)}
    assert client.post(f"/cases/{case.id}/education", data=data).status_code == 303
    # The same education with a new attendance figure is a new entry; attendance left empty is not.
    assert (
        client.post(f"/cases/{case.id}/outcomes", data=record(taken_on=ago(30), attendance_percent="60")).status_code
        == 303
    )
    assert client.post(f"/cases/{case.id}/outcomes", data=record(taken_on=ago(20))).status_code == 303
    refused = client.post(f"/cases/{case.id}/outcomes", data=record(education="not_known"))
    assert refused.status_code == 422 and 'id="education-error"' in refused.text
    assert client.post(f"/cases/{case.id}/outcomes", data=record(education="excluded")).status_code == 303
    db.expire_all()
    rows = db.exec(select(EducationStatus).order_by(EducationStatus.since)).all()
    assert [(r.education, r.attendance_percent, r.since.isoformat()) for r in rows] == [
        ("full_time", 95, ago(200)),
        ("full_time", 60, ago(30)),
        ("excluded", None, D.isoformat()),
    ]
    assert len(db.exec(select(AuditEntry).where(AuditEntry.object_type == "education_status")).all()) == 3
    page = client.get(f"/cases/{case.id}/living").text
    assert "Now: <strong>Excluded</strong>" in page
    # The outcome records keep their own columns filled (the scorecard and the export read them).
    db.expire_all()
    assert [r.education for r in db.exec(select(OutcomeRecord).order_by(OutcomeRecord.taken_on)).all()] == [
        "full_time",
        "full_time",
        "excluded",
    ]


def test_missing_episodes_are_counted_in_the_record_period_and_never_fewer(client, db, case):
    # The first record's period starts at the referral (120 days ago): the day before is outside it.
    for went in (ago(121), ago(120), ago(50)):
        assert client.post(f"/cases/{case.id}/missing", data={"went_missing_on": went}).status_code == 303
    first = record(taken_on=ago(50), missing_episodes="1")
    fewer = client.post(f"/cases/{case.id}/outcomes", data=first)
    assert fewer.status_code == 422 and 'id="missing_episodes-error"' in fewer.text
    assert f"The case records 2 missing episodes from {words(120)} to {words(50)}" in fewer.text
    blank = client.post(f"/cases/{case.id}/outcomes", data={**first, "missing_episodes": ""})
    assert blank.status_code == 422 and 'id="missing_episodes-error"' in blank.text
    assert client.post(f"/cases/{case.id}/outcomes", data={**first, "missing_episodes": "2"}).status_code == 303
    # The next period starts the day after that record: the episode on its day is not counted again.
    assert client.post(f"/cases/{case.id}/missing", data={"went_missing_on": ago(49)}).status_code == 303
    page = client.get(f"/cases/{case.id}/outcomes/new").text
    assert value_of(page, "missing_episodes") == "1"
    # More than the case records is accepted (the worker may know of episodes not yet dated).
    assert client.post(f"/cases/{case.id}/outcomes", data=record(missing_episodes="3")).status_code == 303
    db.expire_all()
    counts = db.exec(select(OutcomeRecord.missing_episodes).order_by(OutcomeRecord.taken_on)).all()
    assert counts == [2, 3]
    assert len(db.exec(select(MissingEpisode)).all()) == 4


def test_in_the_demo_every_outcome_record_agrees_with_its_case(db, settings):
    demo_service(session=db, settings=settings)
    db.flush()
    records = db.exec(select(OutcomeRecord).where(OutcomeRecord.source == "form")).all()
    assert len(records) >= 50
    for r in records:
        facts = service.from_case(session=db, case=db.get(Case, r.case_id), taken_on=r.taken_on)
        assert (facts.living, facts.education) == (r.living, r.education), (r.case_id, r.point)
        assert facts.missing == (r.missing_episodes or 0), (r.case_id, r.point)
    assert db.exec(select(MissingEpisode)).first() is not None


def test_the_form_and_the_facts_page_run_the_same_statements_however_long_the_history(client, db, case, engine):
    def add(days: int) -> None:
        for url, data in (
            (f"/cases/{case.id}/living", {"living": "supported", "since": ago(days)}),
            (f"/cases/{case.id}/education", {"education": "neet", "education_since": ago(days)}),
            (f"/cases/{case.id}/missing", {"went_missing_on": ago(days)}),
        ):
            assert client.post(url, data=data).status_code == 303

    add(90)
    with count_queries(engine) as few:
        client.get(f"/cases/{case.id}/outcomes/new")
        client.get(f"/cases/{case.id}/living")
    for days in range(80, 20, -10):
        add(days)
    with count_queries(engine) as more:
        client.get(f"/cases/{case.id}/outcomes/new")
        client.get(f"/cases/{case.id}/living")
    assert len(more) == len(few)
