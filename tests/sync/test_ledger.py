"""Exactly-once replay of offline operations, and conflicts kept instead of overwrites."""

from __future__ import annotations

import json
import uuid

from sqlmodel import func, select

from app.cases.models import Person
from app.sync.models import SyncConflict, SyncOperation
from app.timeutil import utcnow
from tests.factories import login, make_case, make_user


def _setup(db, client, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    return worker, case


def _people(db, case_id):
    db.expire_all()
    return db.exec(select(func.count()).select_from(Person).where(Person.case_id == case_id)).one()


def test_replayed_operation_creates_the_person_once_and_answers_the_same_redirect(db, client, settings):
    _, case = _setup(db, client, settings)
    op = str(uuid.uuid4())
    data = {"id": op, "name": "Donna Morgan", "relationship": "Mother"}
    first = client.post(f"/test/cases/{case.id}/people", data=data, headers={"Idempotency-Key": op})
    again = client.post(f"/test/cases/{case.id}/people", data=data, headers={"Idempotency-Key": op})
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"] == f"/cases/{case.id}"
    assert again.headers["idempotent-replayed"] == "true"
    assert _people(db, case.id) == 2  # the young person and Donna, once
    assert db.get(Person, op).name == "Donna Morgan"
    recorded = db.get(SyncOperation, op)
    assert (recorded.status_code, recorded.location) == (303, f"/cases/{case.id}")


def test_ordinary_form_post_without_key_still_works_and_leaves_no_ledger_row(db, client, settings):
    _, case = _setup(db, client, settings)
    response = client.post(f"/test/cases/{case.id}/people", data={"name": "Pat Morgan"})
    assert response.status_code == 303
    assert _people(db, case.id) == 2
    assert db.exec(select(func.count()).select_from(SyncOperation)).one() == 0


def test_refused_operation_leaves_no_ledger_row_so_it_can_be_corrected_and_retried_under_its_id(db, client, settings):
    _, case = _setup(db, client, settings)
    op = str(uuid.uuid4())
    refused = client.post(f"/test/cases/{case.id}/people", data={"id": op, "name": ""}, headers={"Idempotency-Key": op})
    assert refused.status_code == 422
    assert db.get(SyncOperation, op) is None
    fixed = client.post(
        f"/test/cases/{case.id}/people", data={"id": op, "name": "Jordan Morgan"}, headers={"Idempotency-Key": op}
    )
    assert fixed.status_code == 303
    assert db.get(Person, op).name == "Jordan Morgan"


def test_operation_refused_after_the_route_rolled_back_its_work_answers_422_not_500(db, client, settings):
    """A 500 would stop every sync at this item for good; a 422 sets it aside to be corrected."""
    _, case = _setup(db, client, settings)
    op = str(uuid.uuid4())
    url = f"/test/cases/{case.id}/people-refused-late"
    refused = client.post(url, data={"id": op, "name": "Not allowed"}, headers={"Idempotency-Key": op})
    assert refused.status_code == 422
    assert db.get(SyncOperation, op) is None and db.get(Person, op) is None
    fixed = client.post(url, data={"id": op, "name": "Allowed"}, headers={"Idempotency-Key": op})
    assert fixed.status_code == 303
    assert db.get(Person, op).name == "Allowed" and db.get(SyncOperation, op).status_code == 303


def test_operation_refused_for_permission_leaves_no_ledger_row(db, client, settings):
    _setup(db, client, settings)
    other_case = make_case(db, worker=make_user(db))
    db.commit()
    op = str(uuid.uuid4())
    response = client.post(
        f"/test/cases/{other_case.id}/people",
        data={"name": "X"},
        headers={"Idempotency-Key": op, "Accept": "application/json"},
    )
    assert response.status_code == 404
    assert response.json()["error"] == "Not found"
    db.expire_all()
    assert db.get(SyncOperation, op) is None


def test_expired_session_answers_401_to_the_outbox_and_applies_nothing(db, client, settings):
    case = make_case(db, worker=make_user(db))
    db.commit()
    op = str(uuid.uuid4())
    response = client.post(
        f"/test/cases/{case.id}/people",
        data={"name": "X"},
        headers={"Idempotency-Key": op, "Accept": "application/json"},
    )
    assert response.status_code == 401
    assert _people(db, case.id) == 1


def test_key_that_is_not_a_uuid_is_refused(db, client, settings):
    _, case = _setup(db, client, settings)
    response = client.post(f"/test/cases/{case.id}/people", data={"name": "X"}, headers={"Idempotency-Key": "1; drop"})
    assert response.status_code == 400
    assert _people(db, case.id) == 1


def test_operation_id_already_used_by_another_worker_is_refused(db, client, settings):
    worker, case = _setup(db, client, settings)
    colleague = make_user(db)
    op = str(uuid.uuid4())
    db.add(SyncOperation(op_id=op, user_id=colleague.id, method="POST", target="/x", status_code=303, location="/"))
    db.commit()
    response = client.post(f"/test/cases/{case.id}/people", data={"name": "X"}, headers={"Idempotency-Key": op})
    assert response.status_code == 422
    assert _people(db, case.id) == 1


def test_ledger_lookup_tells_the_device_where_a_saved_item_led(db, client, settings):
    _, case = _setup(db, client, settings)
    op = str(uuid.uuid4())
    client.post(f"/test/cases/{case.id}/people", data={"id": op, "name": "Donna"}, headers={"Idempotency-Key": op})
    assert client.get(f"/sync/ops/{op}").json() == {"op_id": op, "status": 303, "location": f"/cases/{case.id}"}
    assert client.get(f"/sync/ops/{uuid.uuid4()}").status_code == 404


def _young_person(db, case):
    return db.exec(select(Person).where(Person.case_id == case.id)).one()


def test_stale_offline_edit_becomes_a_conflict_and_a_replay_does_not_make_a_second(db, client, settings):
    _, case = _setup(db, client, settings)
    person = _young_person(db, case)
    person.phone, person.version = "07700 900111", 2  # edited online since the tablet's copy
    db.add(person)
    db.commit()
    op = str(uuid.uuid4())
    offline = {
        "base_version": "1",
        "name": person.name,
        "relationship": "Young person",
        "phone": "07700 900999",
        "in_household": "1",
    }
    first = client.post(f"/test/cases/{case.id}/people/{person.id}", data=offline, headers={"Idempotency-Key": op})
    again = client.post(f"/test/cases/{case.id}/people/{person.id}", data=offline, headers={"Idempotency-Key": op})
    assert first.status_code == again.status_code == 409
    assert again.headers["location"] == f"/conflicts/{op}"
    assert "Keep yours: 07700 900999" in first.text and "Keep Homeward's: 07700 900111" in first.text
    db.expire_all()
    assert db.get(Person, person.id).phone == "07700 900111"  # nothing overwritten
    assert db.exec(select(func.count()).select_from(SyncConflict)).one() == 1


def test_resolving_a_conflict_makes_a_new_version_and_keeps_both_in_history(db, client, settings):
    _, case = _setup(db, client, settings)
    person = _young_person(db, case)
    person.phone, person.relationship, person.version = "07700 900111", "Son", 2
    db.add(person)
    db.commit()
    op = str(uuid.uuid4())
    offline = {
        "base_version": "1",
        "name": "Kay Morgan",
        "relationship": "Young person",
        "phone": "07700 900999",
        "in_household": "1",
    }
    client.post(f"/test/cases/{case.id}/people/{person.id}", data=offline, headers={"Idempotency-Key": op})

    page = client.get(f"/conflicts/{op}")
    assert page.status_code == 200 and f'action="/test/cases/{case.id}/people/{person.id}?resolves={op}"' in page.text
    chosen = {
        "base_version": "2",
        "name": "Kay Morgan",
        "relationship": "Son",
        "phone": "07700 900999",
        "in_household": "1",
    }
    resolved = client.post(f"/test/cases/{case.id}/people/{person.id}?resolves={op}", data=chosen)
    assert resolved.status_code == 303

    db.expire_all()
    now = db.get(Person, person.id)
    assert (now.version, now.name, now.relationship, now.phone) == (3, "Kay Morgan", "Son", "07700 900999")
    conflict = db.get(SyncConflict, op)
    assert conflict.resolved_at is not None
    assert json.loads(conflict.mine)["relationship"] == "Young person"
    assert json.loads(conflict.theirs)["phone"] == "07700 900111"
    history = client.get(f"/conflicts/{op}").text
    assert "Settled on" in history and "07700 900111" in history and "07700 900999" in history


def test_keeping_the_server_version_settles_the_conflict_without_changing_the_person(db, client, settings):
    _, case = _setup(db, client, settings)
    person = _young_person(db, case)
    person.version = 4
    db.add(person)
    db.commit()
    op = str(uuid.uuid4())
    client.post(
        f"/test/cases/{case.id}/people/{person.id}",
        data={"base_version": "3", "name": "Other"},
        headers={"Idempotency-Key": op},
    )
    response = client.post(f"/conflicts/{op}/keep-server")
    assert response.status_code == 303
    db.expire_all()
    assert db.get(Person, person.id).name == person.name
    assert db.get(SyncConflict, op).resolved_at is not None


def test_another_workers_conflict_is_not_found(db, client, settings):
    _, case = _setup(db, client, settings)
    colleague = make_user(db)
    op = str(uuid.uuid4())
    db.add(
        SyncConflict(
            op_id=op,
            user_id=colleague.id,
            case_id=case.id,
            record_type="person",
            record_id="x",
            target="/",
            base_version=1,
            server_version=2,
            mine="{}",
            theirs="{}",
            labels='{"labels": {}, "yes_no": []}',
        )
    )
    db.commit()
    assert client.get(f"/conflicts/{op}").status_code == 404
    assert client.post(f"/conflicts/{op}/keep-server").status_code == 404


def test_outbox_lists_open_and_settled_conflicts(db, client, settings):
    worker, case = _setup(db, client, settings)
    for n, resolved in ((1, False), (2, True)):
        db.add(
            SyncConflict(
                op_id=str(uuid.uuid4()),
                user_id=worker.id,
                case_id=case.id,
                record_type="person",
                record_id="x",
                record_label=f"Person {n}",
                target="/",
                base_version=1,
                server_version=2,
                mine="{}",
                theirs="{}",
                labels='{"labels": {}, "yes_no": []}',
                resolved_at=utcnow() if resolved else None,
            )
        )
    db.commit()
    page = client.get("/outbox").text
    assert "<h1>Outbox</h1>" in page
    assert page.index("Person 1") < page.index("Settled conflicts") < page.index("Person 2")


def test_the_same_operation_arriving_twice_at_once_asks_the_second_copy_to_come_back(db, client, settings, monkeypatch):
    from sqlmodel import Session

    _, case = _setup(db, client, settings)
    op = str(uuid.uuid4())
    db.add(
        SyncOperation(op_id=op, user_id=case.key_worker_id, method="POST", target="/x", status_code=303, location="/")
    )
    db.commit()
    real_get = Session.get

    def racing_get(self, model, key, *args, **kwargs):
        # The first copy commits between the second copy's look-up and its claim.
        return None if model is SyncOperation else real_get(self, model, key, *args, **kwargs)

    monkeypatch.setattr(Session, "get", racing_get)
    response = client.post(
        f"/test/cases/{case.id}/people", data={"id": op, "name": "Donna"}, headers={"Idempotency-Key": op}
    )
    assert response.status_code == 503 and response.headers["retry-after"] == "2"
    monkeypatch.undo()
    assert _people(db, case.id) == 1


def test_in_family_mode_the_workers_conflicts_and_recorded_items_are_not_the_familys(db, client, settings):
    """Family screens are saved through the ledger too; it must not let them settle the worker's
    conflict (with the family screen's values) or look up the worker's own items."""
    from tests.family.factories import hand_over, with_pin, young_person

    worker, case = _setup(db, client, settings)
    with_pin(worker, db)
    person = _young_person(db, case)
    person.phone, person.version = "07700 900111", 2
    db.add(person)
    db.commit()
    conflict_op, saved_op = str(uuid.uuid4()), str(uuid.uuid4())
    offline = {"base_version": "1", "name": person.name, "relationship": "Young person", "phone": "07700 900999"}
    assert (
        client.post(
            f"/test/cases/{case.id}/people/{person.id}", data=offline, headers={"Idempotency-Key": conflict_op}
        ).status_code
        == 409
    )
    client.post(f"/test/cases/{case.id}/people", data={"name": "Donna"}, headers={"Idempotency-Key": saved_op})
    assert hand_over(client, case, young_person(db, case)).status_code == 303

    screen = f"/family/{case.id}/{person.id}/diamond/wellbeing"
    answer = {"id": str(uuid.uuid4()), "score": "6"}
    assert client.post(f"{screen}?resolves={conflict_op}", data=answer).status_code == 403
    db.expire_all()
    assert db.get(SyncConflict, conflict_op).resolved_at is None
    assert client.post(screen, data=answer, headers={"Idempotency-Key": saved_op}).status_code == 403
    assert client.get(f"/sync/ops/{saved_op}").status_code == 404
    # The family's own saved answer is theirs to look up (the offline script goes where it led).
    family_op = str(uuid.uuid4())
    assert (
        client.post(screen, data={**answer, "id": family_op}, headers={"Idempotency-Key": family_op}).status_code == 303
    )
    assert client.get(f"/sync/ops/{family_op}").json()["status"] == 303


def test_saving_another_record_does_not_settle_a_conflict(db, client, settings):
    """A conflict is settled only by a save of its own record: `?resolves=` on another record's
    form (an old link, a forged address) saves that record and leaves the conflict waiting."""
    _, case = _setup(db, client, settings)
    person = _young_person(db, case)
    person.phone, person.version = "07700 900111", 2
    db.add(person)
    mum = Person(case_id=case.id, name="Donna Morgan", relationship="Mother")
    db.add(mum)
    db.commit()
    op = str(uuid.uuid4())
    offline = {"base_version": "1", "name": person.name, "relationship": "Young person", "phone": "07700 900999"}
    client.post(f"/test/cases/{case.id}/people/{person.id}", data=offline, headers={"Idempotency-Key": op})

    edit = {"base_version": "1", "name": "Donna Morgan", "relationship": "Mum", "phone": ""}
    assert client.post(f"/test/cases/{case.id}/people/{mum.id}?resolves={op}", data=edit).status_code == 303
    db.expire_all()
    assert db.get(Person, mum.id).relationship == "Mum"
    assert db.get(SyncConflict, op).resolved_at is None
    assert "Settled on" not in client.get(f"/conflicts/{op}").text
