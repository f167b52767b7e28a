"""The case page: header essentials, actions in the screen words, timeline filter, constant queries."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from app.cases.models import Contact, Person
from app.timeutil import today
from tests.cases.factories import make_screened
from tests.factories import login, make_case, make_user


def test_header_shows_essentials_and_actions_use_the_screen_words(client, db, settings):
    worker = make_user(db, full_name="Sam Okafor")
    case = make_case(
        db,
        worker=worker,
        young_person_name="Kayla Morgan",
        preferred_name="Kay",
        next_review_on=today() + timedelta(days=5),
        referral_date=today() - timedelta(days=30),
    )
    login(client, db, worker, settings)
    page = client.get(f"/cases/{case.id}").text
    assert "<h1>Kay</h1>" in page and "Sam Okafor" in page and "<dt>Days open</dt><dd>30</dd>" in page
    assert ">Record a contact</a>" in page and ">Add a person</a>" in page and ">Record consent</a>" in page


def test_timeline_filter_by_kind_and_htmx_gets_only_the_timeline(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker, status="screening")
    make_screened(db, case, worker)
    db.add(
        Contact(
            case_id=case.id,
            kind="phone",
            occurred_on=today(),
            by_user_id=worker.id,
            duration_minutes=10,
            direct_minutes=10,
        )
    )
    login(client, db, worker, settings)
    contacts_only = client.get(f"/cases/{case.id}", params={"kind": "contact"}, headers={"HX-Request": "true"})
    assert (
        "Phone call" in contacts_only.text
        and "Eligibility decided" not in contacts_only.text
        and "<html" not in contacts_only.text
    )
    everything = client.get(f"/cases/{case.id}").text
    assert "Phone call" in everything and "Eligibility decided" in everything and "Consent recorded" in everything


def _count_queries(engine, fn) -> int:
    count = 0

    def before(*_args, **_kw):
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return count


def test_case_page_queries_do_not_grow_with_people_contacts_and_events(client, db, settings, engine):
    worker = make_user(db)
    case = make_case(db, worker=worker, status="screening")
    make_screened(db, case, worker)
    db.add(Contact(case_id=case.id, kind="phone", occurred_on=today(), by_user_id=worker.id))
    login(client, db, worker, settings)
    small = _count_queries(engine, lambda: client.get(f"/cases/{case.id}"))
    make_screened(db, case, worker)
    for n in range(12):
        db.add(Person(case_id=case.id, name=f"Relative {n}", relationship="Cousin"))
        db.add(
            Contact(
                case_id=case.id,
                kind="visit",
                occurred_on=today() - timedelta(days=n),
                by_user_id=worker.id,
                duration_minutes=60,
                direct_minutes=60,
            )
        )
    db.commit()
    large = _count_queries(engine, lambda: client.get(f"/cases/{case.id}"))
    assert large == small


def test_caseload_queries_do_not_grow_with_cases(client, db, settings, engine):
    worker = make_user(db)
    make_case(db, worker=worker)
    login(client, db, worker, settings)
    small = _count_queries(engine, lambda: client.get("/"))
    for _ in range(10):
        make_case(db, worker=worker)
    db.commit()
    assert _count_queries(engine, lambda: client.get("/")) == small


def test_a_timeline_filter_reads_only_what_the_timeline_needs(client, db, settings, engine):
    worker = make_user(db)
    case = make_case(db, worker=worker, status="screening")
    make_screened(db, case, worker)
    login(client, db, worker, settings)
    whole = _count_queries(engine, lambda: client.get(f"/cases/{case.id}"))
    filtered = _count_queries(
        engine, lambda: client.get(f"/cases/{case.id}", params={"kind": "contact"}, headers={"HX-Request": "true"})
    )
    # The sections, people, consent and header are not built for a filter: about half the statements.
    assert filtered < whole * 0.7, (filtered, whole)
