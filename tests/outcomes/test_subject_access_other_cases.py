"""Subject access: what the copy says about other families' cases the person may appear on."""

from __future__ import annotations

import json

from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import Contact, Person
from tests.factories import login, make_user
from tests.outcomes.test_subject_access_redaction import _dawn_elsewhere, _family, _pdf_text


def test_the_copy_names_only_the_other_cases_something_was_released_from(client, db, settings):
    """A match on another family's case may be a namesake, and its entries start left out: a copy
    naming that case (its reference, her role there) would tell her of it all the same."""
    worker, case, _, dawn, _ = _family(db)
    sibling, other, namesake, _ = _dawn_elsewhere(db, worker)
    login(client, db, make_user(db, role="manager"), settings)
    url = f"/cases/{case.id}/subject-access/{dawn.id}"

    nothing = client.post(url, data={"format": "json"})
    assert json.loads(nothing.content)["about"]["also_on_cases"] == []
    for ref in (sibling.reference, other.reference, namesake.reference):
        assert ref not in nothing.text
    assert "also case" not in _pdf_text(client.post(url, data={"format": "pdf"}).content)
    # The manager's review page still lists every match, to read and release from.
    page = client.get(url).text
    assert f"Case {sibling.reference}: person (Mother)" in page
    assert f"Case {other.reference}: network member (Youth club volunteer)" in page

    argued = db.exec(select(Contact).where(Contact.case_id == sibling.id)).one()
    released = {"release": f"contact:{argued.id}"}
    body = json.loads(client.post(url, data={**released, "format": "json"}).content)
    assert body["about"]["also_on_cases"] == [{"case_reference": sibling.reference, "as": "person", "role": "Mother"}]
    text = _pdf_text(client.post(url, data={**released, "format": "pdf"}).content)
    assert f"also case {sibling.reference} (person)" in text and f"also case {other.reference}" not in text


def test_a_later_copy_does_not_name_the_cases_an_earlier_copy_searched(client, db, settings):
    """Making Dawn's copy is audited on her case and on each other case it searched, with which
    ones; those entries are part of a later copy for anyone on either case, so what they say of
    someone else's request is kept in the audit log and left out of the copy."""
    worker, case, kayla, dawn, _ = _family(db)
    sibling, other, namesake, _ = _dawn_elsewhere(db, worker)
    login(client, db, make_user(db, role="manager"), settings)
    assert client.post(f"/cases/{case.id}/subject-access/{dawn.id}", data={"format": "json"}).status_code == 200
    assert db.exec(select(AuditEntry).where(AuditEntry.detail.contains(sibling.reference))).first() is not None

    kaylas = client.post(f"/cases/{case.id}/subject-access/{kayla.id}", data={"format": "json"})
    for ref in (sibling.reference, other.reference, namesake.reference):
        assert ref not in kaylas.text
    assert "whose copy was made, and from which cases" in kaylas.text  # said to be withheld, not hidden
    young = db.exec(select(Person).where(Person.case_id == sibling.id, Person.is_young_person)).one()
    theirs = client.post(f"/cases/{sibling.id}/subject-access/{young.id}", data={"format": "json"})
    assert theirs.status_code == 200
    assert case.reference not in theirs.text
