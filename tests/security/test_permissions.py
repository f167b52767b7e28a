"""The permission matrix: each role against its own, a co-worked, a team and another team's case.

A case the user may not see answers 404 (not 403), and the caseload lists exactly the cases the
case page lets the user open.
"""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from tests.factories import login, make_case, make_team, make_user

RELATIONS = ("own", "co-worked", "team", "other")

EXPECTED = {
    Role.worker: {"own": 200, "co-worked": 200, "team": 404, "other": 404},
    Role.supervisor: {"own": 200, "co-worked": 200, "team": 200, "other": 404},
    Role.manager: {"own": 200, "co-worked": 200, "team": 200, "other": 200},
    Role.admin: {"own": 404, "co-worked": 404, "team": 404, "other": 404},
}


def _cases_around(db, actor_user, home, away):
    """One case of each relation to `actor_user`: key worker, co-worker, a colleague's, another team's."""
    colleague = make_user(db, team=home)
    stranger = make_user(db, team=away)
    return {
        "own": make_case(db, worker=actor_user, team_id=home.id),
        "co-worked": make_case(db, worker=stranger, co_worker=actor_user),
        "team": make_case(db, worker=colleague),
        "other": make_case(db, worker=stranger),
    }


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("relation", RELATIONS)
def test_case_page_status_by_role_and_relation(client, db, settings, role, relation):
    home, away = make_team(db), make_team(db)
    actor_user = make_user(db, role=role, team=home)
    cases = _cases_around(db, actor_user, home, away)
    login(client, db, actor_user, settings)
    response = client.get(f"/cases/{cases[relation].id}")
    assert response.status_code == EXPECTED[role][relation]
    if response.status_code == 404:
        assert cases[relation].young_person_name not in response.text


@pytest.mark.parametrize("role", [Role.worker, Role.supervisor, Role.manager])
def test_caseload_lists_exactly_the_cases_the_role_may_open(client, db, settings, role):
    home, away = make_team(db), make_team(db)
    actor_user = make_user(db, role=role, team=home)
    cases = _cases_around(db, actor_user, home, away)
    login(client, db, actor_user, settings)
    # A supervisor's home is their team's cases (issue 19), and a case they co-work in another
    # team is on "My caseload" (?mine=1): between them the same cases, all of them open.
    page = client.get("/", follow_redirects=True).text
    if role is Role.supervisor:
        page += client.get("/?mine=1").text
    for relation, case in cases.items():
        assert (case.young_person_name in page) == (EXPECTED[role][relation] == 200), relation


def test_admin_home_goes_to_accounts_not_casework(client, db, settings):
    login(client, db, make_user(db, role="admin"), settings)
    response = client.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/admin/users"


def test_supervisor_without_a_team_sees_only_cases_they_hold(client, db, settings):
    home, away = make_team(db), make_team(db)
    supervisor = make_user(db, role="supervisor", team=home)
    cases = _cases_around(db, supervisor, home, away)
    supervisor.team_id = None
    db.add(supervisor)
    login(client, db, supervisor, settings)
    assert client.get(f"/cases/{cases['co-worked'].id}").status_code == 200
    assert client.get(f"/cases/{cases['team'].id}").status_code == 404


def test_missing_case_and_hidden_case_look_the_same(client, db, settings):
    home, away = make_team(db), make_team(db)
    worker = make_user(db, team=home)
    hidden = make_case(db, worker=make_user(db, team=away))
    login(client, db, worker, settings)
    hidden_response = client.get(f"/cases/{hidden.id}")
    missing_response = client.get("/cases/99999999")
    assert hidden_response.status_code == missing_response.status_code == 404
    strip = lambda r: r.text.replace(r.headers["x-request-id"], "")  # noqa: E731
    assert strip(hidden_response) == strip(missing_response)
