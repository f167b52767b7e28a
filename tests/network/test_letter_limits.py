"""A letter holds what a family letter needs, so its PDF is built in bounded time (issue 20)."""

from __future__ import annotations

from app.network import letters, pdf
from tests.network.test_letter import _meeting


def test_a_letter_of_4900_one_word_lines_is_refused_and_the_text_kept(client, db, settings):
    _case, url = _meeting(client, db, settings)
    body = "\n".join(["hey"] * 4900)  # 19,599 characters: within the length allowed
    response = client.post(f"{url}/letter", data={"body": body, "base_version": "0", "action": "save"})
    assert response.status_code == 422
    assert f"Keep the letter to {letters.MAX_LETTER_LINES} lines or fewer (it has 4900)" in response.text
    assert response.text.count("hey") >= 4900


def test_the_pdf_of_the_longest_letter_is_drawn_once_per_version(client, db, settings):
    _case, url = _meeting(client, db, settings)
    body = "\n".join(["A line the family will read."] * letters.MAX_LETTER_LINES)
    saved = client.post(f"{url}/letter", data={"body": body, "base_version": "0", "action": "save"})
    assert saved.status_code == 303
    pdf.letter_pdf.cache_clear()
    first = client.get(f"{url}/letter.pdf")
    again = client.get(f"{url}/letter.pdf")
    assert first.status_code == again.status_code == 200 and first.content == again.content
    assert pdf.letter_pdf.cache_info().misses == 1 and pdf.letter_pdf.cache_info().hits == 1
    client.post(f"{url}/letter", data={"body": "Dear Kay,", "base_version": "1", "action": "save"})
    assert client.get(f"{url}/letter.pdf").content != first.content
    assert pdf.letter_pdf.cache_info().misses == 2


def test_each_pdf_of_the_letter_is_audited_with_the_text_it_printed(client, db, settings):
    """An auditor can tell which text went out: the draft made from the meeting, or which saved
    version of the letter."""
    from sqlmodel import select

    from app.audit.models import AuditEntry
    from app.network.models import FamilyLetter

    _case, url = _meeting(client, db, settings)
    assert client.get(f"{url}/letter.pdf").status_code == 200
    assert (
        client.post(f"{url}/letter", data={"body": "Dear Kay,", "base_version": "0", "action": "save"}).status_code
        == 303
    )
    assert client.get(f"{url}/letter.pdf").status_code == 200
    letter = db.exec(select(FamilyLetter)).one()
    details = db.exec(
        select(AuditEntry.detail)
        .where(AuditEntry.object_type == "family_letter", AuditEntry.action == "export")
        .order_by(AuditEntry.id)
    ).all()
    assert details == ["pdf unsaved draft", f"pdf letter={letter.id} version=1"]
