"""The family letter as a PDF, drawn by fpdf2 (pure Python, maintained) from the print page's HTML.

The letter uses DejaVu Sans, vendored in app/network/fonts (see VENDORED.md): fpdf2's built-in
fonts cover Latin-1 only, and a family's names and words must print as they are written
(Wiśniewska, Nguyễn, Öztürk). fpdf2 embeds only the glyphs the letter uses.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import TextStyle

FONTS = Path(__file__).parent / "fonts"
FAMILY = "dejavu"

# Headings in the app's own blue rather than fpdf2's default dark red.
TAG_STYLES = {
    "h1": TextStyle(font_family=FAMILY, font_style="B", font_size_pt=22, color="#1d4f63", t_margin=0, b_margin=1),
    "h2": TextStyle(font_family=FAMILY, font_style="B", font_size_pt=15, color="#1d4f63", t_margin=3, b_margin=1),
}


def _add_fonts(doc: FPDF) -> None:
    doc.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
    doc.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
    # The letter has no italics of its own; <em> from a worker's text falls back to the upright face.
    doc.add_font(FAMILY, "I", FONTS / "DejaVuSans.ttf")
    doc.add_font(FAMILY, "BI", FONTS / "DejaVuSans-Bold.ttf")


# fpdf2 lays out text slowly (about a second per thousand words here), so the same letter is drawn
# once: the HTML holds the letter's text and state, so one entry is one version of one letter.
@lru_cache(maxsize=32)
def letter_pdf(*, html: str, title: str) -> bytes:
    """An A4 PDF of the letter's HTML (headings, paragraphs and lists)."""
    doc = FPDF(format="A4")
    _add_fonts(doc)
    doc.set_title(title)
    doc.set_author("Homeward")
    doc.set_margins(20, 20, 20)
    doc.set_auto_page_break(True, margin=20)
    doc.add_page()
    doc.set_font(FAMILY, size=12)
    doc.write_html(html, tag_styles=TAG_STYLES, li_prefix_color="#1d4f63", font_family=FAMILY)
    return bytes(doc.output())
