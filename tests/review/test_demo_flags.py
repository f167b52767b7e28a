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


def test_demo_holds_a_map_sent_by_the_teams_supervisor_that_the_manager_decides(client, db, settings):
    from tests.factories import login

    load_demo(session=db, settings=settings)
    db.commit()
    kai = db.exec(select(Case).where(Case.young_person_name == "Kai Baxter")).one()
    helen = db.get(User, kai.key_worker_id)
    assert helen.role == "supervisor"
    waiting = db.exec(select(Submission).where(Submission.case_id == kai.id, Submission.status == "waiting")).one()
    manager = db.exec(select(User).where(User.role == "manager")).first()
    login(client, db, manager, settings)
    assert "Kai Baxter" in client.get("/review?decide=1").text
    page = client.get(f"/review/{waiting.id}").text
    assert "Approve" in page
    # Helen sees it waiting, and cannot approve her own work.
    login(client, db, helen, settings)
    assert "Approve" not in client.get(f"/review/{waiting.id}").text
