"""The family letter as a PDF, drawn by fpdf2 (pure Python, maintained) from the print page's HTML.

fpdf2's built-in fonts cover Latin-1 only, so typographic characters outside it are replaced with
plain equivalents rather than shipping a font file (the letter is plain English by design).
"""
from __future__ import annotations

from fpdf import FPDF
from fpdf.fonts import TextStyle

REPLACEMENTS = {
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
    "\u2026": "...", "\u2022": "-", "\u00a0": " ", "\u2192": "->",
}


def latin1(text: str) -> str:
    for bad, good in REPLACEMENTS.items():
        text = text.replace(bad, good)
    return text.encode("latin-1", "replace").decode("latin-1")


# Headings in the app's own blue rather than fpdf2's default dark red.
TAG_STYLES = {
    "h1": TextStyle(font_family="Helvetica", font_style="B", font_size_pt=22, color="#1d4f63", t_margin=0, b_margin=1),
    "h2": TextStyle(font_family="Helvetica", font_style="B", font_size_pt=15, color="#1d4f63", t_margin=3, b_margin=1),
}


def letter_pdf(*, html: str, title: str) -> bytes:
    """An A4 PDF of the letter's HTML (headings, paragraphs and lists)."""
    doc = FPDF(format="A4")
    doc.set_title(latin1(title))
    doc.set_author("Homeward")
    doc.set_margins(20, 20, 20)
    doc.set_auto_page_break(True, margin=20)
    doc.add_page()
    doc.set_font("Helvetica", size=12)
    doc.write_html(latin1(html), tag_styles=TAG_STYLES, li_prefix_color="#1d4f63", font_family="helvetica")
    return bytes(doc.output())
