"""The scorecard as a PDF (fpdf2, with the DejaVu font vendored for the family letter)."""

from __future__ import annotations

from fpdf import FPDF

from app.network.pdf import FONTS
from app.outcomes import figures, subject_access
from app.outcomes.card import Scorecard

FAMILY = "dejavu"


def scorecard_pdf(*, card: Scorecard, scope: str) -> bytes:
    """An A4 PDF of the scorecard's tables (numbers below five already withheld)."""
    doc = FPDF(format="A4")
    doc.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
    doc.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
    doc.set_title(f"Scorecard: {scope}")
    doc.set_author("Homeward")
    doc.set_margins(18, 18, 18)
    doc.set_auto_page_break(True, margin=18)
    doc.add_page()
    doc.set_font(FAMILY, "B", 18)
    doc.cell(0, 10, f"Scorecard: {scope}", new_x="LMARGIN", new_y="NEXT")
    doc.set_font(FAMILY, "", 10)
    p, b = card.period, card.period.previous
    doc.multi_cell(
        0,
        6,
        f"{p.start:%-d %b %Y} to {p.end:%-d %b %Y}, against {b.start:%-d %b %Y} to {b.end:%-d %b %Y}. "
        "Counts from 1 to 4 are shown as \u201cfewer than 5\u201d; a larger count beside one is sometimes"
        " \u201cwithheld\u201d too, so a smaller one can\u2019t be worked out from a total.",
        new_x="LMARGIN",
        new_y="NEXT",
    )

    def table(title: str, head: tuple[str, str, str], rows: list[tuple[str, str, str]]) -> None:
        doc.ln(3)
        doc.set_font(FAMILY, "B", 12)
        doc.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        doc.set_font(FAMILY, "", 9)
        with doc.table(col_widths=(90, 45, 45), text_align=("LEFT", "RIGHT", "RIGHT")) as t:
            t.row(head)
            for row in rows:
                t.row(row)

    head = ("Figure", "This period", "Previous period")
    table("Headline figures", head, [(x.label, x.now, x.before) for x in figures.headline(card)])
    doc.ln(2)
    doc.multi_cell(
        0,
        6,
        f"Caseload now: {figures.caseload(card)}. Days dormant: {figures.days_dormant(card)}. "
        f"Days in care, where the start is known: {figures.days_in_care(card)}.",
    )
    table("Endings by reason", head, figures.shown_endings(card))
    table(
        f"Young people worked with by {figures.by_words(card.breakdown)}",
        head,
        figures.shown_rows(figures.breakdown_rows(card)),
    )
    table(
        "Feedback from young people and families",
        head,
        [(x.label, x.now, x.before) for x in figures.feedback_rows(card)],
    )

    def matrix(m: figures.Matrix) -> None:
        """A figure by group: the group's column wide, the others shared out."""
        doc.ln(3)
        doc.set_font(FAMILY, "B", 12)
        doc.multi_cell(0, 8, m.caption, new_x="LMARGIN", new_y="NEXT")
        doc.set_font(FAMILY, "", 8)
        rest = (174 - 44) / max(1, len(m.head) - 1)
        widths = (44, *([rest] * (len(m.head) - 1)))
        with doc.table(col_widths=widths, text_align=("LEFT", *(["RIGHT"] * (len(m.head) - 1)))) as t:
            t.row(m.head)
            for row in m.rows:
                t.row(row)

    table(
        "Entered care within 12 months of ending",
        head,
        [(x.label, x.now, x.before) for x in figures.care_within_12(card)],
    )
    matrix(figures.care_within_12_by_group(card))
    matrix(figures.endings_by_group(card))
    table(
        f"Contacts by {figures.by_words(card.breakdown)}",
        head,
        figures.shown_rows(figures.contacts_rows(card)),
    )
    change_head = ("Rater", "Pairs (first and latest)", "Improved, same, worse")
    table(
        "Diamond: first against latest",
        change_head,
        [tuple(vars(figures.change_line(c)).values()) for c in card.diamond],
    )
    table(
        "Safety scale: first against latest",
        change_head,
        [tuple(vars(figures.change_line(c)).values()) for c in card.scales],
    )
    matrix(figures.distance_by_group(card, "diamond"))
    matrix(figures.distance_by_group(card, "scales"))
    return bytes(doc.output())


def subject_access_pdf(*, bundle: subject_access.Bundle) -> bytes:
    """A readable A4 copy of a subject access bundle: one block per entry, who recorded it and when."""
    doc = FPDF(format="A4")
    doc.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
    doc.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
    doc.set_title(f"Information held about {bundle.subject.name}")
    doc.set_author("Homeward")
    doc.set_margins(18, 18, 18)
    doc.set_auto_page_break(True, margin=18)
    doc.add_page()
    doc.set_font(FAMILY, "B", 16)
    doc.multi_cell(0, 9, f"Information held about {bundle.subject.name}", new_x="LMARGIN", new_y="NEXT")
    doc.set_font(FAMILY, "", 10)
    doc.multi_cell(
        0,
        6,
        f"Case {bundle.case.reference}"
        + "".join(f"; also case {a.case_reference} ({a.as_what})" for a in bundle.also_on)
        + f". Made on {bundle.made_at:%-d %B %Y at %H:%M} by {bundle.made_by}. "
        f"{len(bundle.entries)} entries; {len(bundle.to_review)} name another person and were "
        "reviewed before release"
        + (
            f"; {withheld} sentences about someone else are withheld."
            if (withheld := bundle.sentences_withheld)
            else "."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if bundle.withheld:
        doc.multi_cell(
            0, 6, "Security material not included: " + "; ".join(bundle.withheld) + ".", new_x="LMARGIN", new_y="NEXT"
        )
    for title, entries in bundle.sections():
        doc.ln(3)
        doc.set_font(FAMILY, "B", 12)
        doc.multi_cell(0, 8, f"{title} ({len(entries)})", new_x="LMARGIN", new_y="NEXT")
        for entry in entries:
            doc.set_font(FAMILY, "B", 9)
            who = f"Recorded by {entry.recorded_by or 'the system'}" + (
                f" on {entry.recorded_at}" if entry.recorded_at else ""
            )
            doc.multi_cell(0, 5, who, new_x="LMARGIN", new_y="NEXT")
            doc.set_font(FAMILY, "", 8)
            lines = [
                f"{name.replace('_', ' ')}: {value}"
                for name, value in entry.fields.items()
                if value not in ("", None, [], {})
            ]
            doc.multi_cell(0, 4.5, "\n".join(lines)[:20000], new_x="LMARGIN", new_y="NEXT")
            doc.ln(1)
    return bytes(doc.output())
