"""Administrators list, create and rename teams."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.accounts.models import Team
from app.audit.models import AuditEntry
from tests.factories import login, make_team, make_user


@pytest.fixture
def admin_client(client, db, settings):
    login(client, db, make_user(db, role="admin"), settings)
    return client


def test_teams_list_shows_active_member_counts(admin_client, db):
    north = make_team(db, name="North Adolescent Support Team")
    make_team(db, name="South Edge of Care Team")
    make_user(db, team=north)
    make_user(db, team=north)
    make_user(db, team=north, is_active=False)
    db.commit()
    page = admin_client.get("/admin/teams").text
    assert "North Adolescent Support Team</a></td><td>2</td>" in page
    assert "South Edge of Care Team</a></td><td>0</td>" in page


def test_admin_creates_a_team_and_it_is_audited(admin_client, db):
    response = admin_client.post("/admin/teams", data={"name": "  West   Family Team "})
    assert response.status_code == 303 and response.headers["location"] == "/admin/teams"
    db.expire_all()
    team = db.exec(select(Team)).one()
    assert team.name == "West Family Team"
    entry = db.exec(select(AuditEntry).where(AuditEntry.object_type == "team")).one()
    assert (entry.action, entry.object_id) == ("create", str(team.id))
    assert "Team created." in admin_client.get("/admin/teams").text


@pytest.mark.parametrize(
    "name,message",
    [("", "Team name is needed."), ("north team", "already exists"), ("x" * 121, "120 characters or fewer")],
    ids=["blank", "duplicate-ignoring-case", "too-long"],
)
def test_bad_team_name_is_refused_beside_the_field_and_nothing_stored(admin_client, db, name, message):
    make_team(db, name="North Team")
    db.commit()
    response = admin_client.post("/admin/teams", data={"name": name})
    assert response.status_code == 422
    assert 'id="name-error"' in response.text and message in response.text
    db.expire_all()
    assert [t.name for t in db.exec(select(Team)).all()] == ["North Team"]
    assert db.exec(select(AuditEntry)).all() == []


def test_admin_renames_a_team(admin_client, db):
    team = make_team(db, name="North")
    db.commit()
    assert 'value="North"' in admin_client.get(f"/admin/teams/{team.id}").text
    response = admin_client.post(f"/admin/teams/{team.id}", data={"name": "North and East"})
    assert response.status_code == 303
    db.expire_all()
    assert db.get(Team, team.id).name == "North and East"
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "update", AuditEntry.object_type == "team")).one()


def test_renaming_to_another_teams_name_is_refused_with_the_value_kept(admin_client, db):
    team = make_team(db, name="North")
    make_team(db, name="South")
    db.commit()
    response = admin_client.post(f"/admin/teams/{team.id}", data={"name": "SOUTH"})
    assert response.status_code == 422
    assert "already exists" in response.text and 'value="SOUTH"' in response.text
    db.expire_all()
    assert db.get(Team, team.id).name == "North"


def test_renaming_a_team_to_its_own_name_in_new_case_is_allowed(admin_client, db):
    team = make_team(db, name="north")
    db.commit()
    assert admin_client.post(f"/admin/teams/{team.id}", data={"name": "North"}).status_code == 303


def test_unknown_team_is_404(admin_client):
    assert admin_client.get("/admin/teams/987654").status_code == 404
    assert admin_client.post("/admin/teams/987654", data={"name": "X"}).status_code == 404
