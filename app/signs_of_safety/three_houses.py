"""The three houses that touch the database: keeping what the young person put in each house, with
a drawing, and reading the entries back."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from app.accounts.models import User
from app.cases.models import Case
from app.refused import WrongCase
from app.signs_of_safety.models import House, ThreeHousesEntry
from app.timeutil import utcnow

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_DRAWING_BYTES = 1_500_000


def add_house_entry(
    *,
    session: Session,
    case: Case,
    entry_id: str,
    house: House,
    text: str,
    own_words: bool,
    drawing_png: bytes | None,
    drawing_description: str,
    consent_to_share: bool,
    person_id: str | None,
    by: User,
    created_at: datetime | None = None,
) -> tuple[ThreeHousesEntry, bool]:
    """Keep what the young person put in one house; (entry, created). The same id twice keeps it once."""
    existing = session.get(ThreeHousesEntry, entry_id)
    if existing is not None:
        if existing.case_id != case.id:
            raise WrongCase()
        return existing, False
    if drawing_png is not None and (not drawing_png.startswith(PNG_SIGNATURE) or len(drawing_png) > MAX_DRAWING_BYTES):
        raise ValueError("a drawing must be a PNG image under 1.5 MB")
    entry = ThreeHousesEntry(
        id=entry_id,
        case_id=case.id,
        house=house,
        text=text,
        own_words=own_words,
        drawing_png=drawing_png,
        drawing_description=drawing_description,
        consent_to_share=consent_to_share,
        person_id=person_id,
        recorded_by_id=by.id,
        created_at=created_at or utcnow(),
    )
    session.add(entry)
    session.flush()
    return entry, True


def house_entries(*, session: Session, case: Case) -> list[ThreeHousesEntry]:
    """The three houses' entries, oldest first, without loading the drawings themselves."""
    from sqlalchemy.orm import defer

    query = (
        select(ThreeHousesEntry)
        .where(ThreeHousesEntry.case_id == case.id)
        .options(defer(ThreeHousesEntry.drawing_png))
        .order_by(ThreeHousesEntry.created_at)
    )
    return list(session.exec(query).all())


def has_drawing(*, session: Session, case: Case) -> set[str]:
    """Ids of entries that carry a drawing (one query, no image bytes loaded)."""
    rows = session.exec(
        select(ThreeHousesEntry.id).where(
            ThreeHousesEntry.case_id == case.id, ThreeHousesEntry.drawing_png.is_not(None)
        )
    ).all()
    return set(rows)
