"""Reports of wrong PINs typed offline are found through their own index (migration 0025): the case
page and the oversight flag read only those rows, not every audit entry of the case or the log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select as core_select
from sqlalchemy import text

from app.audit.models import AuditEntry
from app.family.service import IS_OFFLINE_FAILURE
from app.timeutil import utcnow
from tests.factories import make_case, make_user
from tests.querycount import indexes_used


def test_the_case_page_and_the_flag_find_offline_pin_reports_through_their_own_index(engine, db):
    if engine.dialect.name != "postgresql":
        pytest.skip("the plan is PostgreSQL's to choose")
    worker = make_user(db)
    case = make_case(db, worker=worker)
    db.commit()
    # A case read thousands of times, one report among its entries.
    db.execute(
        text(
            "INSERT INTO audit_entry (at, user_id, action, object_type, object_id, case_id, request_id,"
            " user_agent, address, detail, lane, prev_hash, entry_hash)"
            " SELECT now(), :user, CASE WHEN n = 10 THEN 'family_offline_wrong_pins' ELSE 'read' END, 'case', '',"
            " :case, '', '', '', '', 0, '', md5(n::text) FROM generate_series(1, 5000) AS n"
        ),
        {"user": worker.id, "case": case.id},
    )
    db.commit()
    db.execute(text("ANALYZE audit_entry"))
    on_the_page = (
        core_select(AuditEntry.id)
        .where(AuditEntry.case_id == case.id, IS_OFFLINE_FAILURE)
        .order_by(AuditEntry.id.desc())
        .limit(5)
    )
    for_the_flag = core_select(AuditEntry.case_id).where(
        IS_OFFLINE_FAILURE, AuditEntry.at >= utcnow() - timedelta(days=28)
    )
    for statement in (on_the_page, for_the_flag):
        assert indexes_used(db, statement) == ["ix_audit_entry_offline_pins"]
    assert len(db.execute(on_the_page).all()) == 1
