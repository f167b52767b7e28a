"""The family letter as a PDF, drawn by fpdf2 (pure Python, maintained) from the print page's HTML.

The letter uses DejaVu Sans, vendored in app/network/fonts (see VENDORED.md): fpdf2's built-in
fonts cover Latin-1 only, and a family's names and words must print as they are written
(Wiśniewska, Nguyễn, Öztürk). A letter in Arabic or Urdu uses Noto Naskh Arabic, shaped by
HarfBuzz (fpdf2's text shaping, through uharfbuzz) so the letters join and run right to left,
with DejaVu Sans as the fallback for names in Latin script. fpdf2 embeds only the glyphs used.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import TextStyle

FONTS = Path(__file__).parent / "fonts"
FAMILY = "dejavu"
ARABIC = "naskh"
# HarfBuzz's script and OpenType language tags for the letters that need shaping.
SHAPING = {"ar": ("arab", "ara"), "ur": ("arab", "urd")}


def _styles(family: str) -> dict[str, TextStyle]:
    # Headings in the app's own blue rather than fpdf2's default dark red.
    return {
        "h1": TextStyle(font_family=family, font_style="B", font_size_pt=22, color="#1d4f63", t_margin=0, b_margin=1),
        "h2": TextStyle(font_family=family, font_style="B", font_size_pt=15, color="#1d4f63", t_margin=3, b_margin=1),
    }


def _add_fonts(doc: FPDF, *, arabic: bool) -> None:
    doc.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
    doc.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
    # The letter has no italics of its own; <em> from a worker's text falls back to the upright face.
    doc.add_font(FAMILY, "I", FONTS / "DejaVuSans.ttf")
    doc.add_font(FAMILY, "BI", FONTS / "DejaVuSans-Bold.ttf")
    if arabic:
        doc.add_font(ARABIC, "", FONTS / "NotoNaskhArabic-Regular.ttf")
        doc.add_font(ARABIC, "B", FONTS / "NotoNaskhArabic-Bold.ttf")
        doc.add_font(ARABIC, "I", FONTS / "NotoNaskhArabic-Regular.ttf")
        doc.add_font(ARABIC, "BI", FONTS / "NotoNaskhArabic-Bold.ttf")


@lru_cache(maxsize=4)
def _drawable(font: str) -> frozenset[int]:
    """The characters a vendored font has glyphs for: its character map, read by fontTools as fpdf2 reads it."""
    return frozenset(TTFont(FONTS / font, lazy=True).getBestCmap())


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _draws_nothing(char: str) -> bool:
    # Spaces, controls, joiners and variation selectors print no glyph of their own.
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf") or 0xFE00 <= ord(char) <= 0xFE0F


def missing_characters(*, html: str, language: str = "en") -> list[str]:
    """The letter's characters its PDF's fonts cannot draw, each once, in the order they come.

    fpdf2 only logs a glyph a font lacks and leaves a gap, so a family's words in Chinese, or an
    emoji, would silently vanish from their copy; the browser's print view draws them."""
    fonts = ["DejaVuSans.ttf", *(["NotoNaskhArabic-Regular.ttf"] if language in SHAPING else [])]
    drawable = frozenset().union(*(_drawable(font) for font in fonts))
    text = _Text()
    text.feed(html)
    text.close()
    missing = dict.fromkeys(
        char for char in "".join(text.parts) if ord(char) not in drawable and not _draws_nothing(char)
    )
    return list(missing)


def right_to_left(html: str) -> str:
    """fpdf2's HTML has no `dir`: a right-to-left letter's blocks are aligned right, and a list's
    items become paragraphs that start (on the right) with the bullet."""
    html = re.sub(r"<(h1|h2|p)>", r'<\1 align="right">', html)
    html = re.sub(r"<li>(.*?)</li>", r'<p align="right">• \1</p>', html, flags=re.S)
    return re.sub(r"</?ul>", "", html)


# fpdf2 lays out text slowly (about a second per thousand words here), so the same letter is drawn
# once: the HTML holds the letter's text and state, so one entry is one version of one letter.
@lru_cache(maxsize=32)
def letter_pdf(*, html: str, title: str, language: str = "en") -> bytes:
    """An A4 PDF of the letter's HTML (headings, paragraphs and lists), in the letter's language."""
    shaping = SHAPING.get(language)
    family = ARABIC if shaping else FAMILY
    doc = FPDF(format="A4")
    _add_fonts(doc, arabic=bool(shaping))
    doc.set_title(title)
    doc.set_author("Homeward")
    doc.set_lang(language)
    doc.set_margins(20, 20, 20)
    doc.set_auto_page_break(True, margin=20)
    doc.add_page()
    doc.set_font(family, size=12)
    if shaping:
        script, lang = shaping
        doc.set_fallback_fonts([FAMILY])
        doc.set_text_shaping(use_shaping_engine=True, direction="rtl", script=script, language=lang)
        html = right_to_left(html)
    doc.write_html(html, tag_styles=_styles(family), li_prefix_color="#1d4f63", font_family=family)
    return bytes(doc.output())
