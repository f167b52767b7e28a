"""Refusals come before anything else: another case's item is not found and nothing is written;
someone who may not comment is told so before their comment is checked (issue 20)."""

from __future__ import annotations

from sqlmodel import select

from app.audit.models import AuditEntry
from app.review.models import Submission
from app.signs_of_safety.models import MapItem, MapVersion
from tests.factories import login, make_case, make_user
from tests.signs_of_safety.factories import add_item


def test_removing_another_cases_item_through_this_cases_url_is_not_found_and_writes_nothing(client, db, settings):
    worker = make_user(db)
    mine = make_case(db, worker=worker)
    theirs = make_case(db, worker=worker)
    item = add_item(db, case=theirs, by=worker, text="Their item.")
    db.commit()
    login(client, db, worker, settings)
    before = {"entries": db.exec(select(AuditEntry)).all(), "versions": db.exec(select(MapVersion)).all()}
    response = client.post(f"/cases/{mine.id}/signs-of-safety/items/{item.item_key}/remove", data={"base_version": "0"})
    assert response.status_code == 404
    db.expire_all()
    assert db.exec(select(MapItem).where(MapItem.item_key == item.item_key)).one().text == "Their item."
    assert len(db.exec(select(MapVersion)).all()) == len(before["versions"])
    assert not db.exec(select(AuditEntry).where(AuditEntry.action == "delete")).all()


def test_removing_an_item_twice_still_answers_as_removed(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    item = add_item(db, case=case, by=worker)
    db.commit()
    login(client, db, worker, settings)
    url = f"/cases/{case.id}/signs-of-safety/items/{item.item_key}/remove"
    assert client.post(url, data={"base_version": "1"}).status_code == 303
    assert client.post(url, data={"base_version": "1"}).status_code == 303


def test_a_manager_who_may_not_comment_is_refused_before_an_empty_comment_is_checked(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    add_item(db, case=case, by=worker)
    db.commit()
    login(client, db, worker, settings)
    assert client.post(f"/cases/{case.id}/signs-of-safety/submit", data={"base_version": "1"}).status_code == 303
    submission = db.exec(select(Submission)).one()
    login(client, db, make_user(db, role="manager"), settings)
    assert client.post(f"/review/{submission.id}/comments", data={"text": ""}).status_code == 403


def test_the_referral_form_lists_only_the_users_own_team(client, db, settings):
    mine = make_user(db, full_name="Sam Ownteam")
    make_user(db, full_name="Priya Otherteam")
    make_user(db, role="supervisor", full_name="Helen Othersupervisor")
    for user in (make_user(db, role="supervisor", team_id=mine.team_id), mine):
        login(client, db, user, settings)
        page = client.get("/referrals/new").text
        assert "Sam Ownteam" in page
        assert "Priya Otherteam" not in page and "Helen Othersupervisor" not in page
