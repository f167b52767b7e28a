"""The letter's PDF prints a family's names and words as they are written, beyond Latin-1."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from app.network.pdf import letter_pdf


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_names_outside_latin1_and_typographic_quotes_survive_in_the_pdf():
    html = (
        "<h1>Our family plan</h1>"
        "<p>Dear Agnieszka Wiśniewska, Nguyễn Thị Lan and Zoë Öztürk,</p>"
        "<ul><li>Łukasz will walk Kayla to school on Mondays.</li>"
        "<li>Ms Şahin will phone on Fridays – “just to check in”.</li></ul>"
    )
    text = _text(letter_pdf(html=html, title="Letter to Wiśniewska family"))
    for words in (
        "Agnieszka Wiśniewska",
        "Nguyễn Thị Lan",
        "Zoë Öztürk",
        "Łukasz will walk Kayla",
        "Ms Şahin will phone on Fridays – “just to check in”",
    ):
        assert words in text


def test_the_pdf_embeds_only_the_glyphs_it_uses_so_a_letter_stays_small():
    pdf = letter_pdf(html="<h1>Our family plan</h1><p>Pat will pick Kayla up on Tuesdays.</p>", title="Letter")
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) < 60_000  # the two fonts are 1.4 MB whole
