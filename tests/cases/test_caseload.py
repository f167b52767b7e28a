"""My caseload: active first with last contact and next review, dormant apart, counts and search."""

from __future__ import annotations

from datetime import timedelta

from app.cases.models import Contact
from app.timeutil import today
from tests.factories import login, make_case, make_user


def test_active_cases_first_dormant_listed_separately_with_counts(client, db, settings):
    worker = make_user(db)
    make_case(db, worker=worker, young_person_name="Chloe Walsh", status="dormant")
    make_case(
        db, worker=worker, young_person_name="Amira Hassan", status="active", next_review_on=today() - timedelta(days=2)
    )
    kayla = make_case(
        db,
        worker=worker,
        young_person_name="Kayla Morgan",
        status="active",
        next_review_on=today() + timedelta(days=10),
    )
    make_case(db, worker=worker, young_person_name="Ellie Shaw", status="closed")
    db.add(
        Contact(
            case_id=kayla.id,
            kind="visit",
            occurred_on=today() - timedelta(days=1),
            by_user_id=worker.id,
            duration_minutes=60,
            direct_minutes=60,
        )
    )
    db.add(Contact(case_id=kayla.id, kind="visit", occurred_on=today(), attended=False, by_user_id=worker.id))
    login(client, db, worker, settings)
    page = client.get("/").text
    assert "2 active · 1 dormant" in page
    open_part = page[page.index('id="open-h"') : page.index('id="dormant-h"')]
    dormant_part = page[page.index('id="dormant-h"') :]
    assert open_part.index("Amira Hassan") < open_part.index("Kayla Morgan") and "Chloe Walsh" not in open_part
    assert "Chloe Walsh" in dormant_part and "(overdue)" in open_part
    # The missed visit today is not the last contact: yesterday's attended visit is.
    assert (today() - timedelta(days=1)).strftime("%-d %b %Y") in open_part
    assert "Closed cases (1)" in page


def test_search_by_name_or_reference_and_htmx_gets_only_the_list(client, db, settings):
    worker = make_user(db)
    make_case(db, worker=worker, young_person_name="Kayla Morgan", reference="HW-2025-0042")
    make_case(db, worker=worker, young_person_name="Tyler Brooks")
    login(client, db, worker, settings)
    by_name = client.get("/", params={"q": "kay"}).text
    assert "Kayla Morgan" in by_name and "Tyler Brooks" not in by_name
    by_ref = client.get("/", params={"q": "2025-0042"}, headers={"HX-Request": "true"})
    assert "Kayla Morgan" in by_ref.text and "<html" not in by_ref.text and "Tyler Brooks" not in by_ref.text


def test_worker_sees_only_own_and_co_worked_cases(client, db, settings):
    worker, other = make_user(db), make_user(db)
    make_case(db, worker=worker, young_person_name="Kayla Morgan")
    make_case(db, worker=other, co_worker=worker, young_person_name="Reece Patel")
    make_case(db, worker=other, young_person_name="Mia OConnor")
    login(client, db, worker, settings)
    page = client.get("/").text
    assert "Kayla Morgan" in page and "Reece Patel" in page and "Mia OConnor" not in page
