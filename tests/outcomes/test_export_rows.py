"""The evaluator export's rows say what was recorded: who rated (young person, parent, worker),
which aim, the score and the month, and contacts summed by month; the same on SQLite and
PostgreSQL (where the rows come through psycopg's own cursor and the months from the database)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

from sqlmodel import select

from app.cases.models import Contact, Person
from app.diamond.models import DiamondRating
from app.outcomes.export import stream_zip
from app.outcomes.export_rows import id_key, pseudonym
from tests.factories import make_case, make_user

SECRET = "a-test-secret-key-that-is-long-enough-0123456789"


def _export(engine) -> dict[str, list[dict]]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(stream_zip(engine=engine, secret_key=SECRET))))
    return {
        name.removesuffix(".csv"): list(csv.DictReader(io.StringIO(archive.read(name).decode())))
        for name in archive.namelist()
        if name.endswith(".csv")
    }


def test_ratings_and_contacts_are_written_with_rater_month_and_sums(db, engine):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    young = db.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person)).one()
    mum = Person(case_id=case.id, name="A Parent", relationship="Mother")
    db.add(mum)
    db.flush()
    common = {"case_id": case.id, "recorded_by_user_id": worker.id}
    db.add_all([
        DiamondRating(**common, person_id=young.id, aim="wellbeing", score=3, rated_on=date(2026, 1, 31)),
        DiamondRating(**common, person_id=mum.id, aim="wellbeing", score=5, rated_on=date(2026, 2, 1)),
        DiamondRating(**common, user_id=worker.id, aim="learning", score=7, rated_on=date(2026, 12, 31)),
    ])  # fmt: skip
    for day, minutes, seen in ((3, 30, True), (20, 45, False)):
        db.add(Contact(case_id=case.id, kind="visit", occurred_on=date(2026, 3, day), direct_minutes=minutes,
                       young_person_seen=seen, by_user_id=worker.id))  # fmt: skip
    db.commit()

    tables = _export(engine)
    key = id_key(SECRET)
    case_id = pseudonym(key, "case", case.id)
    ratings = [
        (r["rater"], r["item"], r["score"], r["rated_month"]) for r in tables["ratings"] if r["case_id"] == case_id
    ]
    wellbeing, learning = pseudonym(key, "item", "wellbeing"), pseudonym(key, "item", "learning")
    assert ratings == [
        ("young_person", wellbeing, "3", "2026-01"),
        ("parent", wellbeing, "5", "2026-02"),
        ("worker", learning, "7", "2026-12"),
    ]
    (march,) = [r for r in tables["contacts_summary"] if r["case_id"] == case_id]
    assert (march["month"], march["kind"], march["contacts"]) == ("2026-03", "visit", "2")
    assert (march["young_person_seen"], march["direct_minutes"]) == ("1", "75")
    assert [r["case_id"] for r in tables["cases"]] == [case_id]


def test_an_outcome_record_put_right_by_a_later_one_is_not_current(db, engine):
    """Records are never edited: the export says which one the scorecard counts, so an evaluator
    can tell a correction from the record it corrects (a reopened case's second spell is its own)."""
    from datetime import UTC, datetime

    from app.cases.models import CaseEvent
    from app.outcomes.models import OutcomeRecord

    worker = make_user(db)
    case = make_case(db, worker=worker)

    def record(point, on, living, at):
        db.add(OutcomeRecord(case_id=case.id, point=point, taken_on=on, living=living, by_user_id=worker.id,
                             recorded_at=datetime.combine(at, datetime.min.time(), UTC)))  # fmt: skip

    record("baseline", date(2025, 9, 1), "with_parents", date(2025, 9, 1))
    record("ending", date(2026, 1, 10), "in_care", date(2026, 1, 10))
    record("ending", date(2026, 1, 10), "with_parents", date(2026, 1, 12))  # puts the first right
    for at, was, to in ((date(2026, 1, 10), "active", "dormant"), (date(2026, 3, 1), "dormant", "active")):
        db.add(CaseEvent(case_id=case.id, kind=to, from_status=was, to_status=to, by_user_id=worker.id,
                         occurred_at=datetime.combine(at, datetime.min.time(), UTC)))  # fmt: skip
    record("ending", date(2026, 5, 1), "relatives_friends", date(2026, 5, 1))  # the second spell's own
    db.commit()
    rows = _export(engine)["outcome_records"]
    assert [(r["point"], r["living"], r["current"]) for r in rows] == [
        ("baseline", "with_parents", "yes"),
        ("ending", "in_care", "no"),
        ("ending", "with_parents", "yes"),
        ("ending", "relatives_friends", "yes"),
    ]
