"""A version sent again before the supervisor decided: only the newest waits, and a decision on an
older one is refused, so nothing is approved or returned that the supervisor did not see."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from app.review import oversight
from app.review import service as review
from app.review.models import Notification, Submission
from app.signs_of_safety.models import Category
from app.timeutil import today, utcnow
from tests.factories import login, make_case, make_team, make_user
from tests.signs_of_safety.factories import add_item


def _map_sent_twice(client, db, settings):
    team = make_team(db)
    worker = make_user(db, team=team, full_name="Sam Okafor")
    supervisor = make_user(db, team=team, role="supervisor", full_name="Priya Shah")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    add_item(db, case=case, by=worker, text="Nan collects Kayla from school.")
    db.commit()
    login(client, db, worker, settings)
    assert client.post(f"/cases/{case.id}/signs-of-safety/submit", data={"base_version": "1"}).status_code == 303
    add_item(db, case=case, by=worker, base_version=1, category=Category.next_step, text="Meet the school.")
    db.commit()
    assert client.post(f"/cases/{case.id}/signs-of-safety/submit", data={"base_version": "2"}).status_code == 303
    first, second = db.exec(select(Submission).order_by(Submission.version_number)).all()
    return worker, supervisor, case, first, second


def _live_notes(db, user) -> list[str]:
    db.expire_all()
    return list(
        db.exec(
            select(Notification.text).where(Notification.user_id == user.id, Notification.cleared_at.is_(None))
        ).all()
    )


def test_an_older_version_sent_again_is_not_waiting_and_cannot_be_approved(client, db, settings):
    _worker, supervisor, case, first, second = _map_sent_twice(client, db, settings)
    login(client, db, supervisor, settings)
    queue = client.get("/review").text
    assert "version 2" in queue and "version 1" not in queue

    older = client.get(f"/review/{first.id}").text
    assert "Superseded by version 2" in older and "/approve" not in older

    refused = client.post(f"/review/{first.id}/approve")
    assert refused.status_code == 303
    shown = client.get(refused.headers["location"]).text
    assert "Version 2 was sent since" in shown
    db.expire_all()
    assert db.get(Submission, first.id).status == "superseded"
    assert db.get(Submission, second.id).status == "waiting"
    assert "Signs of Safety map version 2 waiting for review" not in client.get(f"/cases/{case.id}").text
    assert ": approved" not in client.get(f"/cases/{case.id}").text


def test_returning_an_older_version_is_refused_and_the_newer_one_still_waits(client, db, settings):
    worker, supervisor, _case, first, second = _map_sent_twice(client, db, settings)
    waiting_note = _live_notes(db, supervisor)
    login(client, db, supervisor, settings)
    assert client.post(f"/review/{first.id}/return", data={"rationale": "Needs the danger statement."}).status_code
    db.expire_all()
    assert db.get(Submission, first.id).status == "superseded"
    assert _live_notes(db, supervisor) == waiting_note
    assert not any("returned" in text for text in _live_notes(db, worker))


def test_a_version_left_waiting_under_a_newer_one_is_neither_queued_counted_nor_decided(client, db, settings):
    # Rows from before superseding: two versions of one map both still "waiting", sent a fortnight ago.
    team = make_team(db)
    worker = make_user(db, team=team, full_name="Sam Okafor")
    supervisor = make_user(db, team=team, role="supervisor", full_name="Priya Shah")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    long_ago = utcnow() - timedelta(days=14)
    first, second = (
        Submission(
            kind="sos_map",
            case_id=case.id,
            team_id=team.id,
            item_id="map-1",
            version_id=f"v{n}",
            version_number=n,
            submitted_by_id=worker.id,
            submitted_at=long_ago,
        )
        for n in (1, 2)
    )
    db.add_all([first, second])
    db.commit()
    review.approve(session=db, submission=second, by=supervisor)
    db.commit()

    assert review.queue_count(session=db, user=supervisor) == 0
    board = oversight.dashboard(session=db, viewer=supervisor, settings=settings, today=today(), now=utcnow())
    assert board.waiting_by_team.get(team.id, 0) == 0
    assert [f.key for f in board.flags if f.key == "waiting"] == []
    login(client, db, supervisor, settings)
    assert client.post(f"/review/{first.id}/approve").status_code == 303
    db.expire_all()
    assert db.get(Submission, first.id).status == "waiting"
    assert db.get(Submission, first.id).decided_by_id is None
