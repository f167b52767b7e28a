"""Diamond ratings on the case timeline: one item per day naming who rated (one grouped query)."""

from __future__ import annotations

from itertools import groupby

from sqlalchemy import Integer, bindparam, cast, func, type_coerce
from sqlmodel import select

from app.accounts.models import User
from app.cases.extensions import TimelineItem
from app.cases.models import Person
from app.db import read_columns
from app.diamond.models import DiamondRating

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


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def items(*, session, case, latest: int | None = None) -> list[TimelineItem]:
    rows = read_columns(session, _BY_DAY, {"case_id": case.id}).all()
    out = []
    for _, day_rows in groupby(rows, key=lambda row: row[0]):
        day_rows = sorted(day_rows, key=lambda row: row[3])
        names = [person or user or "Worker" for _, person, user, _, _ in day_rows]
        family = any(flag for *_, flag in day_rows)
        out.append(
            TimelineItem(
                at=day_rows[-1][3],
                kind="rating",
                title=f"Diamond rated by {_names(names)}",
                detail="with the family screens" if family else "",
                url=f"/cases/{case.id}/diamond",
            )
        )
    return out
