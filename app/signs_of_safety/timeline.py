"""Timeline items: map versions submitted, rating days, three houses days, words and pictures shared.

Four queries whatever the case holds."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import bindparam, func
from sqlmodel import Session, select

from app.accounts.models import User
from app.cases.extensions import TimelineItem
from app.cases.models import Case
from app.signs_of_safety.models import MapVersion, ScaleRating, StoryShare, StoryVersion, ThreeHousesEntry

# The four statements are built once, the case a bound parameter (issue 21: building them on
# every first view of a case page cost about as much CPU as running them).
_CASE = bindparam("case_id")
_SUBMITTED = (
    select(MapVersion.number, MapVersion.submitted_at, User.full_name)
    .join(User, User.id == MapVersion.submitted_by_id, isouter=True)
    .where(MapVersion.case_id == _CASE, MapVersion.submitted_at.is_not(None))
)
_day = func.date(ScaleRating.rated_at)
_RATING_DAYS = (
    select(_day, func.max(ScaleRating.rated_at), func.count(), func.count(func.distinct(ScaleRating.rater_name)))
    .where(ScaleRating.case_id == _CASE)
    .group_by(_day)
)
_house_day = func.date(ThreeHousesEntry.created_at)
_HOUSE_DAYS = (
    select(_house_day, func.max(ThreeHousesEntry.created_at), func.count())
    .where(ThreeHousesEntry.case_id == _CASE)
    .group_by(_house_day)
)
_SHARED = (
    select(StoryShare.shared_on, StoryShare.created_at, StoryShare.shared_with, StoryVersion.number)
    .join(StoryVersion, StoryVersion.id == StoryShare.story_version_id)
    .where(StoryVersion.case_id == _CASE)
)


def items(*, session: Session, case: Case, latest: int | None = None) -> list[TimelineItem]:
    base = f"/cases/{case.id}/signs-of-safety"
    found: list[TimelineItem] = []
    of_case = {"case_id": case.id}
    submitted = session.exec(_SUBMITTED, params=of_case).all()
    for number, at, name in submitted:
        found.append(
            TimelineItem(
                at=at,
                kind="assessment",
                title=f"Signs of Safety map version {number} submitted",
                url=f"{base}/versions/{number}",
                by=name or "",
            )
        )
    # Ratings and three houses entries are many small rows: one item per day keeps the timeline readable.
    ratings = session.exec(_RATING_DAYS, params=of_case).all()
    for _day, at, count, raters in ratings:
        found.append(
            TimelineItem(
                at=_aware(at),
                kind="rating",
                title="Safety scales rated",
                detail=f"{count} rating{'s' if count != 1 else ''} by {raters} {'people' if raters != 1 else 'person'}",
                url=f"{base}/scales",
            )
        )
    houses = session.exec(_HOUSE_DAYS, params=of_case).all()
    for _day, at, count in houses:
        found.append(
            TimelineItem(
                at=_aware(at),
                kind="assessment",
                title="Three houses with the young person",
                detail=f"{count} entr{'ies' if count != 1 else 'y'}",
                url=f"{base}/three-houses",
            )
        )
    shared = session.exec(_SHARED, params=of_case).all()
    for on, at, with_whom, number in shared:
        # The day it was shown to the family is what matters, not the day it was typed up.
        when = datetime.combine(on, _aware(at).timetz()) if on != _aware(at).date() else _aware(at)
        found.append(
            TimelineItem(
                at=when,
                kind="assessment",
                title="Words and pictures shared",
                detail=f"version {number}, with {with_whom}",
                url=f"{base}/words-and-pictures/versions/{number}",
            )
        )
    return found


def _aware(value) -> datetime:
    """Aggregates come back without the column type on SQLite: make them aware UTC again."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(), tzinfo=UTC)
