"""The audit trail is complete: reads through any dependency, refused attempts, and what lists showed (issue 20)."""

from __future__ import annotations

from sqlmodel import select

from app.audit.models import AuditEntry
from tests.factories import login, make_case, make_user


def _entries(db, **where):
    db.expire_all()
    query = select(AuditEntry)
    for key, value in where.items():
        query = query.where(getattr(AuditEntry, key) == value)
    return db.exec(query.order_by(AuditEntry.id)).all()


def test_a_page_that_opens_the_case_for_changing_records_a_read(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    for page in ("people/new", "consent/all", "contacts/new"):
        assert client.get(f"/cases/{case.id}/{page}").status_code == 200
    assert len(_entries(db, action="read", case_id=case.id)) == 3


def test_a_post_that_changes_the_case_records_its_write_and_no_extra_read(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    response = client.post(f"/cases/{case.id}/people", data={"name": "Donna Morgan", "relationship": "Mother"})
    assert response.status_code == 303
    assert [e.action for e in _entries(db, case_id=case.id)] == ["create"]


def test_refused_attempts_on_case_routes_are_recorded_with_user_route_and_outcome(client, db, settings):
    owner = make_user(db)
    case = make_case(db, worker=owner)
    prober = make_user(db)
    login(client, db, prober, settings)
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert client.get("/cases/999999/people/new").status_code == 404
    refused = _entries(db, action="refused")
    assert [(e.user_id, e.object_id, e.detail) for e in refused] == [
        (prober.id, str(case.id), "GET /cases/{case_id} answered 404"),
        (prober.id, "999999", "GET /cases/{case_id}/people/new answered 404"),
    ]
    # the co-worker of nothing may not change it either: 403 is recorded too
    supervisor = make_user(db, role="manager")
    login(client, db, supervisor, settings)
    assert client.post(f"/cases/{case.id}/people", data={"name": "X"}).status_code == 403
    assert _entries(db, action="refused")[-1].detail == "POST /cases/{case_id}/people answered 403"


def test_the_caseload_and_review_queue_record_which_cases_they_showed(client, db, settings):
    worker = make_user(db)
    first, second = make_case(db, worker=worker), make_case(db, worker=worker)
    login(client, db, worker, settings)
    assert client.get("/").status_code == 200
    (listed,) = _entries(db, action="list", object_type="caseload")
    assert listed.user_id == worker.id and listed.detail == f"cases {first.id},{second.id}"
    supervisor = make_user(db, role="supervisor", team_id=worker.team_id)
    login(client, db, supervisor, settings)
    assert client.get("/review").status_code == 200
    (queue,) = _entries(db, action="list", object_type="review_queue")
    assert queue.user_id == supervisor.id and queue.detail == "no cases"


def test_team_cases_and_the_dormant_register_record_which_cases_they_showed(client, db, settings):
    worker = make_user(db)
    active, dormant = make_case(db, worker=worker), make_case(db, worker=worker, status="dormant")
    supervisor = make_user(db, role="supervisor", team_id=worker.team_id)
    login(client, db, supervisor, settings)
    assert client.get("/team/cases").status_code == 200
    (team_list,) = _entries(db, action="list", object_type="team_cases")
    assert team_list.user_id == supervisor.id
    assert team_list.detail == f"2 matching; cases {min(active.id, dormant.id)},{max(active.id, dormant.id)}"
    assert client.get("/dormant").status_code == 200
    (register,) = _entries(db, action="list", object_type="dormant_register")
    assert register.user_id == supervisor.id and f"cases {dormant.id}" in register.detail
