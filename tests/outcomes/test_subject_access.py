"""Subject access: everything held on the family's case, who recorded it and when, others flagged, managers only."""

from __future__ import annotations

import io
import json
from datetime import date

from pypdf import PdfReader
from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import Contact, Person
from app.diamond.models import DiamondRating
from app.outcomes.models import OutcomeRecord
from tests.factories import login, make_case, make_user


def _family(db):
    worker = make_user(db, full_name="Priya Worker")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    kayla = db.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person)).one()
    mum = Person(case_id=case.id, name="Dawn Morgan", given_name="Dawn", relationship="Mother", phone="07700 900123")
    db.add(mum)
    db.flush()
    notes = ["Kayla talked about school and football.", "Dawn said money is tight this month.", "Walked to the park."]
    for i, note in enumerate(notes):
        db.add(
            Contact(case_id=case.id, kind="visit", occurred_on=date(2026, 2, 1 + i), note=note, by_user_id=worker.id)
        )
    db.add(Contact(case_id=case.id, kind="visit", occurred_on=date(2026, 2, 9), present=[mum.id], by_user_id=worker.id))
    db.add(DiamondRating(case_id=case.id, person_id=kayla.id, aim="wellbeing", score=6, rated_on=date(2026, 2, 1),
                         recorded_by_user_id=worker.id))  # fmt: skip
    db.add(OutcomeRecord(case_id=case.id, point="baseline", taken_on=date(2026, 1, 5), by_user_id=worker.id))
    other = make_case(db, worker=worker, young_person_name="Someone Else")
    db.add(
        Contact(case_id=other.id, kind="visit", occurred_on=date(2026, 2, 1), note="Other family", by_user_id=worker.id)
    )
    db.commit()
    return worker, case, kayla, mum


def test_the_copy_holds_every_record_of_the_case_with_who_and_when_and_nothing_else(client, db, settings):
    worker, case, kayla, _ = _family(db)
    login(client, db, make_user(db, role="manager"), settings)
    page = client.get(f"/cases/{case.id}/subject-access/{kayla.id}")
    assert page.status_code == 200 and "What Homeward holds about Kayla Morgan" in page.text
    response = client.post(f"/cases/{case.id}/subject-access/{kayla.id}", data={"format": "json"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = json.loads(response.content)
    by_record = {}
    for entry in body["entries"]:
        by_record.setdefault(entry["record"], []).append(entry)
    assert len(by_record["contact"]) == 4 and len(by_record["person"]) == 2
    assert {"diamond_rating", "outcome_record", "case", "audit_entry"} <= set(by_record)
    notes = {e["fields"]["note"] for e in by_record["contact"]}
    assert "Kayla talked about school and football." in notes and "Other family" not in notes
    assert all(e["recorded_by"] == "Priya Worker" and e["recorded_at"] for e in by_record["contact"])
    # The audit chain's hashes protect the record; they are not the person's data.
    assert all("entry_hash" not in e["fields"] for e in by_record["audit_entry"])
    assert all("address" not in e["fields"] for e in by_record["audit_entry"])  # staff's device, not hers
    assert any("entry hash" in w for w in body["withheld"])


def test_entries_naming_someone_else_are_flagged_and_the_manager_can_leave_them_out(client, db, settings):
    _, case, kayla, mum = _family(db)
    login(client, db, make_user(db, role="manager"), settings)
    page = client.get(f"/cases/{case.id}/subject-access/{kayla.id}")
    assert "Review before release (3)" in page.text  # Dawn's person entry, her words, her presence
    assert "Dawn Morgan" in page.text
    flagged = {
        c.id: c for c in db.exec(select(Contact).where(Contact.case_id == case.id)).all() if c.note.startswith("Dawn")
    }
    (dawn_note,) = flagged
    response = client.post(
        f"/cases/{case.id}/subject-access/{kayla.id}",
        data={"format": "json", "leave_out": [f"contact:{dawn_note}", f"contact:{999999}"]},
    )
    notes = [e["fields"].get("note") for e in json.loads(response.content)["entries"] if e["record"] == "contact"]
    assert "Dawn said money is tight this month." not in notes and len(notes) == 3
    entry = db.exec(select(AuditEntry).where(AuditEntry.object_type == "subject_access")).one()
    assert entry.object_id == kayla.id and entry.case_id == case.id
    assert "left_out=1" in entry.detail and "format=json" in entry.detail
    left = db.exec(select(AuditEntry).where(AuditEntry.action == "leave_out")).one()
    assert (left.object_id, left.case_id) == (f"contact:{dawn_note}", case.id)
    # Asked about Dawn instead, Kayla's own words are the ones flagged.
    page = client.get(f"/cases/{case.id}/subject-access/{mum.id}")
    assert "What Homeward holds about Dawn Morgan" in page.text and "Kayla Morgan" in page.text


def test_the_pdf_reads_as_a_document_with_who_recorded_each_entry(client, db, settings):
    _, case, kayla, _ = _family(db)
    login(client, db, make_user(db, role="manager"), settings)
    response = client.post(f"/cases/{case.id}/subject-access/{kayla.id}", data={"format": "pdf"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Information held about Kayla Morgan" in text
    assert "Recorded by Priya Worker" in text and "Kayla talked about school and football." in text


def test_only_managers_may_make_a_copy(client, db, settings):
    worker, case, kayla, _ = _family(db)
    login(client, db, worker, settings)
    assert client.get(f"/cases/{case.id}/subject-access").status_code == 403
    assert client.post(f"/cases/{case.id}/subject-access/{kayla.id}", data={"format": "json"}).status_code == 403
    login(client, db, make_user(db, role="manager"), settings)
    assert client.get(f"/cases/{case.id}/subject-access/not-a-person").status_code == 404
    assert "Kayla Morgan" in client.get(f"/cases/{case.id}/subject-access").text


def test_statements_do_not_grow_with_what_the_case_holds(db, engine):
    from app.outcomes import subject_access
    from tests.querycount import count_queries

    worker, case, kayla, _ = _family(db)

    def statements() -> int:
        with count_queries(engine) as seen:
            bundle = subject_access.gather(session=db, case=case, subject=kayla, made_by="Manager")
        return len(seen), len(bundle.entries)

    few, entries = statements()
    for day in range(1, 28):
        db.add(Contact(case_id=case.id, kind="call", occurred_on=date(2026, 3, day), note="Call", by_user_id=worker.id))
    db.commit()
    many, more = statements()
    assert many == few and more == entries + 27
