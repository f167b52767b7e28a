"""Administrators manage accounts: create, disable, re-enable, reset passwords, change role and team."""

from __future__ import annotations

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from app.accounts.models import User
from app.audit.models import AuditEntry
from app.cases.models import Case
from app.review import service as review
from app.review.models import Notification
from app.security.models import LoginAttempt, UserSession
from app.security.passwords import pwd_context
from app.sync.models import HeldItem
from tests.factories import PASSWORD, login, make_case, make_team, make_user


@pytest.fixture
def admin(db):
    return make_user(db, role="admin", full_name="Ruth Adeyemi")


@pytest.fixture
def admin_client(client, db, settings, admin):
    login(client, db, admin, settings)
    return client


def _audit(db, action: str, object_type: str = "user") -> list[AuditEntry]:
    db.expire_all()
    return list(
        db.exec(select(AuditEntry).where(AuditEntry.action == action, AuditEntry.object_type == object_type)).all()
    )


@pytest.mark.parametrize("role", ["worker", "supervisor", "manager"])
@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/admin/users"),
        ("GET", "/admin/users/new"),
        ("POST", "/admin/users"),
        ("GET", "/admin/teams"),
        ("POST", "/admin/teams"),
    ],
)
def test_only_administrators_reach_the_admin_screens(client, db, settings, role, method, path):
    login(client, db, make_user(db, role=role), settings)
    response = client.request(method, path, data={"name": "Sneaky"} if method == "POST" else None)
    assert response.status_code == 403
    assert "permission" in response.text


@pytest.mark.parametrize("action", ["role", "password", "disable", "enable"])
def test_non_admin_cannot_change_another_account(client, db, settings, action):
    manager = make_user(db, role="manager")
    target = make_user(db)
    login(client, db, manager, settings)
    response = client.post(f"/admin/users/{target.id}/{action}", data={"role": "admin", "new_password": "x" * 12})
    assert response.status_code == 403
    db.expire_all()
    assert db.get(User, target.id).role == "worker" and db.get(User, target.id).is_active


def test_not_logged_in_goes_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_users_list_shows_every_account_with_role_team_and_status(admin_client, db):
    team = make_team(db, name="North Adolescent Support Team")
    make_user(db, full_name="Sam Okafor", team=team)
    make_user(db, full_name="Gone Person", team=team, is_active=False)
    db.commit()
    page = admin_client.get("/admin/users").text
    assert "Sam Okafor" in page and "Key worker" in page and "North Adolescent Support Team" in page
    assert "Gone Person" in page and "Disabled" in page


def test_admin_creates_a_worker_who_can_then_log_in(admin_client, db, admin):
    team = make_team(db, name="North")
    db.commit()
    response = admin_client.post(
        "/admin/users",
        data={
            "full_name": "Priya Shah",
            "email": "Priya@Example.org",
            "role": "worker",
            "team_id": str(team.id),
            "password": "a good long password",
        },
    )
    assert response.status_code == 303
    db.expire_all()
    user = db.exec(select(User).where(User.email == "priya@example.org")).one()
    assert (user.full_name, user.role, user.team_id, user.is_active) == ("Priya Shah", "worker", team.id, True)
    assert response.headers["location"] == f"/admin/users/{user.id}"
    assert "Account created." in admin_client.get(response.headers["location"]).text
    entry = _audit(db, "create")[0]
    assert (entry.user_id, entry.object_id) == (admin.id, str(user.id))
    assert "priya" not in entry.detail.lower()
    admin_client.cookies.clear()
    assert (
        admin_client.post("/login", data={"email": "priya@example.org", "password": "a good long password"}).status_code
        == 303
    )


def test_bad_new_user_form_is_returned_with_reasons_beside_fields_and_nothing_stored(admin_client, db):
    make_user(db, email="taken@example.org")
    db.commit()
    before = len(db.exec(select(User)).all())
    response = admin_client.post(
        "/admin/users",
        data={"full_name": "", "email": "not-an-email", "role": "wizard", "team_id": "", "password": "short"},
    )
    assert response.status_code == 422
    text = response.text
    assert 'id="full_name-error"' in text and "Full name is needed." in text
    assert 'id="email-error"' in text and "name@example.org" in text
    assert 'id="role-error"' in text
    assert 'value="not-an-email"' in text  # values kept
    assert "short" not in text.split("<main", 1)[1]  # passwords never echoed
    db.expire_all()
    assert len(db.exec(select(User)).all()) == before
    assert _audit(db, "create") == []


def test_short_password_and_taken_email_are_explained(admin_client, db):
    team = make_team(db)
    make_user(db, email="taken@example.org")
    db.commit()
    base = {"full_name": "New Person", "role": "worker", "team_id": str(team.id)}
    taken = admin_client.post(
        "/admin/users", data={**base, "email": "Taken@example.org", "password": "a good long password"}
    )
    assert taken.status_code == 422 and "already exists" in taken.text
    weak = admin_client.post("/admin/users", data={**base, "email": "new@example.org", "password": "short"})
    assert weak.status_code == 422 and "at least 10 characters" in weak.text
    assert 'value="New Person"' in weak.text


def test_worker_without_a_team_is_refused(admin_client, db):
    response = admin_client.post(
        "/admin/users",
        data={
            "full_name": "No Team",
            "email": "nt@example.org",
            "role": "worker",
            "team_id": "",
            "password": "a good long password",
        },
    )
    assert response.status_code == 422
    assert "belong to a team" in response.text
    db.expire_all()
    assert db.exec(select(User).where(User.email == "nt@example.org")).first() is None


def test_disable_ends_every_session_and_re_enable_lets_them_log_in_again(admin_client, db, settings, admin):
    worker = make_user(db, email="sam@example.org")
    db.commit()
    from app.security.sessions import start_session

    for _ in range(2):
        start_session(session=db, user=worker, settings=settings)
    db.commit()
    assert admin_client.post(f"/admin/users/{worker.id}/disable").status_code == 303
    db.expire_all()
    assert db.get(User, worker.id).is_active is False
    assert all(s.ended_at for s in db.exec(select(UserSession).where(UserSession.user_id == worker.id)).all())
    assert _audit(db, "disable")[0].object_id == str(worker.id)
    assert "Disabled" in admin_client.get(f"/admin/users/{worker.id}").text

    assert admin_client.post(f"/admin/users/{worker.id}/enable").status_code == 303
    db.expire_all()
    assert db.get(User, worker.id).is_active is True
    assert _audit(db, "enable")
    admin_client.cookies.clear()
    from tests.factories import PASSWORD

    assert admin_client.post("/login", data={"email": "sam@example.org", "password": PASSWORD}).status_code == 303


def test_admin_cannot_disable_themselves(admin_client, db, admin):
    response = admin_client.post(f"/admin/users/{admin.id}/disable")
    assert response.status_code == 303
    db.expire_all()
    assert db.get(User, admin.id).is_active
    assert "cannot disable your own account" in admin_client.get(response.headers["location"]).text


def test_reset_password_sets_a_new_one_and_logs_them_out(admin_client, db, settings):
    worker = make_user(db, email="sam@example.org")
    from app.security.sessions import start_session

    start_session(session=db, user=worker, settings=settings)
    db.commit()
    response = admin_client.post(f"/admin/users/{worker.id}/password", data={"new_password": "brand new password"})
    assert response.status_code == 303
    db.expire_all()
    assert pwd_context.verify("brand new password", db.get(User, worker.id).password_hash)
    assert all(s.ended_at for s in db.exec(select(UserSession).where(UserSession.user_id == worker.id)).all())
    entry = _audit(db, "reset_password")[0]
    assert "brand new" not in entry.detail


def test_reset_password_too_short_is_refused_beside_the_field(admin_client, db):
    worker = make_user(db)
    old_hash = worker.password_hash
    db.commit()
    response = admin_client.post(f"/admin/users/{worker.id}/password", data={"new_password": "short"})
    assert response.status_code == 422
    assert 'id="new_password-error"' in response.text
    db.expire_all()
    assert db.get(User, worker.id).password_hash == old_hash


def test_change_role_and_team(admin_client, app, db, settings):
    """A role change ends the account's sessions: a manager's role needs the second factor, and a
    session let in with a password alone must not carry it (the admin's own session stays)."""
    north, south = make_team(db, name="North"), make_team(db, name="South")
    worker = make_user(db, team=north)
    db.commit()
    theirs = TestClient(app, base_url="http://testserver", follow_redirects=False)
    login(theirs, db, worker, settings)
    assert theirs.get("/profile").status_code == 200
    response = admin_client.post(
        f"/admin/users/{worker.id}/role", data={"role": "supervisor", "team_id": str(south.id)}
    )
    assert response.status_code == 303
    db.expire_all()
    changed = db.get(User, worker.id)
    assert (changed.role, changed.team_id) == ("supervisor", south.id)
    assert _audit(db, "update")[0].detail == f"role supervisor, team {south.id}"
    assert theirs.get("/profile").status_code == 303  # to the login page
    assert admin_client.get("/admin/users").status_code == 200


def test_change_role_to_unknown_team_or_role_is_refused(admin_client, db):
    worker = make_user(db)
    team_id = worker.team_id
    db.commit()
    unknown_team = admin_client.post(f"/admin/users/{worker.id}/role", data={"role": "worker", "team_id": "987654"})
    assert unknown_team.status_code == 422 and "choose one of the teams" in unknown_team.text
    unknown_role = admin_client.post(
        f"/admin/users/{worker.id}/role", data={"role": "overlord", "team_id": str(team_id)}
    )
    assert unknown_role.status_code == 422 and 'id="role-error"' in unknown_role.text
    not_a_number = admin_client.post(f"/admin/users/{worker.id}/role", data={"role": "worker", "team_id": "abc"})
    assert not_a_number.status_code == 422
    db.expire_all()
    assert (db.get(User, worker.id).role, db.get(User, worker.id).team_id) == ("worker", team_id)
    assert _audit(db, "update") == []


def test_admin_cannot_remove_their_own_admin_role(admin_client, db, admin):
    response = admin_client.post(f"/admin/users/{admin.id}/role", data={"role": "worker", "team_id": ""})
    assert response.status_code == 422
    db.expire_all()
    assert db.get(User, admin.id).role == "admin"


def test_unknown_user_is_404(admin_client):
    assert admin_client.get("/admin/users/987654").status_code == 404
    assert admin_client.post("/admin/users/987654/disable").status_code == 404


def test_admin_pages_have_no_case_access(admin_client, db):
    from tests.factories import make_case

    case = make_case(db, worker=make_user(db))
    db.commit()
    assert admin_client.get(f"/cases/{case.id}").status_code == 404
    assert admin_client.get(f"/cases/{case.id}/audit").status_code == 404


def test_admin_sees_recent_failed_logins_and_clears_them_so_the_person_logs_in_at_once(admin_client, db, app):
    sam = make_user(db, full_name="Sam Okafor", email="sam@example.org")
    db.add_all([LoginAttempt(email="sam@example.org", address="testclient", succeeded=False) for _ in range(9)])
    db.add_all([LoginAttempt(email="nobody@example.org", address="198.51.100.4", succeeded=False) for _ in range(2)])
    db.commit()
    overview = admin_client.get("/admin/failed-logins")
    assert overview.status_code == 200
    assert "Sam Okafor" in overview.text and "nobody@example.org" in overview.text and "198.51.100.4" in overview.text
    page = admin_client.get(f"/admin/users/{sam.id}")
    assert "9 from testclient" in page.text and "waiting" in page.text
    response = admin_client.post(f"/admin/users/{sam.id}/unlock")
    assert response.status_code == 303
    assert _audit(db, "unlock_login")[0].detail == "9 failed attempts cleared"
    assert "None in the last day" in admin_client.get(f"/admin/users/{sam.id}").text
    # Sam logs in from that same address at once.
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as sams_browser:
        assert sams_browser.post("/login", data={"email": "sam@example.org", "password": PASSWORD}).status_code == 303


@pytest.mark.parametrize("role", ["worker", "supervisor", "manager"])
def test_only_administrators_see_or_clear_failed_logins(client, db, settings, role):
    target = make_user(db, email="sam@example.org")
    db.add_all([LoginAttempt(email="sam@example.org", address="testclient", succeeded=False) for _ in range(9)])
    login(client, db, make_user(db, role=role), settings)
    assert client.get("/admin/failed-logins").status_code == 403
    assert client.post(f"/admin/users/{target.id}/unlock").status_code == 403
    db.expire_all()
    assert len(db.exec(select(LoginAttempt).where(LoginAttempt.cleared_at.is_(None))).all()) == 9


def test_a_team_change_is_refused_beside_the_field_while_the_worker_holds_open_cases(admin_client, db):
    north, south = make_team(db, name="North"), make_team(db, name="South")
    sam = make_user(db, team=north, full_name="Sam Okafor")
    lena = make_user(db, team=north, full_name="Lena Novak")
    make_case(db, worker=sam)
    make_case(db, worker=lena, co_worker=sam)
    make_case(db, worker=sam, status="closed")  # closed: nothing to reallocate
    db.commit()
    response = admin_client.post(f"/admin/users/{sam.id}/role", data={"role": "worker", "team_id": str(south.id)})
    assert response.status_code == 422
    beside = response.text.split('<label for="team_id">', 1)[1].split("</select>", 1)[0]
    assert "Sam Okafor holds 2 open cases as key worker or co-worker" in beside
    assert "reallocate them first" in beside
    response = admin_client.post(f"/admin/users/{sam.id}/role", data={"role": "manager", "team_id": str(north.id)})
    assert response.status_code == 422 and "holds 2 open cases" in response.text
    db.expire_all()
    assert (db.get(User, sam.id).team_id, db.get(User, sam.id).role) == (north.id, "worker")
    assert _audit(db, "update") == []
    # Once the cases are reallocated the move goes through; a worker without cases moves at once.
    for case in db.exec(select(Case).where(Case.status != "closed")).all():
        case.key_worker_id, case.co_worker_id = lena.id, None
        db.add(case)
    db.commit()
    moved = admin_client.post(f"/admin/users/{sam.id}/role", data={"role": "worker", "team_id": str(south.id)})
    assert moved.status_code == 303
    db.expire_all()
    assert db.get(User, sam.id).team_id == south.id


def test_the_teams_last_supervisor_is_not_moved_while_work_waits_for_them(admin_client, db):
    north, south = make_team(db, name="North"), make_team(db, name="South")
    priya = _last_supervisor_with_work_waiting(db, north)

    moved = admin_client.post(f"/admin/users/{priya.id}/role", data={"role": "supervisor", "team_id": str(south.id)})
    assert moved.status_code == 422
    beside = moved.text.split('<label for="team_id">', 1)[1].split("</select>", 1)[0]
    assert "2 items wait for the team&#39;s supervisor" in beside
    demoted = admin_client.post(f"/admin/users/{priya.id}/role", data={"role": "worker", "team_id": str(north.id)})
    assert demoted.status_code == 422 and "2 items wait for the team&#39;s supervisor" in demoted.text
    db.expire_all()
    assert (db.get(User, priya.id).team_id, db.get(User, priya.id).role) == (north.id, "supervisor")

    # With a second supervisor in the team, the work still has someone to go to.
    make_user(db, team=north, role="supervisor", full_name="Helen Marsh")
    db.commit()
    assert (
        admin_client.post(
            f"/admin/users/{priya.id}/role", data={"role": "worker", "team_id": str(north.id)}
        ).status_code
        == 303
    )


def test_the_teams_last_supervisor_is_disabled_with_work_waiting_and_the_managers_are_told(admin_client, db):
    """Disabling shuts an account someone has left or that is compromised: it always works, and the
    administrator and the service's managers learn that the team's waiting work has nobody to see it."""
    north = make_team(db, name="North")
    priya = _last_supervisor_with_work_waiting(db, north)
    manager = make_user(db, team=None, role="manager", full_name="Mo Reyes")
    db.commit()

    disabled = admin_client.post(f"/admin/users/{priya.id}/disable", follow_redirects=True)
    assert disabled.status_code == 200
    assert "Account disabled" in disabled.text
    warning = disabled.text.split('class="flash flash-warning"', 1)[1].split("</p>", 1)[0]
    assert "Its team has no active supervisor now, and 2 items wait for one" in warning
    assert "Make another person the team&#39;s supervisor; the service&#39;s managers have been told." in warning
    db.expire_all()
    assert db.get(User, priya.id).is_active is False
    told = db.exec(select(Notification).where(Notification.user_id == manager.id)).all()
    assert [n.url for n in told] == [f"/review/oversight?team={north.id}"]
    assert told[0].text.startswith("North has no active supervisor now: 2 items wait for one")


def test_disabling_a_supervisor_with_another_in_the_team_warns_nobody(admin_client, db):
    north = make_team(db, name="North")
    priya = _last_supervisor_with_work_waiting(db, north)
    make_user(db, team=north, role="supervisor", full_name="Helen Marsh")
    manager = make_user(db, team=None, role="manager", full_name="Mo Reyes")
    db.commit()
    disabled = admin_client.post(f"/admin/users/{priya.id}/disable", follow_redirects=True)
    assert "Account disabled" in disabled.text and "flash-warning" not in disabled.text
    assert db.exec(select(Notification).where(Notification.user_id == manager.id)).all() == []


def _last_supervisor_with_work_waiting(db, team) -> User:
    """Priya, the team's only supervisor, with a map to review and an item kept from offline waiting."""
    sam = make_user(db, team=team, full_name="Sam Okafor")
    priya = make_user(db, team=team, role="supervisor", full_name="Priya Shah")
    case = make_case(db, worker=sam)
    review.submit_item(session=db, kind="sos_map", case=case, item_id="map", version_id="v1", version_number=1, by=sam)
    db.add(
        HeldItem(
            op_id="op-1", user_id=sam.id, case_id=case.id, team_id=team.id, reason="closed", target="/", fields="[]"
        )
    )
    db.commit()
    return priya


def _live_unsupervised_notes(db, manager) -> list[Notification]:
    db.expire_all()
    return list(
        db.exec(select(Notification).where(Notification.user_id == manager.id, Notification.cleared_at.is_(None))).all()
    )


@pytest.mark.parametrize("how", ["re-enabled", "made supervisor", "moved in", "new account"])
def test_the_managers_no_supervisor_notice_leaves_once_the_team_has_a_supervisor_again(admin_client, db, how):
    """A manager told "North has no active supervisor now" stops being told it once someone
    supervises North again, whichever way the administrator gives North its supervisor."""
    north, south = make_team(db, name="North"), make_team(db, name="South")
    priya = _last_supervisor_with_work_waiting(db, north)
    manager = make_user(db, team=None, role="manager", full_name="Mo Reyes")
    helen = make_user(db, team=north if how == "made supervisor" else south, full_name="Helen Marsh")
    db.commit()
    admin_client.post(f"/admin/users/{priya.id}/disable")
    assert len(_live_unsupervised_notes(db, manager)) == 1

    if how == "re-enabled":
        done = admin_client.post(f"/admin/users/{priya.id}/enable")
    elif how == "new account":
        done = admin_client.post(
            "/admin/users",
            data={
                "full_name": "Ade Bello",
                "email": "ade@example.org",
                "role": "supervisor",
                "team_id": str(north.id),
                "password": PASSWORD,
            },
        )
    else:
        done = admin_client.post(f"/admin/users/{helen.id}/role", data={"role": "supervisor", "team_id": str(north.id)})
    assert done.status_code == 303
    assert _live_unsupervised_notes(db, manager) == []
    assert review.unread_count(session=db, user=manager) == 0


def test_a_supervisor_of_another_team_leaves_the_no_supervisor_notice(admin_client, db):
    north, south = make_team(db, name="North"), make_team(db, name="South")
    priya = _last_supervisor_with_work_waiting(db, north)
    manager = make_user(db, team=None, role="manager", full_name="Mo Reyes")
    helen = make_user(db, team=south, full_name="Helen Marsh")
    db.commit()
    admin_client.post(f"/admin/users/{priya.id}/disable")
    admin_client.post(f"/admin/users/{helen.id}/role", data={"role": "supervisor", "team_id": str(south.id)})
    assert len(_live_unsupervised_notes(db, manager)) == 1
