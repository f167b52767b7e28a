"""Diamond ratings on the case timeline: one item per rater per day (one query, grouped in SQL)."""
from __future__ import annotations

from sqlalchemy import Integer, cast, func, type_coerce
from sqlmodel import select

from app.accounts.models import User
from app.cases.extensions import TimelineItem
from app.cases.models import Person
from app.diamond.models import DiamondRating


# MAX() loses the column's type on SQLite; coercing keeps the timezone-aware UTC datetime.
RECORDED_AT = type_coerce(func.max(DiamondRating.recorded_at), DiamondRating.__table__.c.recorded_at.type)


def items(*, session, case) -> list[TimelineItem]:
    rows = session.exec(
        select(DiamondRating.rated_on, Person.name, User.full_name, RECORDED_AT, func.max(cast(DiamondRating.in_family_mode, Integer)))
        .join(Person, Person.id == DiamondRating.person_id, isouter=True)
        .join(User, User.id == DiamondRating.user_id, isouter=True)
        .where(DiamondRating.case_id == case.id)
        .group_by(DiamondRating.rated_on, DiamondRating.person_id, DiamondRating.user_id, Person.name, User.full_name)
    ).all()
    out = []
    for _, person_name, user_name, recorded_at, family in rows:
        who = person_name or user_name or "Worker"
        out.append(TimelineItem(at=recorded_at, kind="rating", title=f"Diamond rated by {who}", detail="on the family screens" if family else "", url=f"/cases/{case.id}/diamond"))
    return out
