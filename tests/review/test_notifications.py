"""Notifications that mean something: tied to the item, cleared when it is acted on, read and
unread, no duplicates, and a header count that matches the list (issue 19)."""

from __future__ import annotations

import re

from sqlmodel import select

from app.review import service
from app.review.models import Notification, Submission
from app.signs_of_safety.models import Category
from tests.factories import login, make_case, make_team, make_user
from tests.signs_of_safety.factories import add_item


def _team(db):
    team = make_team(db)
    worker = make_user(db, team=team, full_name="Sam Okafor")
    supervisor = make_user(db, team=team, role="supervisor", full_name="Priya Shah")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    return worker, supervisor, case


def _live(db, user) -> list[str]:
    db.expire_all()
    return [
        n.text
        for n in db.exec(
            select(Notification).where(Notification.user_id == user.id, Notification.cleared_at.is_(None))
        ).all()
    ]


def _badge(client) -> int:
    badge = client.get("/notifications/badge", headers={"HX-Request": "true"}).text
    found = re.search(r'class="badge">(\d+)', badge)
    return int(found.group(1)) if found else 0


def _submit(client, case, version):
    return client.post(f"/cases/{case.id}/signs-of-safety/submit", data={"base_version": str(version)})


def test_waiting_clears_on_return_returned_clears_on_resubmission_and_approval_leaves_one(client, db, settings):
    worker, supervisor, case = _team(db)
    add_item(db, case=case, by=worker, category=Category.strength, text="Nan collects Kayla.")
    db.commit()
    login(client, db, worker, settings)
    _submit(client, case, 1)
    first = db.exec(select(Submission)).one()
    assert _live(db, supervisor) == [f"Signs of Safety map for {case.reference} is waiting for review"]

    login(client, db, supervisor, settings)
    assert _badge(client) == 1
    page = client.get("/notifications").text
    assert "1 new · 1 in all" in page and "New" in page
    client.post(f"/review/{first.id}/return", data={"rationale": "Say how often."})
    assert _live(db, supervisor) == []  # acted on: gone from the list and the count
    assert _badge(client) == 0 and "No notifications." in client.get("/notifications").text

    assert _live(db, worker) == ["Signs of Safety map version 1 returned to you"]
    add_item(db, case=case, by=worker, base_version=1, category=Category.strength, text="Every Tuesday.")
    db.commit()
    login(client, db, worker, settings)
    _submit(client, case, 2)
    assert _live(db, worker) == []  # the resubmission answers the return

    second = db.exec(select(Submission).where(Submission.version_number == 2)).one()
    login(client, db, supervisor, settings)
    client.post(f"/review/{second.id}/approve")
    assert _live(db, supervisor) == []
    assert _live(db, worker) == ["Signs of Safety map version 2 approved"]


def test_opening_one_marks_it_read_and_the_header_count_matches_the_list(client, db, settings):
    worker, supervisor, case = _team(db)
    for n in range(3):
        service.notify(session=db, user_id=worker.id, text=f"Note {n}", url=f"/cases/{case.id}", about=f"test:{n}")
    other = service.notify(session=db, user_id=supervisor.id, text="Not yours", url="/", about="test:x")
    db.commit()
    login(client, db, worker, settings)
    page = client.get("/notifications").text
    assert _badge(client) == 3 and page.count("review-tag") == 3
    note = db.exec(select(Notification).where(Notification.text == "Note 1")).one()
    opened = client.get(f"/notifications/{note.id}")
    assert opened.status_code == 303 and opened.headers["location"] == f"/cases/{case.id}"
    page = client.get("/notifications").text
    assert _badge(client) == 2 and page.count("review-tag") == 2 and "2 new · 3 in all" in page
    assert client.get(f"/notifications/{other.id}").status_code == 404


def test_the_same_notice_twice_is_kept_once(db):
    worker, supervisor, case = _team(db)
    about = service.item_about("sos_map", "item-1")
    first = service.notify(session=db, user_id=supervisor.id, text="Map waiting", about=about)
    again = service.notify(session=db, user_id=supervisor.id, text="Map waiting", about=about)
    assert first.id == again.id
    assert service.clear_notifications(session=db, about=about) == 1
    assert service.notify(session=db, user_id=supervisor.id, text="Map waiting", about=about).id != first.id
