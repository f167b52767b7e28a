"""Audit: reads of case pages and every write are recorded with who, when, request id and device;
supervisors and managers can see a case's trail; the log holds no personal data."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from app.audit.models import AuditEntry
from tests.factories import login, make_case, make_team, make_user

BROWSER = "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 Chrome/124 Safari/537.36"


def _entries(db, **where) -> list[AuditEntry]:
    db.expire_all()
    query = select(AuditEntry)
    for name, value in where.items():
        query = query.where(getattr(AuditEntry, name) == value)
    return list(db.exec(query.order_by(AuditEntry.id)).all())


def test_reading_a_case_page_records_who_when_request_id_and_device(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    response = client.get(f"/cases/{case.id}", headers={"User-Agent": BROWSER})
    assert response.status_code == 200
    [entry] = _entries(db, case_id=case.id)
    assert (entry.user_id, entry.action, entry.object_type, entry.object_id) == (
        worker.id,
        "read",
        "case",
        str(case.id),
    )
    assert entry.request_id == response.headers["x-request-id"]
    assert entry.user_agent == BROWSER
    assert entry.at is not None


def test_a_refused_case_read_records_nothing_against_the_case(client, db, settings):
    worker = make_user(db)
    hidden = make_case(db, worker=make_user(db))
    login(client, db, worker, settings)
    assert client.get(f"/cases/{hidden.id}").status_code == 404
    assert _entries(db, case_id=hidden.id) == []


def test_admin_writes_are_recorded_with_request_id_and_device(client, db, settings):
    admin = make_user(db, role="admin")
    login(client, db, admin, settings)
    response = client.post("/admin/teams", data={"name": "East"}, headers={"User-Agent": BROWSER})
    assert response.status_code == 303
    [entry] = _entries(db, object_type="team")
    assert (entry.user_id, entry.action) == (admin.id, "create")
    assert entry.request_id == response.headers["x-request-id"] and entry.user_agent == BROWSER


def test_failed_write_leaves_no_audit_entry(client, db, settings):
    login(client, db, make_user(db, role="admin"), settings)
    assert client.post("/admin/teams", data={"name": ""}).status_code == 422
    assert _entries(db, object_type="team") == []


def test_logins_and_failures_are_recorded_without_the_password(client, db):
    user = make_user(db, email="sam@example.org")
    db.commit()
    client.post("/login", data={"email": "sam@example.org", "password": "my secret guess"})
    actions = [(e.action, e.user_id) for e in _entries(db, object_type="session")]
    assert actions == [("login_failed", user.id)]
    assert all("secret guess" not in e.detail for e in _entries(db))


def _trail_setup(db):
    home, away = make_team(db), make_team(db)
    worker = make_user(db, team=home, full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    return home, away, worker, case


@pytest.mark.parametrize(
    "who,expected",
    [
        ("manager", 200),
        ("team-supervisor", 200),
        ("other-supervisor", 404),
        ("key-worker", 403),
        ("other-worker", 404),
        ("admin", 404),
    ],
)
def test_who_may_see_a_case_audit_trail(client, db, settings, who, expected):
    home, away, worker, case = _trail_setup(db)
    users = {
        "manager": lambda: make_user(db, role="manager"),
        "team-supervisor": lambda: make_user(db, role="supervisor", team=home),
        "other-supervisor": lambda: make_user(db, role="supervisor", team=away),
        "key-worker": lambda: worker,
        "other-worker": lambda: make_user(db, team=away),
        "admin": lambda: make_user(db, role="admin"),
    }
    login(client, db, users[who](), settings)
    response = client.get(f"/cases/{case.id}/audit")
    assert response.status_code == expected
    if expected != 200:
        assert "Kayla Morgan" not in response.text


def test_audit_trail_lists_when_who_action_object_request_id_and_device(client, db, settings):
    home, away, worker, case = _trail_setup(db)
    manager = make_user(db, role="manager", full_name="David Ellis")
    login(client, db, worker, settings)
    read = client.get(f"/cases/{case.id}", headers={"User-Agent": BROWSER})
    client.cookies.clear()
    login(client, db, manager, settings)
    response = client.get(f"/cases/{case.id}/audit")
    assert response.status_code == 200
    page = response.text
    for heading in ("When", "Who", "Action", "Object", "Request id", "Device"):
        assert f'<th scope="col">{heading}</th>' in page
    assert "Sam Okafor" in page and read.headers["x-request-id"] in page and "SM-X710" in page
    # Looking at the trail is itself recorded, and it shows first (newest first).
    assert page.index("David Ellis") < page.index("Sam Okafor")
    assert _entries(db, case_id=case.id, object_type="audit_trail")[0].user_id == manager.id


def test_case_page_links_to_the_trail_only_for_those_who_may_see_it(client, db, settings):
    home, away, worker, case = _trail_setup(db)
    login(client, db, worker, settings)
    assert "/audit" not in client.get(f"/cases/{case.id}").text
    client.cookies.clear()
    login(client, db, make_user(db, role="supervisor", team=home), settings)
    assert f'href="/cases/{case.id}/audit"' in client.get(f"/cases/{case.id}").text


def test_application_logs_carry_no_personal_data(client, db, settings, caplog):
    home, away, worker, case = _trail_setup(db)
    make_user(db, email="sam.okafor@example.org")
    db.commit()
    with caplog.at_level(logging.DEBUG):
        client.post("/login", data={"email": "sam.okafor@example.org", "password": "wrong password"})
        login(client, db, worker, settings)
        client.get(f"/cases/{case.id}")
    text = caplog.text
    assert "sam.okafor" not in text and "Kayla" not in text and "wrong password" not in text


def test_request_log_leaves_out_query_strings_and_error_messages(client, db, settings, caplog, engine):
    from fastapi import APIRouter
    from starlette.testclient import TestClient

    from app.main import create_app

    login(client, db, make_user(db), settings)
    with caplog.at_level(logging.INFO):
        assert client.get("/?q=Kayla+Morgan").status_code == 200
        app = create_app(settings, engine=engine)
        router = APIRouter()

        personal = "Kayla Morgan, 12 Acacia Avenue"

        @router.get("/boom")
        def boom():
            raise ValueError(personal)

        app.include_router(router)
        with TestClient(app, raise_server_exceptions=False) as other:
            assert other.get("/boom").status_code == 500
    # Only the app's own loggers: httpx (the test client) logs the URLs it requests.
    text = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("homeward"))
    assert "GET / 200" in text and "ValueError" in text
    assert "Kayla" not in text and "Acacia" not in text


def test_a_review_queue_of_fifty_cases_with_long_ids_names_every_case_whole_in_the_audit(client, db, settings):
    """The queue shows 50 rows; 50 five-digit ids do not fit one entry's 300 characters, and a cut
    id would say a different case was seen ("48213" read "48")."""
    from datetime import timedelta

    from app.review.models import Submission
    from app.timeutil import utcnow

    team = make_team(db, name="Sefton North")
    worker = make_user(db, team=team)
    supervisor = make_user(db, team=team, role="supervisor")
    ids = [48000 + 7 * n for n in range(50)]
    for n, case_id in enumerate(ids):
        case = make_case(db, worker=worker, id=case_id)
        db.add(
            Submission(
                kind="sos_map",
                case_id=case.id,
                team_id=team.id,
                item_id=str(case.id),
                submitted_by_id=worker.id,
                submitted_at=utcnow() - timedelta(minutes=100 - n),
            )
        )
    login(client, db, supervisor, settings)
    assert client.get("/review").status_code == 200
    listed = _entries(db, action="list", object_type="review_queue")
    assert len(listed) >= 2 and all(len(e.detail) <= 300 for e in listed)
    named = [int(i) for e in listed for i in e.detail.removeprefix("cases ").split(",")]
    assert sorted(named) == ids
