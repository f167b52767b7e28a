"""Diamond ratings on the case timeline: one item per day naming who rated (one grouped query)."""

from __future__ import annotations

from datetime import date, datetime, time
from itertools import groupby

from sqlalchemy import Integer, bindparam, cast, func, type_coerce
from sqlmodel import select

from app.accounts.models import User
from app.cases.extensions import TimelineItem
from app.cases.models import Person
from app.db import read_columns
from app.diamond.models import DiamondRating
from app.timeutil import LOCAL, local

# MAX() loses the column's type on SQLite; coercing keeps the timezone-aware UTC datetime.
RECORDED_AT = type_coerce(func.max(DiamondRating.recorded_at), DiamondRating.__table__.c.recorded_at.type)


# Built once, the case a bound parameter (issue 21).
_BY_DAY = (
    select(
        DiamondRating.rated_on,
        Person.name,
        User.full_name,
        RECORDED_AT,
        func.max(cast(DiamondRating.in_family_mode, Integer)),
    )
    .join(Person, Person.id == DiamondRating.person_id, isouter=True)
    .join(User, User.id == DiamondRating.user_id, isouter=True)
    .where(DiamondRating.case_id == bindparam("case_id"))
    .group_by(DiamondRating.rated_on, DiamondRating.person_id, DiamondRating.user_id, Person.name, User.full_name)
    .order_by(DiamondRating.rated_on)
)


def _on_the_day(at: datetime, day: date) -> datetime:
    """Where a day's ratings go on the timeline: when they were given, or for ratings entered
    afterwards (back-dated, issue 18) the day they were given, at noon as a contact without a start
    time (app/cases/timeline.py), not the day they were typed in."""
    return at if local(at).date() == day else datetime.combine(day, time(12), tzinfo=LOCAL)


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def items(*, session, case, latest: int | None = None) -> list[TimelineItem]:
    rows = read_columns(session, _BY_DAY, {"case_id": case.id}).all()
    out = []
    for day, day_rows in groupby(rows, key=lambda row: row[0]):
        day_rows = sorted(day_rows, key=lambda row: row[3])
        names = [person or user or "Worker" for _, person, user, _, _ in day_rows]
        family = any(flag for *_, flag in day_rows)
        out.append(
            TimelineItem(
                at=max(_on_the_day(row[3], day) for row in day_rows),
                kind="rating",
                title=f"Diamond rated by {_names(names)}",
                detail="with the family screens" if family else "",
                url=f"/cases/{case.id}/diamond",
            )
        )
    return out
