"""`homeward tick` with a settable clock: prompts raised once however often it runs; cases never closed."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import select

from app.cases.models import Contact
from app.endings import service
from app.endings.models import Prompt
from app.endings.scheduled import tick
from app.features import flag_rules
from app.timeutil import today
from tests.cases.factories import actor_for
from tests.endings.factories import active_case, make_dormant, make_team_people


def at(days: int) -> datetime:
    return datetime.combine(today() + timedelta(days=days), time(9, 0), tzinfo=UTC)


def open_prompts(db, case) -> list[str]:
    return sorted(db.exec(select(Prompt.kind).where(Prompt.case_id == case.id, Prompt.resolved_at.is_(None))).all())


def missed_visit(db, case, user, days_ago: int, attended: bool = False) -> None:
    db.add(
        Contact(
            case_id=case.id,
            kind="visit",
            occurred_on=today() - timedelta(days=days_ago),
            attended=attended,
            by_user_id=user.id,
        )
    )
    db.flush()


@pytest.fixture
def people(db):
    return make_team_people(db)


def test_tick_raises_dormant_review_due_once_when_run_twice(db, people):
    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    assert tick(session=db, now=at(30)).raised == 0
    first = tick(session=db, now=at(95))
    second = tick(session=db, now=at(95))
    assert (first.raised, second.raised, second.resolved) == (1, 0, 0)
    assert open_prompts(db, case) == ["dormant_review_due"]
    assert case.status == "dormant"


def test_review_resolves_the_prompt_and_a_new_date_raises_a_new_one_later(db, people):
    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    tick(session=db, now=at(95))
    service.dormant_review(
        session=db,
        case=case,
        by=actor_for(people.worker),
        decision="stay",
        rationale="Fine",
        new_review_on=today() + timedelta(days=150),
    )
    assert open_prompts(db, case) == []
    assert tick(session=db, now=at(100)).raised == 0
    assert tick(session=db, now=at(151)).raised == 1
    assert open_prompts(db, case) == ["dormant_review_due"]


def test_tick_prompts_closing_after_maximum_dormancy_and_clears_on_reactivation(db, people):
    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    tick(session=db, now=at(370), max_dormancy_months=12)
    tick(session=db, now=at(371), max_dormancy_months=12)
    assert open_prompts(db, case) == ["dormant_review_due", "max_dormancy"]
    assert case.status == "dormant"  # a prompt, never an automatic closure
    service.reactivate(
        session=db,
        case=case,
        by=actor_for(people.worker),
        asked_by="parent",
        what_changed="Mum rang",
        urgency="routine",
    )
    assert open_prompts(db, case) == []
    assert tick(session=db, now=at(372)).raised == 0


def test_three_missed_visits_in_a_row_flag_engagement_once_and_never_close(db, people):
    case = active_case(db, people.worker)
    missed_visit(db, case, people.worker, 20, attended=True)
    missed_visit(db, case, people.worker, 14)
    missed_visit(db, case, people.worker, 7)
    assert tick(session=db, now=at(0)).raised == 0
    missed_visit(db, case, people.worker, 1)
    assert tick(session=db, now=at(0)).raised == 1
    missed_visit(db, case, people.worker, 0)  # a fourth in the same streak: still one flag
    assert tick(session=db, now=at(0)).raised == 0
    assert open_prompts(db, case) == ["engagement"] and case.status == "active"


def test_an_attended_visit_ends_the_streak_and_resolves_the_flag(db, people):
    case = active_case(db, people.worker)
    for days in (9, 6, 3):
        missed_visit(db, case, people.worker, days)
    tick(session=db, now=at(0))
    missed_visit(db, case, people.worker, 0, attended=True)
    result = tick(session=db, now=at(0))
    assert (result.raised, result.resolved) == (0, 1) and open_prompts(db, case) == []


def test_homeward_tick_command_runs_twice_without_duplicates(db, people, database_url, monkeypatch, capsys):
    from app import cli
    from app.config import get_settings

    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    db.commit()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MAX_DORMANCY_MONTHS", "12")
    get_settings.cache_clear()
    try:
        when = (today() + timedelta(days=400)).isoformat() + "T09:00"
        cli.main(["tick", "--now", when])
        cli.main(["tick", "--now", when])
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr().out.splitlines()
    # The same run raises the 3, 6 and 12-month outcome follow-ups (app/outcomes/scheduled.py), once,
    # and keeps the week's flag counts for the one team (one row per flag, replaced the second time).
    kept = f"Flag counts kept for the week: {len(flag_rules())}."
    assert out == [
        "Prompts raised: 2; resolved: 0.",
        "Outcome follow-ups raised: 3.",
        kept,
        "Prompts raised: 0; resolved: 0.",
        "Outcome follow-ups raised: 0.",
        kept,
    ]
    db.expire_all()
    assert open_prompts(db, case) == ["dormant_review_due", "max_dormancy"]


def test_a_visit_entered_late_and_dated_before_the_missed_ones_leaves_the_flag_up(db, people):
    """Attended 20 days ago, missed 3, 2 and 1 days ago: flagged. A visit from 30 days ago entered
    now does not end that streak (the flag once closed for good: its key is never raised again);
    a visit after the last one seen does."""
    from app.endings.fulfils import fulfilled

    case = active_case(db, people.worker)
    missed_visit(db, case, people.worker, 20, attended=True)
    for days in (3, 2, 1):
        missed_visit(db, case, people.worker, days)
    assert tick(session=db, now=at(0)).raised == 1
    by = actor_for(people.worker)
    missed_visit(db, case, people.worker, 30, attended=True)
    fulfilled(session=db, case_id=case.id, event="visit_attended", by=by, on=today() - timedelta(days=30))
    tick(session=db, now=at(0))
    assert open_prompts(db, case) == ["engagement"]
    fulfilled(session=db, case_id=case.id, event="visit_attended", by=by, on=today() - timedelta(days=19))
    assert open_prompts(db, case) == []
