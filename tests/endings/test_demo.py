"""The demo shows endings believably: every worker holds a dormant case, one with its review due."""

from __future__ import annotations

from sqlmodel import select

from app.cases.models import Case
from app.demo import load_demo
from app.endings.figures import dormant_register, figures
from app.endings.models import Prompt


def test_every_demo_worker_holds_a_dormant_case_and_one_review_is_due(db, settings):
    demo = load_demo(session=db, settings=settings)
    db.flush()
    for key in ("worker", "worker2", "worker3"):
        rows = dormant_register(session=db, user=demo.users[key])
        assert rows, key
        assert all(r.since and r.review_due_on and r.last_contact_on for r in rows)
    due = [r for r in dormant_register(session=db, user=demo.users["supervisor"]) if r.review_due_on <= demo.today]
    assert [r.case.young_person_name for r in due] == ["Sophie Turner"]
    assert db.exec(select(Prompt.kind).where(Prompt.case_id == demo.cases["Sophie"].id)).all() == ["dormant_review_due"]
    numbers = figures(
        session=db, user=demo.users["manager"], start=demo.today.replace(year=demo.today.year - 1), end=demo.today
    )
    assert numbers.dormant_now == 3 and numbers.reactivations == 1 and numbers.median_days_dormant == 64
    assert db.exec(select(Case).where(Case.young_person_name == "Jade Robinson")).one().status == "dormant"


def test_the_demo_has_a_reopen_request_waiting_in_the_supervisors_queue(db, settings):
    from app.review import service as review

    demo = load_demo(session=db, settings=settings)
    db.flush()
    rows = [r for r in review.queue(session=db, user=demo.users["supervisor"]) if r.submission.kind == "reopen_request"]
    assert [(r.case.young_person_name, r.worker.full_name) for r in rows] == [("Ellie Shaw", "Priya Shah")]
    assert (demo.today - rows[0].submission.submitted_at.date()).days >= 1 and rows[0].case.status == "closed"
