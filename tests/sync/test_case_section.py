"""Only the worker's own caseload can be taken offline (DESIGN.md "Offline")."""

from __future__ import annotations

from tests.factories import login, make_case, make_user


def test_take_offline_is_offered_to_the_key_worker_and_co_worker_but_not_the_supervisor(db, client, settings):
    worker = make_user(db)
    co_worker = make_user(db, team_id=worker.team_id)
    supervisor = make_user(db, role="supervisor", team_id=worker.team_id)
    case = make_case(db, worker=worker, co_worker=co_worker)
    for user, offered in ((worker, True), (co_worker, True), (supervisor, False)):
        login(client, db, user, settings)
        page = client.get(f"/cases/{case.id}").text
        assert ("data-take-offline" in page) is offered, user.role


def test_the_pages_to_keep_are_listed_for_the_case_workers_only(db, client, settings):
    worker = make_user(db)
    supervisor = make_user(db, role="supervisor", team_id=worker.team_id)
    stranger = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    listed = client.get(f"/cases/{case.id}/offline-pages")
    assert listed.status_code == 200
    pages = listed.json()["pages"]
    assert len(pages) == len(set(pages))
    assert all(p.startswith("/") for p in pages)
    login(client, db, supervisor, settings)
    assert client.get(f"/cases/{case.id}/offline-pages").status_code == 403
    login(client, db, stranger, settings)
    assert client.get(f"/cases/{case.id}/offline-pages").status_code == 404
