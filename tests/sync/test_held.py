"""Items for cases that moved on while they waited: kept for the supervisor, never applied (app/sync/held.py)."""

from __future__ import annotations

from sqlmodel import func, select

from app.audit.models import AuditEntry
from app.cases.models import Contact
from app.sync.models import HeldItem
from app.timeutil import today
from tests.factories import login, make_case, make_user, sealed_item


def _sealed_contact(settings, worker, case, note):
    fields = [["kind", "visit"], ["place", "home"], ["occurred_on", today().isoformat()], ["note", note]]
    item = sealed_item(settings.secret_key, worker, f"/cases/{case.id}/contacts", fields)
    return {**item, "label": "Record a contact"}


def _contacts(db) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(Contact)).one()


def test_an_item_for_a_reassigned_case_goes_to_the_supervisor_readable_and_the_author_is_told_where(
    db, client, settings
):
    sam = make_user(db, full_name="Sam Okafor")
    helen = make_user(db, role="supervisor", full_name="Helen Marsh", team_id=sam.team_id)
    priya = make_user(db, full_name="Priya Shah", team_id=sam.team_id)
    case = make_case(db, worker=sam)
    item = _sealed_contact(settings, sam, case, "Mum asked for help with school transport.")
    case.key_worker_id = priya.id  # reassigned while Sam's tablet had no signal
    db.add(case)
    db.commit()

    login(client, db, sam, settings)
    answers = [client.post("/sync/sealed", json=item, headers={"Accept": "application/json"}) for _ in range(2)]
    assert [a.status_code for a in answers] == [409, 409] and "location" not in answers[0].headers
    assert answers[0].json()["detail"] == (
        "Not applied: this case is now held by another worker. "
        "It went to Helen Marsh (supervisor) as waiting for reassignment."
    )
    assert _contacts(db) == 0 and db.exec(select(func.count()).select_from(HeldItem)).one() == 1
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "held_for_supervisor")).one().case_id == case.id

    login(client, db, helen, settings)
    assert "Waiting for reassignment" in client.get("/review").text
    page = client.get("/sync/held").text
    assert "Mum asked for help with school transport." in page and "by Sam Okafor" in page
    assert client.post(f"/sync/held/{item['id']}/handled").status_code == 303
    assert "Handled" in client.get("/sync/held").text and _contacts(db) == 0
    login(client, db, priya, settings)
    assert client.get("/sync/held").status_code == 403  # the supervisor's list


def test_an_item_for_a_closed_case_is_refused_with_a_clear_message_and_kept_for_the_supervisor(db, client, settings):
    sam = make_user(db)
    make_user(db, role="supervisor", full_name="Helen Marsh", team_id=sam.team_id)
    case = make_case(db, worker=sam)
    item = _sealed_contact(settings, sam, case, "Last visit.")
    case.status = "closed"
    db.add(case)
    db.commit()
    login(client, db, sam, settings)
    answer = client.post("/sync/sealed", json=item, headers={"Accept": "application/json"})
    assert answer.status_code == 409
    assert answer.json()["detail"].startswith("Not applied: this case was closed before this item arrived.")
    assert _contacts(db) == 0 and db.get(HeldItem, item["id"]).reason == "closed"
