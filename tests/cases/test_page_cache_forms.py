"""The case page's body is cached and served again (app/cases/page_cache.py), so it may hold no form
with a new record's id made by the server: two views would post the same id, and the second save
would be taken for a replay of the first and dropped. Create forms live on their own pages."""

from __future__ import annotations

import re

from tests.demo_copy import demo_service
from tests.factories import login


def test_no_case_page_of_the_demo_carries_a_new_records_id(client, db, settings):
    demo = demo_service(session=db, settings=settings)
    db.commit()
    checked = 0
    for worker in [u for u in demo.users.values() if u.role == "worker"]:
        login(client, db, worker, settings)
        for case in [c for c in demo.cases.values() if c.key_worker_id == worker.id]:
            page = client.get(f"/cases/{case.id}")
            assert page.status_code == 200
            checked += 1
            assert re.search(r'<input[^>]*name="id"', page.text) is None, case.reference
    assert checked >= 5
