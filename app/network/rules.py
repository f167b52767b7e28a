"""Pure rules for the network: closeness circles, the map's layout, the letter and its jargon check."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from app.network.models import Circle

FRIEND_WORDS = ("friend", "neighbour", "coach", "mentor", "youth", "church", "mosque", "club", "partner")
PROFESSIONAL_WORDS = (
    "social worker",
    "teacher",
    "school",
    "nurse",
    "gp",
    "police",
    "officer",
    "worker",
    "camhs",
    "advocate",
    "health",
)


def default_circle(*, relationship: str, in_household: bool) -> Circle:
    """Where a person sits before the family says otherwise: household first, then by relationship."""
    if in_household:
        return Circle.household
    words = relationship.lower()
    if any(w in words for w in PROFESSIONAL_WORDS):
        return Circle.professionals
    if any(w in words for w in FRIEND_WORDS):
        return Circle.friends
    return Circle.family


# The map's rings, innermost first: the young person at the centre (PRACTICE.md: families value
# discovering they have a network, so the closest people are drawn closest).
RING_ORDER = [Circle.household, Circle.family, Circle.friends, Circle.professionals]
RING_RADII = {Circle.household: 85, Circle.family: 150, Circle.friends: 215, Circle.professionals: 275}
MAP_SIZE = 790
# A fraction of half a step each ring is turned by; below 1 so the top of each ring stays clear.
RING_TURN = {Circle.household: 0.0, Circle.family: 0.45, Circle.friends: -0.45, Circle.professionals: 0.7}


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str


def layout(counts: dict[str, int]) -> dict[str, list[MapPoint]]:
    """Points for each circle's members, spread evenly round their ring, leaving the top of every
    ring clear for its name, and turning alternate rings so their labels do not line up."""
    centre = MAP_SIZE / 2
    points: dict[str, list[MapPoint]] = {}
    for circle in RING_ORDER:
        n = counts.get(circle, 0)
        radius = RING_RADII[circle]
        offset = -math.pi / 2 + (math.pi / max(n, 1)) * (1 + RING_TURN[circle])
        ring_points = []
        for i in range(n):
            angle = offset + 2 * math.pi * i / max(n, 1)
            x = centre + radius * math.cos(angle)
            y = centre + radius * math.sin(angle)
            anchor = "middle" if abs(math.cos(angle)) < 0.3 else ("start" if math.cos(angle) > 0 else "end")
            dx = 0 if anchor == "middle" else (17 if anchor == "start" else -17)
            dy = 34 if anchor == "middle" and math.sin(angle) > 0 else (-19 if anchor == "middle" else 7)
            ring_points.append(MapPoint(round(x, 1), round(y, 1), round(x + dx, 1), round(y + dy, 1), anchor))
        points[circle] = ring_points
    return points


LABEL_FONT_PX = 21  # .node-label in network.css


def label_margin(labels: list[tuple[MapPoint, str]], *, size: int = MAP_SIZE) -> int:
    """How much room to add round the map so no name runs off its edge (issue 18, defect 10):
    a generous estimate of each label's width (0.62 em a character at the label's font size)."""
    need = 0.0
    for point, text in labels:
        width = 0.62 * LABEL_FONT_PX * len(text)
        left = {"start": point.label_x, "end": point.label_x - width}.get(point.anchor, point.label_x - width / 2)
        need = max(need, -left, left + width - size, LABEL_FONT_PX - point.label_y, point.label_y + 6 - size)
    return math.ceil(need + 8) if need > 0 else 0


# Professional words a family may not use, with plainer ones (PRACTICE.md: the plan is theirs, in
# their words). Matched as whole words, case-insensitively.
JARGON = {
    "safeguarding": "keeping safe",
    "contingency": "what we do if",
    "MASH": "the team that first looked at the worries",
    "CIN": "child in need",
    "CP plan": "child protection plan",
    "section 47": "child protection enquiry",
    "s.47": "child protection enquiry",
    "section 17": "child in need",
    "LAC": "in care",
    "CLA": "in care",
    "core group": "the group who meets about the plan",
    "strategy meeting": "meeting between professionals",
    "threshold": "level of worry",
    "statutory": "required by law",
    "escalate": "take further",
    "multi-agency": "everyone working with you",
    "FGDM": "family meeting",
    "FGC": "family group conference",
    "PLO": "pre-proceedings letter",
    "pre-proceedings": "before going to court",
    "risk assessment": "looking at worries",
    "protective factors": "what keeps you safe",
    "non-compliance": "not doing what was agreed",
    "disengagement": "stopping working with us",
    "presenting": "showing",
    "step-up": "more help from social care",
    "step-down": "less involvement",
}


def jargon_in(text: str) -> list[tuple[str, str]]:
    """The professional terms found in `text`, each with a plainer suggestion, in list order."""
    found = []
    for term, plain in JARGON.items():
        if re.search(rf"(?<![\w.]){re.escape(term)}(?![\w])", text, flags=0 if term.isupper() else re.IGNORECASE):
            found.append((term, plain))
    return found


@dataclass(frozen=True)
class LetterBlock:
    kind: str  # "heading", "para" or "list"
    lines: tuple[str, ...]


def letter_blocks(body: str) -> list[LetterBlock]:
    """The letter's plain text as blocks: "## " lines are headings, "- " lines lists, the rest paragraphs."""
    blocks: list[LetterBlock] = []
    para: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(LetterBlock("para", (" ".join(para),)))
            para.clear()
        if items:
            blocks.append(LetterBlock("list", tuple(items)))
            items.clear()

    for raw in body.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("## "):
            flush()
            blocks.append(LetterBlock("heading", (line[3:].strip(),)))
        elif line.startswith("- "):
            if para:
                flush()
            items.append(line[2:].strip())
        else:
            if items:
                flush()
            para.append(line)
    flush()
    return blocks
