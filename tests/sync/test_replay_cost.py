"""A sealed offline item costs the same whatever the case already holds, and little more than the
same contact posted as a form (issue 21's replay budget: bench/sync_replay.py, docs/performance.md)."""

from __future__ import annotations

import uuid

from sqlmodel import func, select

from app.audit.chain import verify
from app.audit.models import AuditEntry
from app.cases.models import Case, Contact
from app.sync.models import SyncOperation
from app.timeutil import today
from tests.factories import login, make_case, make_user, sealed_item
from tests.querycount import count_queries

FIELDS = [["kind", "visit"], ["place", "home"], ["duration_minutes", "45"], ["note", "Home visit."]]


def _sealed(settings, worker, case) -> dict:
    fields = [["occurred_on", today().isoformat()], *FIELDS]
    return sealed_item(settings.secret_key, worker, f"/cases/{case.id}/contacts", fields)


def _send(client, item) -> None:
    response = client.post("/sync/sealed", json=item, headers={"Accept": "application/json"})
    assert response.status_code == 303, response.text


def _statements_of_one_item(client, engine, settings, worker, case) -> int:
    item = _sealed(settings, worker, case)
    with count_queries(engine) as statements:
        _send(client, item)
    return len(statements)


def test_a_sealed_item_takes_as_many_statements_on_a_case_with_many_items_as_on_a_new_one(client, db, engine, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    _send(client, _sealed(settings, worker, case))  # the first contact also sets the case's first contact
    first = _statements_of_one_item(client, engine, settings, worker, case)
    for _ in range(30):
        _send(client, _sealed(settings, worker, case))
    assert _statements_of_one_item(client, engine, settings, worker, case) == first
    # What this branch measured on both databases (16 on PostgreSQL, whose chain lock is a statement).
    assert first <= (16 if engine.dialect.name == "postgresql" else 15)
    db.expire_all()
    assert db.exec(select(func.count()).select_from(Contact)).one() == 33
    assert db.exec(select(func.count()).select_from(SyncOperation)).one() == 33
    assert db.exec(select(func.count()).where(AuditEntry.object_type == "contact")).one() == 33
    assert verify(session=db).ok


def test_a_sealed_item_costs_at_most_four_statements_more_than_the_same_form_post(client, db, engine, settings):
    """The ledger's own work: look the item up, look for it among held items, claim it, record the answer."""
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    _send(client, _sealed(settings, worker, case))
    sealed = _statements_of_one_item(client, engine, settings, worker, case)
    form = {"id": str(uuid.uuid4()), "occurred_on": today().isoformat(), **dict(FIELDS)}
    with count_queries(engine) as statements:
        assert client.post(f"/cases/{case.id}/contacts", data=form).status_code == 303
    assert sealed <= len(statements) + 4


def test_one_sealed_item_moves_its_case_page_version_exactly_once(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    version = db.exec(select(Case.page_version).where(Case.id == case.id)).one()
    db.commit()
    _send(client, _sealed(settings, worker, case))
    db.expire_all()
    assert db.exec(select(Case.page_version).where(Case.id == case.id)).one() == version + 1
