"""When the young person last rated on the Diamond themselves: their voice, for the oversight
"voice" flag (app/cases/flags.py); one grouped query."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import select

from app.cases.models import Case, Person
from app.diamond.models import DiamondRating


def last_voice(*, session, in_scope) -> dict[int, date]:
    return dict(
        session.exec(
            select(DiamondRating.case_id, func.max(DiamondRating.rated_on))
            .join(Person, Person.id == DiamondRating.person_id)
            .join(Case, Case.id == DiamondRating.case_id)
            .where(in_scope, Person.is_young_person.is_(True))
            .group_by(DiamondRating.case_id)
        ).all()
    )
