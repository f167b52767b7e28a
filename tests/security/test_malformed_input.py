"""Malformed input is answered 404 or 422 with a message, never 500 (issue 20's list, one test per cause).

The form parser refuses a field sent twice or as a file part unless the route asked for that, and
every integer path and query parameter is bounded to what a column can hold.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlmodel import select

from app.audit.models import AuditEntry
from tests.factories import PASSWORD, login, make_case, make_user

HUGE = "9" * 25

# (case status, path under the case) for each form the probe found answering 500.
CASE_FORMS = [
    ("active", "people"),
    ("active", "consent"),
    ("active", "contacts"),
    ("active", "end"),
    ("dormant", "reactivate"),
    ("dormant", "dormant-review"),
    ("closed", "reopen"),
    ("active", "signs-of-safety/items"),
    ("active", "signs-of-safety/scales/ratings"),
    ("active", "diamond/rate"),
    ("active", "signs-of-safety/three-houses/entries"),
    ("screening", "eligibility"),
]


def post_pairs(client, path, pairs):
    """A form post with a name repeated, as a careless client or a probe sends it."""
    headers = {"content-type": "application/x-www-form-urlencoded"}
    return client.post(path, content=urlencode(pairs), headers=headers)


def _worker_with_case(db, settings, client, status):
    """A case of `status`, with its key worker logged in (its team's supervisor for a closed case,
    which only a supervisor may reopen)."""
    worker = make_user(db)
    case = make_case(db, worker=worker, status=status)
    if status == "closed":
        worker = make_user(db, role="supervisor", team_id=worker.team_id)
    login(client, db, worker, settings)
    return case


@pytest.mark.parametrize(("status", "path"), CASE_FORMS)
def test_a_field_sent_twice_is_refused_with_a_message(client, db, settings, status, path):
    case = _worker_with_case(db, settings, client, status)
    written = len(db.exec(select(AuditEntry)).all())
    response = post_pairs(client, f"/cases/{case.id}/{path}", [("id", "a"), ("id", "b"), ("reason", "x")])
    assert response.status_code == 422
    assert "sent more than once" in response.text
    db.expire_all()
    assert len(db.exec(select(AuditEntry).where(AuditEntry.action != "read")).all()) <= written


@pytest.mark.parametrize(("status", "path"), CASE_FORMS)
def test_a_field_sent_as_a_file_is_refused_with_a_message(client, db, settings, status, path):
    case = _worker_with_case(db, settings, client, status)
    response = client.post(f"/cases/{case.id}/{path}", data={"reason": "x"}, files={"id": ("id.txt", b"abc")})
    assert response.status_code == 422
    assert "sent as a file" in response.text


def test_login_with_next_sent_twice_or_as_a_file_is_refused(client, db):
    user = make_user(db)
    db.commit()
    fields = [("email", user.email), ("password", PASSWORD), ("next", "/"), ("next", "/cases")]
    twice = post_pairs(client, "/login", fields)
    assert twice.status_code == 422 and "sent more than once" in twice.text
    as_file = client.post("/login", data={"email": user.email, "password": PASSWORD}, files={"next": ("n", b"/")})
    assert as_file.status_code == 422 and "sent as a file" in as_file.text


def test_checkboxes_may_still_repeat_where_the_form_asks_for_them(client, db, settings):
    case = _worker_with_case(db, settings, client, "active")
    fields = [("occurred_on", "2026-01-05"), ("present", "nobody-1"), ("present", "nobody-2")]
    response = post_pairs(client, f"/cases/{case.id}/contacts", fields)
    assert response.status_code == 422
    assert "sent more than once" not in response.text and "Unknown option" in response.text


@pytest.mark.parametrize("path", ["/review", "/review/oversight"])
@pytest.mark.parametrize("query", ["worker=²", f"worker={HUGE}", "team=²", f"team={HUGE}"])
def test_review_pages_ignore_an_impossible_worker_or_team(client, db, settings, path, query):
    login(client, db, make_user(db, role="manager"), settings)
    assert client.get(f"{path}?{query}").status_code == 200


@pytest.mark.parametrize("query", ["end=9999-12-31", "start=0001-01-01", "end=2026-13-45", f"end={HUGE}"])
def test_figures_with_an_impossible_date_say_so(client, db, settings, query):
    login(client, db, make_user(db, role="manager"), settings)
    response = client.get(f"/endings/figures?{query}")
    assert response.status_code == 422
    assert "Please" in response.text


@pytest.mark.parametrize(
    "path",
    [
        f"/cases/{{id}}/base?version={HUGE}",
        "/cases/{id}/base?version=2147483648",
        f"/cases/{{id}}/signs-of-safety/versions/{HUGE}",
        "/cases/{id}/signs-of-safety/versions/2147483648",
        f"/cases/{{id}}/signs-of-safety/words-and-pictures/versions/{HUGE}",
    ],
)
def test_huge_version_numbers_are_not_found_or_refused(client, db, settings, path):
    case = _worker_with_case(db, settings, client, "active")
    assert client.get(path.format(id=case.id)).status_code in (404, 422)


def test_huge_integer_in_any_path_is_not_found(client, db, settings):
    login(client, db, make_user(db, role="manager"), settings)
    for path in (f"/review/{HUGE}", f"/supervision/{HUGE}", f"/family/{HUGE}/who", "/review/-99999999999"):
        assert client.get(path).status_code in (404, 405), path


def test_safety_plan_with_a_non_numeric_base_version_says_so(client, db, settings):
    case = _worker_with_case(db, settings, client, "active")
    response = client.post(
        f"/cases/{case.id}/signs-of-safety/safety-plan", data={"base_version": "abc", "review_on": "2026-05-01"}
    )
    assert response.status_code == 303
    assert client.get(response.headers["location"]).status_code == 200


def test_a_number_beyond_any_column_is_refused_beside_its_field(client, db, settings):
    case = _worker_with_case(db, settings, client, "active")
    response = client.post(
        f"/cases/{case.id}/signs-of-safety/safety-plan", data={"base_version": HUGE, "review_on": "2026-05-01"}
    )
    assert response.status_code == 303
