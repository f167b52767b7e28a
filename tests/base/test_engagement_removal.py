"""Removing a BASE engagement entry made by mistake: with a reason, kept and marked, left out of counts."""

from __future__ import annotations

from sqlmodel import select

from app.audit.models import AuditEntry
from app.base import service
from app.base.models import BaseVersion
from tests.base.factories import ENGAGEMENT, case_with_family, uid
from tests.factories import login, make_user


def _version(db, case) -> BaseVersion:
    db.expire_all()
    return db.exec(
        select(BaseVersion).where(BaseVersion.case_id == case.id).order_by(BaseVersion.number.desc())
    ).first()


def _twice(client, db, case, mother) -> tuple[str, str]:
    """The mother's engagement entered twice under two ids (online, then from the tablet's outbox),
    as a version saved before a second entry for one person was refused may hold."""
    client.post(f"/cases/{case.id}/base", data={"id": uid()})
    first = {"version_id": _version(db, case).id, "id": uid(), "person_id": mother.id, **ENGAGEMENT}
    assert client.post(f"/cases/{case.id}/base/engagement", data=first).status_code == 303
    version = _version(db, case)
    twice = {**version.content["engagement"][0], "id": uid()}
    version.content = {**version.content, "engagement": [*version.content["engagement"], twice]}
    db.add(version)
    db.commit()
    return first["id"], twice["id"]


def test_a_worker_removes_a_duplicate_engagement_entry_with_a_reason_and_it_stays_marked_removed(client, db, settings):
    worker, case, mother = case_with_family(db)
    login(client, db, worker, settings)
    kept, duplicate = _twice(client, db, case, mother)
    url = f"/cases/{case.id}/base/engagement"
    page = client.get(url).text
    assert f'action="{url}/items/{duplicate}/remove"' in page and "Remove this entry" in page
    vid = _version(db, case).id

    # A reason is needed: refused beside it, nothing changed.
    refused = client.post(f"{url}/items/{duplicate}/remove", data={"version_id": vid, "revision": "1", "reason": ""})
    assert refused.status_code == 422 and f'id="reason-{duplicate}-error"' in refused.text
    assert not any(e.get("removed") for e in _version(db, case).content["engagement"])

    sent = {"version_id": vid, "revision": "1", "reason": "Entered twice: once online, once from the tablet"}
    assert client.post(f"{url}/items/{duplicate}/remove", data=sent).status_code == 303
    assert client.post(f"{url}/items/{duplicate}/remove", data=sent).status_code == 303  # a replay changes nothing
    content = _version(db, case).content
    removed = next(e for e in content["engagement"] if e["id"] == duplicate)
    assert removed["removed"]["reason"] == sent["reason"] and removed["removed"]["by"] == "Sam Okafor"
    assert service.stage_counts(content)["engagement"] == 1
    page = client.get(url).text
    assert "Removed by Sam Okafor" in page and sent["reason"] in page
    assert page.count(f"?edit={kept}") == 1 and f"?edit={duplicate}" not in page
    # The person left has one entry: the mistaken one no longer stands in the way of correcting it.
    audited = db.exec(
        select(AuditEntry.detail).where(AuditEntry.object_type == "base_version", AuditEntry.case_id == case.id)
    ).all()
    assert f"engagement removed {duplicate}" in audited
    # An edit of the removed entry (a page kept on the device) is refused, not saved into it.
    edit = client.post(
        f"{url}/items/{duplicate}", data={"version_id": vid, "base_version": "1", **ENGAGEMENT, "person_id": mother.id}
    )
    assert edit.status_code == 422 and "was removed" in edit.text


def test_an_entry_for_the_wrong_person_removed_lets_that_person_be_entered_properly(client, db, settings):
    worker, case, mother = case_with_family(db)
    login(client, db, worker, settings)
    client.post(f"/cases/{case.id}/base", data={"id": uid()})
    url = f"/cases/{case.id}/base/engagement"
    vid = _version(db, case).id
    wrong = {"version_id": vid, "id": uid(), "person_id": mother.id, **ENGAGEMENT}
    assert client.post(url, data=wrong).status_code == 303
    gone = {"version_id": vid, "revision": "1", "reason": "Meant for another family"}
    assert client.post(f"{url}/items/{wrong['id']}/remove", data=gone).status_code == 303
    assert "Not recorded yet for:" in client.get(url).text
    again = {**wrong, "id": uid(), "expectations": "Fewer rows at home"}
    assert client.post(url, data=again).status_code == 303
    assert [bool(e.get("removed")) for e in _version(db, case).content["engagement"]] == [True, False]


def test_only_the_cases_workers_remove_an_entry_and_another_cases_entry_is_not_found(client, db, settings):
    worker, case, mother = case_with_family(db)
    login(client, db, worker, settings)
    kept, duplicate = _twice(client, db, case, mother)
    vid = _version(db, case).id
    sent = {"version_id": vid, "revision": "1", "reason": "Entered twice"}
    # Another case of the same worker: its URL with this case's entry (or version) is not found.
    _, other, other_mother = case_with_family(db, key_worker_id=worker.id)
    db.commit()
    client.post(f"/cases/{other.id}/base", data={"id": uid()})
    other_vid = _version(db, other).id
    forged = f"/cases/{other.id}/base/engagement/items/{duplicate}/remove"
    assert client.post(forged, data={**sent, "version_id": other_vid}).status_code == 404
    assert client.post(forged, data=sent).status_code == 404
    stranger = make_user(db)
    login(client, db, stranger, settings)
    action = f"/cases/{case.id}/base/engagement/items/{duplicate}/remove"
    assert client.post(action, data=sent).status_code == 404
    manager = make_user(db, role="manager", team=None)
    login(client, db, manager, settings)
    assert client.post(action, data=sent).status_code == 403
    assert not any(e.get("removed") for e in _version(db, case).content["engagement"])
    supervisor = make_user(db, role="supervisor", team=None, team_id=worker.team_id)
    login(client, db, supervisor, settings)
    assert client.post(action, data=sent).status_code == 303
    # A submitted version is not changed: the removal is made in a new version.
    client.post(f"/cases/{case.id}/base/submit", data={"version_id": vid})
    assert client.post(f"/cases/{case.id}/base/engagement/items/{kept}/remove", data=sent).status_code == 409
    assert sum(not e.get("removed") for e in _version(db, case).content["engagement"]) == 1
