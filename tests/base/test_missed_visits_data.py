"""The formulation suggestion reads real visits: three missed home visits in a row count, calls do not."""

from __future__ import annotations

from datetime import date, timedelta

from app.base import rules
from app.base.service import recent_attendance
from app.cases.models import Contact
from tests.factories import make_case, make_user


def _visit(db, case, worker, days_ago, attended, kind="visit"):
    db.add(
        Contact(
            case_id=case.id,
            kind=kind,
            occurred_on=date(2026, 11, 1) - timedelta(days=days_ago),
            attended=attended,
            by_user_id=worker.id,
        )
    )


def test_three_missed_visits_in_a_row_are_read_from_contacts(db):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    _visit(db, case, worker, 10, True)
    _visit(db, case, worker, 7, False)
    _visit(db, case, worker, 5, False)
    _visit(db, case, worker, 4, True, kind="phone")  # a call is not a visit
    _visit(db, case, worker, 2, False)
    db.flush()
    attendance = recent_attendance(session=db, case_id=case.id)
    assert attendance == [False, False, False]
    assert rules.formulation_reasons(overall_risk=None, hazard_levels=[], review_scores=[], attendance=attendance)


def test_an_attended_visit_breaks_the_run(db):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    _visit(db, case, worker, 7, False)
    _visit(db, case, worker, 5, True)
    _visit(db, case, worker, 2, False)
    db.flush()
    attendance = recent_attendance(session=db, case_id=case.id)
    assert attendance == [False, True, False]
    assert not rules.formulation_reasons(overall_risk=None, hazard_levels=[], review_scores=[], attendance=attendance)
