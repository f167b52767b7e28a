"""The dormant register's columns (issue 21 made the last contact and the day a case went dormant
correlated subqueries over the listed cases' own rows): each row reads its own case's values."""

from __future__ import annotations

from datetime import timedelta

from app.cases.models import CaseEvent, Contact
from app.endings.figures import dormant_register
from app.timeutil import local, today, utcnow
from tests.endings.factories import make_team_people
from tests.factories import make_case


def _contact(db, case, worker, days_ago, *, attended=True):
    db.add(
        Contact(
            case_id=case.id,
            kind="visit",
            occurred_on=today() - timedelta(days=days_ago),
            attended=attended,
            direct_minutes=60 if attended else 0,
            by_user_id=worker.id,
        )
    )


def _went_dormant(db, case, worker, days_ago):
    db.add(
        CaseEvent(
            case_id=case.id,
            kind="dormant",
            from_status="active",
            to_status="dormant",
            rationale="Work ended.",
            occurred_at=utcnow() - timedelta(days=days_ago),
            by_user_id=worker.id,
        )
    )


def test_each_row_has_its_own_cases_last_attended_contact_and_dormant_since(db, settings):
    people = make_team_people(db)
    quiet = make_case(db, worker=people.worker, status="dormant", young_person_name="Quiet Dormant")
    seen = make_case(db, worker=people.other, status="dormant", young_person_name="Seen Dormant")
    active = make_case(db, worker=people.worker, status="active", young_person_name="Still Active")
    _went_dormant(db, quiet, people.worker, 200)
    _went_dormant(db, quiet, people.worker, 40)  # dormant again after a return: the latest counts
    _went_dormant(db, seen, people.other, 20)
    _contact(db, seen, people.other, 30)
    _contact(db, seen, people.other, 25)
    _contact(db, seen, people.other, 21, attended=False)  # a missed visit is no contact
    _contact(db, active, people.worker, 1)
    db.commit()
    rows = {r.case.young_person_name: r for r in dormant_register(session=db, user=people.manager)}
    assert set(rows) == {"Quiet Dormant", "Seen Dormant"}
    assert rows["Quiet Dormant"].last_contact_on is None
    assert rows["Seen Dormant"].last_contact_on == today() - timedelta(days=25)
    assert rows["Quiet Dormant"].since == local(utcnow() - timedelta(days=40)).date()
    assert rows["Seen Dormant"].since == local(utcnow() - timedelta(days=20)).date()
    assert rows["Seen Dormant"].worker == people.other.full_name


def test_a_case_stepped_out_of_dormancy_and_ended_again_is_one_row_with_its_new_review_date(db):
    """A dormant case closed by a step before such steps were sent to the dormant review left its
    dormant spell to the next ending, which ends it (until December 2026 the register then showed
    the case twice, the old review date again)."""
    from sqlmodel import select

    from app.cases import service as cases
    from app.endings import service
    from app.endings.models import DormantSpell
    from tests.cases.factories import actor_for
    from tests.endings.factories import active_case, make_dormant

    people = make_team_people(db)
    case = active_case(db, people.worker)
    make_dormant(db, case, people.supervisor)
    # closed as such a step did: the plain move, around the dormant review
    cases.transition(session=db, case=case, to_status="closed", by=actor_for(people.worker),
                     rationale="Stepped up to CP: harm came to light", closure_reason="stepped_up")  # fmt: skip
    service.reopen(session=db, case=case, by=actor_for(people.supervisor), reason="Back to us")
    case.status = "active"
    db.add(case)
    db.flush()
    second = today() + timedelta(days=60)
    make_dormant(db, case, people.supervisor, dormant_review_on=second)
    db.commit()

    rows = [row for row in dormant_register(session=db, user=people.manager) if row.case.id == case.id]
    assert [row.review_due_on for row in rows] == [second]
    spells = db.exec(
        select(DormantSpell).where(DormantSpell.case_id == case.id).order_by(DormantSpell.started_at)
    ).all()
    assert [s.ended_how for s in spells] == ["closed", ""] and spells[0].ended_at is not None
