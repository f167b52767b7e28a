"""Reallocation: the team's supervisor moves an active or dormant case to another worker of the
team, with a reason; the timeline keeps the history; both workers are told (issue 19)."""

from __future__ import annotations

from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import Case, CaseEvent
from app.review.models import Notification, Submission
from app.signs_of_safety.models import Category
from tests.factories import login, make_case, make_team, make_user
from tests.signs_of_safety.factories import add_item


def _team(db):
    team = make_team(db, name="Sefton North")
    sam = make_user(db, team=team, full_name="Sam Okafor")
    lena = make_user(db, team=team, full_name="Lena Novak")
    priya = make_user(db, team=team, role="supervisor", full_name="Priya Shah")
    return team, sam, lena, priya


def _notes(db, user):
    return [n.text for n in db.exec(select(Notification).where(Notification.user_id == user.id)).all()]


def test_supervisor_reallocates_with_a_reason_history_kept_and_both_workers_told(client, db, settings):
    team, sam, lena, priya = _team(db)
    case = make_case(db, worker=sam, young_person_name="Kayla Morgan")
    db.commit()
    login(client, db, priya, settings)
    page = client.get(f"/cases/{case.id}").text
    assert f'href="/cases/{case.id}/reallocate"' in page
    form = client.get(f"/cases/{case.id}/reallocate").text
    assert "<h1>Reallocate Kayla Morgan</h1>" in form
    response = client.post(
        f"/cases/{case.id}/reallocate",
        data={"key_worker": str(lena.id), "co_worker": str(sam.id), "reason": "Sam starts parental leave"},
    )
    assert response.status_code == 303
    db.expire_all()
    moved = db.get(Case, case.id)
    assert (moved.key_worker_id, moved.co_worker_id) == (lena.id, sam.id)
    event = db.exec(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "reallocated")).one()
    assert event.rationale == "From Sam Okafor to Lena Novak. Sam starts parental leave"
    assert event.by_user_id == priya.id
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "reallocate")).one().case_id == case.id
    for worker in (sam, lena):
        assert _notes(db, worker) == [
            f"{case.reference} (Kayla Morgan) reallocated to Lena Novak: Sam starts parental leave"
        ]
    timeline = client.get(f"/cases/{case.id}").text
    assert "Reallocated" in timeline and "Sam starts parental leave" in timeline

    # Clearing the co-worker later is a reallocation too, and the first one stays on the timeline.
    client.post(
        f"/cases/{case.id}/reallocate", data={"key_worker": str(lena.id), "co_worker": "", "reason": "Sam is back"}
    )
    db.expire_all()
    assert db.get(Case, case.id).co_worker_id is None
    assert len(db.exec(select(CaseEvent).where(CaseEvent.kind == "reallocated")).all()) == 2


def test_reason_is_required_and_the_choice_is_kept(client, db, settings):
    team, sam, lena, priya = _team(db)
    case = make_case(db, worker=sam)
    db.commit()
    login(client, db, priya, settings)
    response = client.post(f"/cases/{case.id}/reallocate", data={"key_worker": str(lena.id), "reason": "  "})
    assert response.status_code == 422
    assert "The reason for the move is needed." in response.text
    assert f'<option value="{lena.id}" selected>' in response.text
    same = client.post(f"/cases/{case.id}/reallocate", data={"key_worker": str(sam.id), "reason": "No change"})
    assert same.status_code == 422 and "holds the case already" in same.text
    db.expire_all()
    assert db.get(Case, case.id).key_worker_id == sam.id
    assert db.exec(select(CaseEvent).where(CaseEvent.kind == "reallocated")).all() == []


def test_only_the_teams_supervisor_moves_only_open_cases_to_the_teams_workers(client, db, settings):
    team, sam, lena, priya = _team(db)
    case = make_case(db, worker=sam)
    closed = make_case(db, worker=sam, status="closed")
    away = make_user(db, full_name="Away Worker")
    manager = make_user(db, role="manager")
    db.commit()
    data = {"key_worker": str(lena.id), "reason": "Balance caseloads"}
    login(client, db, sam, settings)
    assert client.post(f"/cases/{case.id}/reallocate", data=data).status_code == 403
    login(client, db, manager, settings)
    assert client.post(f"/cases/{case.id}/reallocate", data=data).status_code == 403
    login(client, db, make_user(db, role="supervisor", team=away_team(db)), settings)
    assert client.post(f"/cases/{case.id}/reallocate", data=data).status_code == 404
    login(client, db, priya, settings)
    assert client.post(f"/cases/{closed.id}/reallocate", data=data).status_code == 422
    outsider = client.post(f"/cases/{case.id}/reallocate", data={**data, "key_worker": str(away.id)})
    assert outsider.status_code == 422
    db.expire_all()
    assert db.get(Case, case.id).key_worker_id == sam.id


def away_team(db):
    return make_team(db, name="South")


def _live(db, user) -> list[tuple[str, str]]:
    db.expire_all()
    found = select(Notification).where(Notification.user_id == user.id, Notification.cleared_at.is_(None))
    return sorted((n.text, n.url) for n in db.exec(found).all())


def _send_map(client, db, case, worker, settings) -> Submission:
    add_item(db, case=case, by=worker, category=Category.strength, text="Nan collects her from school.")
    db.commit()
    login(client, db, worker, settings)
    client.post(f"/cases/{case.id}/signs-of-safety/submit", data={"base_version": "1"})
    return db.exec(select(Submission).where(Submission.case_id == case.id)).one()


def test_after_a_reallocation_review_news_goes_to_the_new_key_worker_not_the_one_who_left(client, db, settings):
    team, sam, lena, priya = _team(db)
    waiting_case = make_case(db, worker=sam, young_person_name="Kayla Morgan")
    returned_case = make_case(db, worker=sam, young_person_name="Ellie Shaw")
    waiting = _send_map(client, db, waiting_case, sam, settings)
    returned = _send_map(client, db, returned_case, sam, settings)
    login(client, db, priya, settings)
    client.post(f"/review/{returned.id}/return", data={"rationale": "Say how often."})
    assert _live(db, sam) == [("Signs of Safety map version 1 returned to you", f"/review/{returned.id}")]

    for case in (waiting_case, returned_case):
        data = {"key_worker": str(lena.id), "co_worker": "", "reason": "Sam starts parental leave"}
        assert client.post(f"/cases/{case.id}/reallocate", data=data).status_code == 303
    # Sam can open neither case now: the return is no longer his to answer, and his notice of the
    # move carries no link; Lena's does.
    told = "{} ({}) reallocated to Lena Novak: Sam starts parental leave"
    assert _live(db, sam) == sorted(
        (told.format(c.reference, c.display_name), "") for c in (waiting_case, returned_case)
    )
    assert (told.format(waiting_case.reference, "Kayla Morgan"), f"/cases/{waiting_case.id}") in _live(db, lena)

    client.post(f"/review/{waiting.id}/return", data={"rationale": "Say who else helps."})
    assert ("Signs of Safety map version 1 returned to you", f"/review/{waiting.id}") in _live(db, lena)
    assert all(text.endswith("parental leave") for text, _url in _live(db, sam))
    login(client, db, lena, settings)
    assert client.get(f"/review/{waiting.id}").status_code == 200


def test_a_decision_tells_the_key_worker_and_a_sender_still_on_the_case(client, db, settings):
    team, sam, lena, priya = _team(db)
    case = make_case(db, worker=sam, young_person_name="Kayla Morgan")
    sent = _send_map(client, db, case, sam, settings)
    login(client, db, priya, settings)
    data = {"key_worker": str(lena.id), "co_worker": str(sam.id), "reason": "Sam goes part-time"}
    client.post(f"/cases/{case.id}/reallocate", data=data)
    client.post(f"/review/{sent.id}/approve")
    approved = ("Signs of Safety map version 1 approved", f"/review/{sent.id}")
    assert approved in _live(db, lena) and approved in _live(db, sam)
    login(client, db, sam, settings)  # the co-worker still opens everything he is told of
    assert all(client.get(url).status_code == 200 for _text, url in _live(db, sam))


def test_a_case_whose_worker_left_is_reallocated_from_them_by_name(client, db, settings):
    team, sam, lena, priya = _team(db)
    case = make_case(db, worker=sam, young_person_name="Kayla Morgan")
    sam.is_active = False  # Sam has left: the account is disabled, the case waits to be moved
    db.add(sam)
    db.commit()
    login(client, db, priya, settings)
    response = client.post(
        f"/cases/{case.id}/reallocate", data={"key_worker": str(lena.id), "co_worker": "", "reason": "Sam has left"}
    )
    assert response.status_code == 303
    event = db.exec(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "reallocated")).one()
    assert event.rationale == "From Sam Okafor to Lena Novak. Sam has left"
