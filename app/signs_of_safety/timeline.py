"""Timeline items: map versions submitted, rating days, three houses days, words and pictures shared.

One query whatever the case holds, none for a case with no Signs of Safety work yet."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Date, Integer, String, bindparam, cast, func, literal_column, null, union_all
from sqlmodel import Session, select

from app.accounts.models import User
from app.cases import reads
from app.cases.extensions import TimelineItem
from app.cases.models import Case
from app.db import read_columns
from app.signs_of_safety.models import RATER, MapVersion, ScaleRating, StoryShare, StoryVersion, ThreeHousesEntry

# One statement for the four kinds of item, built once with the case a bound parameter (issue 21:
# building them on every first view of a case page cost about as much CPU as running them, and
# each statement run costs more than its rows). Each branch gives (what, at, n, m, words, on).
_CASE = bindparam("case_id")
_SUBMITTED, _RATED, _HOUSES, _SHARED = 1, 2, 3, 4
_day = func.date(ScaleRating.rated_at)
_house_day = func.date(ThreeHousesEntry.created_at)
_NO_NUMBER, _NO_WORDS, _NO_DAY = cast(null(), Integer), cast(null(), String), cast(null(), Date)
_ITEMS = union_all(
    select(
        literal_column(str(_SUBMITTED)).label("what"),
        MapVersion.submitted_at.label("at"),
        MapVersion.number.label("n"),
        _NO_NUMBER.label("m"),
        User.full_name.label("words"),
        _NO_DAY.label("on"),
    )
    .join(User, User.id == MapVersion.submitted_by_id, isouter=True)
    .where(MapVersion.case_id == _CASE, MapVersion.submitted_at.is_not(None)),
    # Ratings and three houses entries are many small rows: one item per day keeps the timeline readable.
    select(
        literal_column(str(_RATED)),
        func.max(ScaleRating.rated_at),
        func.count(),
        func.count(func.distinct(RATER)),  # raters, two of one name counted as two
        _NO_WORDS,
        _NO_DAY,
    )
    .where(ScaleRating.case_id == _CASE)
    .group_by(_day),
    select(
        literal_column(str(_HOUSES)),
        func.max(ThreeHousesEntry.created_at),
        func.count(),
        _NO_NUMBER,
        _NO_WORDS,
        _NO_DAY,
    )
    .where(ThreeHousesEntry.case_id == _CASE)
    .group_by(_house_day),
    select(
        literal_column(str(_SHARED)),
        StoryShare.created_at,
        StoryVersion.number,
        _NO_NUMBER,
        StoryShare.shared_with,
        StoryShare.shared_on,
    )
    .join(StoryVersion, StoryVersion.id == StoryShare.story_version_id)
    .where(StoryVersion.case_id == _CASE),
)


reads.per_case(MapVersion, ScaleRating, ThreeHousesEntry, StoryVersion)  # not read when a case has none


def items(*, session: Session, case: Case, latest: int | None = None) -> list[TimelineItem]:
    if all(
        reads.none(session=session, model=model, case_id=case.id)
        for model in (MapVersion, ScaleRating, ThreeHousesEntry, StoryVersion)
    ):
        return []
    # Each column is read with the type of the first branch's, on SQLite too: dates and aware
    # UTC datetimes, the aggregates' included.
    base = f"/cases/{case.id}/signs-of-safety"
    return [_item(base, *row) for row in read_columns(session, _ITEMS, {"case_id": case.id}).all()]


def _item(base: str, what: int, at: datetime, n: int, m: int | None, words: str | None, on) -> TimelineItem:
    if what == _SUBMITTED:
        title, url = f"Signs of Safety map version {n} submitted", f"{base}/versions/{n}"
        return TimelineItem(at=at, kind="assessment", title=title, url=url, by=words or "")
    if what == _RATED:
        detail = f"{n} rating{'s' if n != 1 else ''} by {m} {'people' if m != 1 else 'person'}"
        return TimelineItem(at=at, kind="rating", title="Safety scales rated", detail=detail, url=f"{base}/scales")
    if what == _HOUSES:
        detail = f"{n} entr{'ies' if n != 1 else 'y'}"
        title = "Three houses with the young person"
        return TimelineItem(at=at, kind="assessment", title=title, detail=detail, url=f"{base}/three-houses")
    # Words and pictures shared: the day it was shown to the family is what matters, not the day
    # it was typed up.
    return TimelineItem(
        at=datetime.combine(on, at.timetz()) if on != at.date() else at,
        kind="assessment",
        title="Words and pictures shared",
        detail=f"version {n}, with {words}",
        url=f"{base}/words-and-pictures/versions/{n}",
    )
