"""Every feature's data-offline form goes through the ledger, not only the forms that name it."""

from __future__ import annotations

import uuid

from sqlmodel import select

from app.base.models import BaseVersion
from app.sync.models import SyncOperation
from tests.factories import login, make_case, make_user


def test_a_feature_form_replayed_with_its_key_answers_the_same_redirect_and_applies_once(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    op = str(uuid.uuid4())
    headers = {"Idempotency-Key": op, "Accept": "application/json"}
    first = client.post(f"/cases/{case.id}/base", data={"id": op}, headers=headers)
    again = client.post(f"/cases/{case.id}/base", data={"id": op}, headers=headers)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"] == f"/cases/{case.id}/base/engagement"
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert len(db.exec(select(BaseVersion).where(BaseVersion.case_id == case.id)).all()) == 1
    # The page the outbox asks for after an online save names where to go next.
    assert client.get(f"/sync/ops/{op}").json()["location"] == f"/cases/{case.id}/base/engagement"


def test_a_refused_feature_form_leaves_no_ledger_row_so_it_can_be_fixed_and_retried(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    op = str(uuid.uuid4())
    refused = client.post(
        f"/cases/{case.id}/base", data={"id": ""}, headers={"Idempotency-Key": op, "Accept": "application/json"}
    )
    assert refused.status_code == 400
    db.expire_all()
    assert db.get(SyncOperation, op) is None


def test_public_pages_and_plain_posts_do_not_need_a_session_for_the_ledger(client, db):
    assert client.get("/healthz").status_code == 200
    assert client.get("/login").status_code == 200
    assert client.post("/login", data={"email": "nobody@example.org", "password": "x"}).status_code == 422
