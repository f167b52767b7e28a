"""Who rates a BASE assessment as supervisor when the key worker is the team's own supervisor."""

from __future__ import annotations

from sqlmodel import select

from app.base.models import BaseVersion
from tests.base.factories import uid
from tests.factories import login, make_case, make_user


def _version(db, case) -> BaseVersion:
    db.expire_all()
    return db.exec(select(BaseVersion).where(BaseVersion.case_id == case.id)).first()


def test_a_service_manager_rates_as_supervisor_when_the_teams_only_supervisor_key_works_the_case(client, db, settings):
    supervisor = make_user(db, role="supervisor", full_name="Helen Marsh")
    case = make_case(db, worker=supervisor)
    login(client, db, supervisor, settings)
    client.post(f"/cases/{case.id}/base", data={"id": uid()})
    vid = _version(db, case).id
    page = client.get(f"/cases/{case.id}/base").text
    # The key worker is told who can give the supervisor's rating, since it is not theirs.
    assert "another supervisor of the team or a service manager" in page
    client.post(f"/cases/{case.id}/base/competency", data={"version_id": vid, "competency": "competent"})
    manager = make_user(db, role="manager", team=None)
    login(client, db, manager, settings)
    page = client.get(f"/cases/{case.id}/base").text
    assert "Your rating as supervisor" in page and 'name="as_supervisor"' in page
    rated = client.post(
        f"/cases/{case.id}/base/competency", data={"version_id": vid, "competency": "basic", "as_supervisor": "1"}
    )
    assert rated.status_code == 303
    version = _version(db, case)
    assert (version.competency_self, version.competency_supervisor, version.competency_supervisor_by_id) == (
        "competent",
        "basic",
        manager.id,
    )
    # The manager does not rate the worker's own practice, and changes no other casework.
    mine = client.post(f"/cases/{case.id}/base/competency", data={"version_id": vid, "competency": "advanced"})
    assert mine.status_code == 422 and _version(db, case).competency_self == "competent"
    assert client.post(f"/cases/{case.id}/base/versions", data={"id": uid()}).status_code == 403


def test_a_manager_does_not_rate_a_workers_case_its_team_supervisor_rates(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    make_user(db, role="supervisor", team=None, team_id=worker.team_id, full_name="Helen Marsh")
    login(client, db, worker, settings)
    client.post(f"/cases/{case.id}/base", data={"id": uid()})
    vid = _version(db, case).id
    assert (
        "The supervisor of this case&#39;s team gives the supervisor&#39;s rating"
        in client.get(f"/cases/{case.id}/base").text
    )
    manager = make_user(db, role="manager", team=None)
    login(client, db, manager, settings)
    assert 'name="as_supervisor"' not in client.get(f"/cases/{case.id}/base").text
    refused = client.post(
        f"/cases/{case.id}/base/competency", data={"version_id": vid, "competency": "basic", "as_supervisor": "1"}
    )
    assert refused.status_code in (403, 422)
    assert _version(db, case).competency_supervisor is None
