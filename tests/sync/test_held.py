"""Items for cases that moved on while they waited: kept for the supervisor, never applied (app/sync/held.py)."""

from __future__ import annotations

from sqlmodel import func, select

from app.audit.models import AuditEntry
from app.cases.models import Contact
from app.signs_of_safety.models import ThreeHousesEntry
from app.sync.models import HeldItem
from app.timeutil import today
from tests.factories import login, make_case, make_user, sealed_item
from tests.family.factories import hand_over, with_pin, young_person


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
    db.commit()
    login(client, db, sam, settings)
    assert client.get(f"/cases/{case.id}").status_code == 200  # kept on his tablet, as Take offline does
    item = _sealed_contact(settings, sam, case, "Mum asked for help with school transport.")
    case.key_worker_id = priya.id  # reassigned while Sam's tablet had no signal
    db.add(case)
    db.commit()

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


def _held(db) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(HeldItem)).one()


def test_an_item_for_a_case_its_sender_never_had_is_answered_404_and_held_for_nobody(db, client, settings):
    """A forged item (the outbox key is public) must not land in another team's review queue,
    nor tell whether the case exists, is closed, or who supervises it."""
    sam = make_user(db)
    priya = make_user(db)  # of another team, supervised by Helen
    make_user(db, role="supervisor", full_name="Helen Marsh", team_id=priya.team_id)
    other_team = make_case(db, worker=priya)
    closed = make_case(db, worker=priya)
    closed.status = "closed"
    db.add(closed)
    db.commit()
    login(client, db, sam, settings)
    for case in (other_team, closed):
        item = _sealed_contact(settings, sam, case, "Forged.")
        answer = client.post("/sync/sealed", json=item, headers={"Accept": "application/json"})
        assert answer.status_code == 404, case.status
        assert "Helen Marsh" not in answer.text and "closed" not in answer.text
    assert _held(db) == 0 and _contacts(db) == 0


def test_a_sealed_item_sent_in_family_mode_is_refused_and_held_for_nobody(db, client, settings):
    sam = with_pin(make_user(db), db)
    make_user(db, role="supervisor", team_id=sam.team_id)
    case = make_case(db, worker=sam)
    moved = make_case(db, worker=sam)
    db.commit()
    login(client, db, sam, settings)
    client.get(f"/cases/{moved.id}")
    moved.status = "closed"
    db.add(moved)
    db.commit()
    assert hand_over(client, case, young_person(db, case)).status_code == 303
    answer = client.post(
        "/sync/sealed",
        json=_sealed_contact(settings, sam, moved, "Typed by someone"),
        headers={"Accept": "application/json"},
    )
    # Named as family mode: a worker's page open in another tab keeps the item for the hand-back.
    assert answer.status_code == 403 and answer.headers["x-homeward-family-mode"] == "1"
    assert _held(db) == 0 and _contacts(db) == 0


def test_family_answers_for_a_case_that_moved_on_are_kept_for_the_supervisor_not_lost_or_applied(db, client, settings):
    """Given on the tablet without a signal, sent after the hand-back: the young person's words
    reach the supervisor when the case changed hands, and never a closed case's record."""
    sam = make_user(db, full_name="Sam Okafor")
    make_user(db, role="supervisor", full_name="Helen Marsh", team_id=sam.team_id)
    priya = make_user(db, team_id=sam.team_id)
    reassigned, closed = make_case(db, worker=sam), make_case(db, worker=sam)
    db.commit()
    login(client, db, sam, settings)
    items = []
    for case in (reassigned, closed):
        assert client.get(f"/cases/{case.id}").status_code == 200
        kayla = young_person(db, case)
        target = f"/family/{case.id}/{kayla.id}/three-houses/worries"
        items.append(
            sealed_item(settings.secret_key, sam, target, [["text", "I worry about Mum"], ["recorded_at", ""]])
        )
    reassigned.key_worker_id = priya.id
    closed.status = "closed"
    db.add_all([reassigned, closed])
    db.commit()
    answers = [client.post("/sync/sealed", json=i, headers={"Accept": "application/json"}) for i in items]
    assert [a.status_code for a in answers] == [409, 409]
    assert [a.json()["held"] for a in answers] == ["reassigned", "closed"]
    db.expire_all()
    assert db.exec(select(func.count()).select_from(ThreeHousesEntry)).one() == 0
    held = db.get(HeldItem, items[0]["id"])
    assert held.case_id == reassigned.id and "I worry about Mum" in held.fields


def test_another_workers_held_item_id_tells_nothing_of_where_it_went(db, client, settings):
    sam = make_user(db, full_name="Sam Okafor")
    make_user(db, role="supervisor", full_name="Helen Marsh", team_id=sam.team_id)
    case = make_case(db, worker=sam)
    db.commit()
    login(client, db, sam, settings)
    client.get(f"/cases/{case.id}")
    item = _sealed_contact(settings, sam, case, "Kept for Helen.")
    case.status = "closed"
    db.add(case)
    db.commit()
    assert client.post("/sync/sealed", json=item, headers={"Accept": "application/json"}).status_code == 409
    other = make_user(db)
    db.commit()
    login(client, db, other, settings)
    mine = make_case(db, worker=other)
    db.commit()
    forged = sealed_item(settings.secret_key, other, f"/cases/{mine.id}/contacts", [["kind", "visit"]], op=item["id"])
    answer = client.post("/sync/sealed", json=forged, headers={"Accept": "application/json"})
    assert answer.status_code == 422 and "Helen" not in answer.text and "closed" not in answer.text
