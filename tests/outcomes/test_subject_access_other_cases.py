"""Subject access: what the copy says about other families' cases the person may appear on."""

from __future__ import annotations

import json

from sqlmodel import select

from app.cases.models import Contact
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
