"""Every offline-capable form built so far applies a replayed operation once (issue 4)."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import func, select

from app.audit.models import AuditEntry
from app.cases.models import Consent, Contact, Person
from app.sync.models import SyncOperation
from app.timeutil import today
from tests.cases.factories import make_person
from tests.factories import login, make_case, make_user


@pytest.fixture
def setup(db, client, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    donna = make_person(db, case)
    login(client, db, worker, settings)
    return case, donna


def _count(db, model) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(model)).one()


def _twice(client, url, data):
    op = str(uuid.uuid4())
    data = {"id": op, **data}
    answers = [
        client.post(url, data=data, headers={"Idempotency-Key": op, "Accept": "application/json"}) for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [303, 303]
    assert (
        answers[1].headers["idempotent-replayed"] == "true"
        and answers[0].headers["location"] == answers[1].headers["location"]
    )
    return op


def test_contact_replayed_is_stored_once_under_the_operation_id(db, client, setup):
    case, _ = setup
    op = _twice(
        client,
        f"/cases/{case.id}/contacts",
        {"kind": "visit", "place": "home", "occurred_on": today().isoformat(), "note": "Visit."},
    )
    assert _count(db, Contact) == 1 and db.get(Contact, op) is not None
    assert _count(db, SyncOperation) == 1


def test_person_added_offline_and_replayed_is_added_once(db, client, setup):
    case, _ = setup
    op = _twice(client, f"/cases/{case.id}/people", {"name": "Pat Morgan", "relationship": "Grandmother"})
    assert _count(db, Person) == 3 and db.get(Person, op).name == "Pat Morgan"


def test_consent_replayed_is_recorded_once(db, client, setup):
    case, donna = setup
    op = _twice(
        client,
        f"/cases/{case.id}/consent",
        {"person_id": donna.id, "purpose": "work", "how_given": "verbal", "given_on": today().isoformat()},
    )
    assert _count(db, Consent) == 1 and db.get(Consent, op).person_id == donna.id


def test_withdrawal_replayed_is_recorded_once(db, client, setup):
    case, donna = setup
    consent = Consent(
        case_id=case.id,
        person_id=donna.id,
        purpose="images",
        how_given="verbal",
        given_on=today(),
        recorded_by_id=case.key_worker_id,
    )
    db.add(consent)
    db.commit()
    _twice(
        client,
        f"/cases/{case.id}/consent/{consent.id}/withdraw",
        {"withdrawn_on": today().isoformat(), "note": "Changed her mind."},
    )
    db.expire_all()
    assert db.get(Consent, consent.id).withdrawn_on == today()
    withdrawals = db.exec(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.object_id == consent.id, AuditEntry.action != "read")
    ).one()
    assert withdrawals == 1  # withdrawn once: the replay wrote nothing


def test_person_edit_from_an_old_version_is_kept_as_a_conflict_with_a_link_for_the_outbox(db, client, setup):
    case, donna = setup
    donna.version = 3
    db.add(donna)
    db.commit()
    op = str(uuid.uuid4())
    response = client.post(
        f"/cases/{case.id}/people/{donna.id}",
        data={"base_version": "2", "name": "Donna Morgan", "relationship": "Mother", "phone": "07700 900999"},
        headers={"Idempotency-Key": op},
    )
    assert response.status_code == 409 and response.headers["location"] == f"/conflicts/{op}"
    page = client.get(f"/conflicts/{op}").text
    # Without what the page showed, every detail that differs is asked about, and only those.
    assert "Keep yours: 07700 900999" in page and "<legend>Relationship to the young person" not in page


def test_offline_form_pages_carry_the_offline_mark(db, client, setup):
    case, donna = setup
    consent = Consent(
        case_id=case.id,
        person_id=donna.id,
        purpose="images",
        how_given="verbal",
        given_on=today(),
        recorded_by_id=case.key_worker_id,
    )
    db.add(consent)
    db.commit()
    for path in (
        "contacts/new",
        "people/new",
        f"people/{donna.id}/edit",
        "consent/all",
        f"consent/{consent.id}/withdraw",
    ):
        mark = 'data-offline="edit"' if path.endswith("/edit") else 'data-offline="true"'
        assert mark in client.get(f"/cases/{case.id}/{path}").text, path
