"""Demo maps: Kayla (child in need), Amira (child protection) and Tyler (early help), each with
statement pairs, a safety plan, next steps, three houses, and scales rated by several people over
several reviews, so the chart shows real movement. Each case's map has its own module (kayla,
amira, tyler), built with what maps.py holds; stories.py adds Kayla's drawing and her
words-and-pictures story."""

from __future__ import annotations

from sqlmodel import Session

from app.signs_of_safety.demo.amira import _amira
from app.signs_of_safety.demo.kayla import _kayla
from app.signs_of_safety.demo.stories import _stories
from app.signs_of_safety.demo.tyler import _tyler


def load(*, session: Session, demo) -> None:
    _stories(session, demo)
    _kayla(session, demo)
    _amira(session, demo)
    _tyler(session, demo)
