"""The letter to the family: drafted from the meeting, edited, warned of jargon, printed and as a PDF."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from app.network import rules
from tests.factories import login
from tests.network.factories import make_family_case, meeting_form


def _meeting(client, db, settings):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    response = client.post(f"/cases/{case.id}/network/meetings", data=meeting_form(people))
    return case, response.headers["location"]


def test_letter_draft_lists_who_came_what_was_agreed_tasks_and_next_meeting(client, db, settings):
    _case, url = _meeting(client, db, settings)
    page = client.get(f"{url}/letter").text
    assert "Dear Kay and family," in page
    assert (
        "Pick Kayla up from school on Tuesdays. Who: Pat Morgan. By Wednesday 14 October 2026. Checked by Donna Morgan."
        in page
    )
    assert "Could not come this time: Jordan Morgan, Ms Achebe." in page
    assert "We will meet again on Thursday 12 November 2026." in page


def test_jargon_in_the_edited_letter_is_pointed_out_with_plainer_words(client, db, settings):
    _case, url = _meeting(client, db, settings)
    body = "Dear Kay,\n\nThe MASH said the safeguarding threshold was met.\n"
    assert client.post(f"{url}/letter", data={"body": body, "base_version": "0", "action": "save"}).status_code == 303
    page = client.get(f"{url}/letter").text
    assert "Words the family may not use" in page
    for term in ("MASH", "safeguarding", "threshold"):
        assert f"<strong>{term}</strong>" in page


def test_final_letter_cannot_be_edited_and_stale_saves_conflict(client, db, settings):
    _case, url = _meeting(client, db, settings)
    assert (
        client.post(f"{url}/letter", data={"body": "Dear Kay,", "base_version": "0", "action": "save"}).status_code
        == 303
    )
    assert (
        client.post(f"{url}/letter", data={"body": "Older edit", "base_version": "0", "action": "save"}).status_code
        == 409
    )
    # Not final while the meeting's own record is a draft: said beside the button, the text kept.
    early = client.post(
        f"{url}/letter", data={"body": "Dear Kay and Donna,", "base_version": "1", "action": "finalise"}
    )
    assert early.status_code == 422 and 'id="finalise-error"' in early.text
    assert "Finalise the meeting notes first" in early.text and "Dear Kay and Donna," in early.text
    assert "Draft, saved" in client.get(f"{url}/letter").text
    assert client.post(f"{url}/finalise", data={"base_version": "1"}).status_code == 303
    assert (
        client.post(
            f"{url}/letter", data={"body": "Dear Kay and Donna,", "base_version": "1", "action": "finalise"}
        ).status_code
        == 303
    )
    assert (
        client.post(f"{url}/letter", data={"body": "After final", "base_version": "2", "action": "save"}).status_code
        == 409
    )
    page = client.get(f"{url}/letter").text
    assert "Dear Kay and Donna," in page and "<textarea" not in page


def test_print_view_renders_and_pdf_is_valid_with_the_tasks_text(client, db, settings):
    _case, url = _meeting(client, db, settings)
    printed = client.get(f"{url}/letter/print")
    assert printed.status_code == 200
    assert "Our family plan" in printed.text and "Find a Friday youth club. Who: Sam Okafor." in printed.text
    response = client.get(f"{url}/letter.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    for task in (
        "Pick Kayla up from school on Tuesdays",
        "Text Nan when Kayla is home by 10pm",
        "Share phone location every evening",
        "Find a Friday youth club",
    ):
        assert task in text


def test_jargon_matches_whole_words_only():
    assert rules.jargon_in("We will escalate this") == [("escalate", "take further")]
    assert rules.jargon_in("Cinema on Friday") == []
    assert [t for t, _ in rules.jargon_in("a CP plan under s.47")] == ["CP plan", "s.47"]


def test_letter_blocks_read_headings_lists_and_paragraphs():
    blocks = rules.letter_blocks("Dear Kay,\n\n## Who came\n- Donna\n- Pat\nThanks all.")
    assert [(b.kind, b.lines) for b in blocks] == [
        ("para", ("Dear Kay,",)),
        ("heading", ("Who came",)),
        ("list", ("Donna", "Pat")),
        ("para", ("Thanks all.",)),
    ]


def test_letter_lists_numbers_of_people_who_agreed_to_help(client, db, settings):
    case, url = _meeting(client, db, settings)
    from sqlmodel import select

    from app.cases.models import Person

    pat = db.exec(select(Person).where(Person.case_id == case.id, Person.name == "Pat Morgan")).one()
    client.post(
        f"/cases/{case.id}/network/people/{pat.id}",
        data={"circle": "family", "agreed_to_help": "1", "how_they_help": "School pick-ups", "base_version": "0"},
    )
    page = client.get(f"{url}/letter").text
    assert "- Pat Morgan: 07700 900123" in page
    assert "- Donna Morgan: 07700 900123" not in page
