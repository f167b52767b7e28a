"""Take offline and the kept copies, as a worker sees them (the offline review's defects)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.audit.models import AuditEntry
from tests.browser.conftest import log_in
from tests.browser.offline_support import take_offline
from tests.network.factories import make_family_case, meeting_form

pytestmark = pytest.mark.browser

KEPT = "() => caches.open('homeward-pages').then(c => c.keys()).then(ks => ks.map(k => new URL(k.url).pathname))"


def test_take_offline_neither_downloads_the_family_letter_pdf_nor_audits_an_export(page, live_server, db):
    worker, case, people = make_family_case(db)
    db.commit()
    log_in(page, live_server, worker.email)
    made = page.request.post(
        f"{live_server}/cases/{case.id}/network/meetings",
        form=meeting_form(people),
        headers={"Origin": live_server},
        max_redirects=0,
    )
    assert made.status == 303
    take_offline(page, live_server, case.id)
    kept = page.evaluate(KEPT)
    assert any(path.endswith("/letter") for path in kept)  # the letter itself is kept to read
    assert not [path for path in kept if path.endswith(".pdf")]
    db.expire_all()
    exports = db.exec(select(AuditEntry).where(AuditEntry.action == "export", AuditEntry.case_id == case.id)).all()
    assert exports == []
