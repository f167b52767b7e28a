"""The demo raises every oversight flag on the day it is loaded, so a newcomer sees each one (issue 19)."""

from __future__ import annotations

from sqlmodel import select

from app.accounts.models import User
from app.cases.models import Case
from app.demo import load_demo
from app.endings.models import Ending
from app.review import oversight
from app.review.models import Submission
from app.timeutil import today, utcnow


def test_demo_raises_every_flag_on_load(db, settings):
    load_demo(session=db, settings=settings)
    db.commit()
    manager = db.exec(select(User).where(User.role == "manager")).first()
    board = oversight.dashboard(session=db, viewer=manager, settings=settings, today=today(), now=utcnow())
    counts = board.flag_counts()
    assert {key for key, n in counts.items() if n == 0} == set(), counts
    assert ("voice", "Leon Price") in {(f.key, f.name) for f in board.flags}


def test_demo_holds_an_ending_awaiting_approval_with_the_case_still_active(db, settings):
    load_demo(session=db, settings=settings)
    db.commit()
    ruby = db.exec(select(Case).where(Case.young_person_name == "Ruby Hughes")).one()
    assert ruby.status == "active"
    waiting = db.exec(select(Submission).where(Submission.kind == "ending", Submission.case_id == ruby.id)).one()
    assert waiting.status == "waiting" and db.get(Ending, waiting.version_id).pending
