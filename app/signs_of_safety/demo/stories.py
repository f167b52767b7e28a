"""Kayla's drawing of a house of her own (in her house of dreams) and her words-and-pictures story,
shared with her and her mum; the drawing is a small PNG made in code."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta

from app.cases.models import new_id
from app.signs_of_safety import service
from app.signs_of_safety import words_and_pictures as story
from app.signs_of_safety.models import House


def _sketch_png(width: int = 160, height: int = 110) -> bytes:
    """A small line drawing of a house, made here so the demo carries no image files."""
    rows = [[255] * width for _ in range(height)]

    def dot(x: int, y: int) -> None:
        for dx in (0, 1):
            for dy in (0, 1):
                if 0 <= x + dx < width and 0 <= y + dy < height:
                    rows[y + dy][x + dx] = 30

    def line(x0: int, y0: int, x1: int, y1: int) -> None:
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for i in range(steps + 1):
            dot(x0 + (x1 - x0) * i // steps, y0 + (y1 - y0) * i // steps)

    for a, b, c, d in [
        (40, 50, 120, 50),
        (40, 50, 40, 100),
        (120, 50, 120, 100),
        (40, 100, 120, 100),
        (30, 55, 80, 15),
        (80, 15, 130, 55),
        (70, 100, 70, 75),
        (70, 75, 90, 75),
        (90, 75, 90, 100),
    ]:
        line(a, b, c, d)
    raw = b"".join(b"\x00" + bytes(row) for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _stories(session, demo) -> None:
    case, worker = demo.cases["Kayla"], demo.users["worker"]
    kayla_people = demo.people["Kayla"]
    service.add_house_entry(
        session=session,
        case=case,
        entry_id=new_id(),
        house=House.dreams,
        text="",
        own_words=True,
        drawing_png=_sketch_png(),
        drawing_description="Kayla's drawing of a little house of her own",
        consent_to_share=True,
        person_id=kayla_people[0].id,
        by=worker,
    )
    for n, text in enumerate(
        [
            "Kayla lives with her mum Donna and her brother Jordan. Gran lives close by.",
            "This year Kayla and her mum argued a lot, and some nights Kayla went out and did not come home.",
            "People at school and Sam from Homeward were worried, because some of the places she went were not safe.",
            "Now, when things get loud at home, Kayla goes to Gran's, and everyone knows where she is.",
        ]
    ):
        story.add_panel(
            session=session,
            case=case,
            panel_id=new_id(),
            base_version=0 if n == 0 else 1,
            text=text,
            image=_sketch_png() if n == 3 else None,
            image_description="Gran's house" if n == 3 else "",
            by=worker,
        )
    story.share(
        session=session,
        case=case,
        share_id=new_id(),
        version_number=1,
        person=next(p for p in kayla_people if p.name.startswith("Donna")),
        shared_with="",
        shared_on=demo.today - timedelta(days=12),
        by=worker,
    )
    story.share(
        session=session,
        case=case,
        share_id=new_id(),
        version_number=1,
        person=kayla_people[0],
        shared_with="",
        shared_on=demo.today - timedelta(days=12),
        by=worker,
    )
