"""The family letter in the family's language, its PDF shaped for Arabic script, and task sentences
that read correctly whatever the worker typed (issues 22 and 18)."""

from __future__ import annotations

import io
import logging
import re

import pypdfium2
from pypdf import PdfReader
from sqlmodel import select

from app.cases.models import Person
from app.network import letters, pdf
from app.network.models import FamilyLetter
from tests.factories import login
from tests.network.factories import make_family_case, meeting_form


def _meeting(client, db, settings, language: str = "en", **overrides):
    worker, case, people = make_family_case(db)
    young = db.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person)).one()
    young.preferred_language = language
    db.add(young)
    db.commit()
    login(client, db, worker, settings)
    response = client.post(f"/cases/{case.id}/network/meetings", data=meeting_form(people, **overrides))
    return case, response.headers["location"]


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_a_task_reads_correctly_whatever_the_worker_typed():
    """Issue 18, defect 3: "Lan (Nan) will nan keeps her phone on after 9pm"."""
    line = letters.task_line(
        who="Lan (Nan)", what="Nan keeps her phone on after 9pm", due="Friday 4 December 2026", checker=None
    )
    assert line == "Nan keeps her phone on after 9pm. Who: Lan (Nan). By Friday 4 December 2026."
    assert "will nan" not in line.lower()
    typed_as_an_order = letters.task_line(who="Donna", what="ring school on Monday.", due="Monday", checker="Pat")
    assert typed_as_an_order == "Ring school on Monday. Who: Donna. By Monday. Checked by Pat."


def test_the_draft_of_a_meeting_task_keeps_the_workers_words(client, db, settings):
    _case, url = _meeting(
        client, db, settings, **{"task-0-what": "Nan keeps her phone on after 9pm", "task-0-who": "Lan (Nan)"}
    )
    page = client.get(f"{url}/letter").text
    assert "Nan keeps her phone on after 9pm. Who: Lan (Nan). By Wednesday 14 October 2026." in page
    assert "will nan" not in page


def test_the_letter_is_drafted_in_the_young_persons_language(client, db, settings):
    _case, url = _meeting(client, db, settings, language="pl")
    page = client.get(f"{url}/letter").text
    assert "Drogi/Droga Kay i rodzino," in page and "## Kto przyszedł" in page
    assert "Pick Kayla up from school on Tuesdays. Kto: Pat Morgan. Do kiedy: środa 14 października 2026." in page
    assert '<option value="pl" selected>Polish</option>' in page
    # The worker may draft it in another language instead, before the first save.
    assert "Dear Kay and family," in client.get(f"{url}/letter?lang=en").text


def test_the_saved_letter_keeps_its_language_for_print(client, db, settings):
    _case, url = _meeting(client, db, settings)
    body = client.get(f"{url}/letter?lang=ro").text
    assert "Dragă Kay și familie," in body
    saved = client.post(
        f"{url}/letter", data={"body": "Dragă Kay și familie,\n\nMulțumim.", "base_version": "0", "language": "ro"}
    )
    assert saved.status_code == 303
    assert db.exec(select(FamilyLetter)).one().language == "ro"
    printed = client.get(f"{url}/letter/print").text
    assert '<html lang="ro" dir="ltr">' in printed and "Planul familiei noastre" in printed
    assert "De la întâlnirea din 1 octombrie 2026" in printed


def test_the_urdu_letter_pdf_holds_the_shaped_text_and_prints_it(client, db, settings, caplog):
    _case, url = _meeting(client, db, settings, language="ur")
    draft = client.get(f"{url}/letter").text
    assert "پیارے Kay اور خاندان،" in draft
    body = "پیارے Kay اور خاندان،\n\n## کون آیا\n- Pat Morgan\n\nاگر یہاں کچھ صحیح نہیں ہے، تو براہ کرم اپنے ورکر کو بتائیں۔"
    client.post(f"{url}/letter", data={"body": body, "base_version": "0", "language": "ur", "action": "save"})
    printed = client.get(f"{url}/letter/print").text
    assert '<html lang="ur" dir="rtl">' in printed and "ہمارا خاندانی منصوبہ" in printed
    pdf.letter_pdf.cache_clear()
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        response = client.get(f"{url}/letter.pdf")
    assert response.status_code == 200
    assert not [r for r in caplog.records if "missing the following glyphs" in r.getMessage()]
    text = _text(response.content)
    # HarfBuzz shaped the words into joined glyphs; the PDF still holds them as Urdu text.
    for words in ("ہمارا خاندانی منصوبہ", "پیارے", "Kay", "کون آیا", "Pat Morgan", "اپنے ورکر کو بتائیں"):
        assert words in text
    # Drawn: the first lines are ink on the right of the page (right to left), and the left is blank.
    page = pypdfium2.PdfDocument(response.content)[0]
    image = page.render(scale=1).to_pil().convert("L")
    width = image.width
    heading = image.crop((0, 40, width, 110))  # the heading and the meeting's date
    dark = lambda region: sum(region.histogram()[:128])  # noqa: E731 (pixels darker than mid-grey)
    right, left = heading.crop((width // 2, 0, width, 70)), heading.crop((0, 0, width // 4, 70))
    assert dark(right) > 300 and dark(left) == 0


def test_an_arabic_pdf_uses_the_arabic_font_and_a_polish_one_does_not():
    html = "<h1>خطة عائلتنا</h1><p>عزيزي Kay والعائلة،</p><ul><li>شكرًا لحضوركم.</li></ul>"
    arabic = pdf.letter_pdf(html=html, title="خطة عائلتنا", language="ar")
    assert b"NotoNaskhArabic" in arabic and "خطة عائلتنا" in _text(arabic)
    assert "• شكرًا لحضوركم." in _text(arabic) or "شكرًا لحضوركم." in _text(arabic)
    polish = pdf.letter_pdf(html="<h1>Plan naszej rodziny</h1>", title="Plan", language="pl")
    assert b"NotoNaskhArabic" not in polish and "Plan naszej rodziny" in _text(polish)


def test_a_letter_in_a_language_homeward_does_not_know_is_refused_and_the_text_kept(client, db, settings):
    _case, url = _meeting(client, db, settings)
    saved = client.post(f"{url}/letter", data={"body": "Dear Kay,", "base_version": "0", "language": "xx"})
    assert saved.status_code == 422
    assert db.exec(select(FamilyLetter)).first() is None
    assert "Dear Kay," in saved.text and "Please choose one of the options shown." in saved.text


def test_a_letter_with_characters_the_pdf_fonts_lack_says_so_and_offers_the_print_view(client, db, settings):
    """fpdf2 leaves a gap where a font has no glyph: Nan's name in Chinese and a thumbs-up would
    vanish from the family's copy without a word. No such PDF is made; the print view draws them."""
    _case, url = _meeting(client, db, settings)
    body = "Dear Kay and family,\n\nNan (王芳) will ring on Sundays 👍. Zoë will walk Kayla to school."
    client.post(f"{url}/letter", data={"body": body, "base_version": "0", "language": "en", "action": "save"})
    response = client.get(f"{url}/letter.pdf")
    assert response.status_code == 422 and response.headers["content-type"].startswith("text/html")
    assert "This letter cannot be made into a PDF" in response.text
    assert "王 芳 👍" in response.text and "Print view" in response.text
    page = client.get(f"{url}/letter").text  # said before the worker asks for the PDF, too
    assert "This letter cannot be made into a PDF" in page and "Download PDF" not in page
    printed = client.get(f"{url}/letter/print").text
    assert "王芳" in printed and "Download PDF" not in printed  # printed by the browser instead
    assert pdf.missing_characters(html="<p>Zoë Öztürk, Wiśniewska – “hello” 😀</p>") == []
    assert pdf.missing_characters(html="<p>پیارے Kay</p>", language="ur") == []


def test_a_draft_in_a_language_the_worker_picked_prints_and_downloads_in_that_language(client, db, settings):
    """Before the first save, the letter page in Polish (?lang=pl) leads to a Polish print view and PDF."""
    _case, url = _meeting(client, db, settings)
    page = client.get(f"{url}/letter?lang=pl").text
    assert f'href="{url}/letter/print?lang=pl"' in page and f'href="{url}/letter.pdf?lang=pl"' in page
    printed = client.get(f"{url}/letter/print?lang=pl").text
    assert '<html lang="pl" dir="ltr">' in printed and "Drogi/Droga Kay i rodzino," in printed
    assert f'href="{url}/letter.pdf?lang=pl"' in printed
    assert "Drogi/Droga Kay i rodzino," in _text(client.get(f"{url}/letter.pdf?lang=pl").content)
