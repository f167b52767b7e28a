"""The case page's BASE section and timeline cost the same number of queries however much is recorded."""

from __future__ import annotations

from sqlalchemy import event

from app.cases.page_cache import pages
from tests.base.factories import ENGAGEMENT, case_with_family, uid
from tests.base.test_feedback import answers
from tests.factories import login


def _queries_for(client, engine, url) -> int:
    count = 0

    def _count(*_args, **_kwargs):
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", _count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", _count)
    return count


def _add_round(client, case, mother, version_id, n):
    client.post(
        f"/cases/{case.id}/base/engagement",
        data={"version_id": version_id, "id": uid(), "person_id": mother.id, **ENGAGEMENT},
    )
    client.post(
        f"/cases/{case.id}/base/analysis/meetings",
        data={"version_id": version_id, "id": uid(), "held_on": "2026-01-10", "chair": "Jo", "conclusions": "Agreed"},
    )
    client.post(
        f"/cases/{case.id}/base/feedback/parent", data={"id": uid(), "rater": mother.id, "round": str(n), **answers()}
    )


def test_case_page_query_count_does_not_grow_with_versions_and_feedback(client, db, settings, engine):
    from sqlmodel import select

    from app.base.models import BaseVersion

    worker, case, mother = case_with_family(db)
    login(client, db, worker, settings)
    client.post(f"/cases/{case.id}/base", data={"id": uid()})
    version_id = db.exec(select(BaseVersion.id)).one()
    _add_round(client, case, mother, version_id, 1)
    # One version submitted first: the page skips the tables a case has no rows in (a first
    # submission adds a review item), so the counts compared are of a case with each kind of row.
    client.post(f"/cases/{case.id}/base/submit", data={"version_id": version_id})
    client.post(f"/cases/{case.id}/base/versions", data={"id": (version_id := uid())})
    _add_round(client, case, mother, version_id, 2)
    pages.clear()
    small = _queries_for(client, engine, f"/cases/{case.id}")
    for n in range(3, 6):
        client.post(f"/cases/{case.id}/base/submit", data={"version_id": version_id})
        client.post(f"/cases/{case.id}/base/versions", data={"id": (version_id := uid())})
        _add_round(client, case, mother, version_id, n)
    page = client.get(f"/cases/{case.id}")
    assert page.text.count("Formulation meeting") == 5 and "(5 recorded)" in page.text
    pages.clear()  # count the page built again, not its cached copy (app/cases/page_cache.py)
    assert _queries_for(client, engine, f"/cases/{case.id}") == small
