"""When the young person last rated on the Diamond themselves: their voice, for the oversight
"voice" flag (app/cases/flags.py); one query."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import select

from app.cases.models import Case, Person
from app.diamond.models import DiamondRating


def last_voice(*, session, in_scope) -> dict[int, date]:
    # Per case in scope, correlated: its young people (ix_person_case), then their latest rating,
    # index only (ix_diamond_rating_case_person_on). A grouped join hash-joined every person and
    # every rating in the service whatever the scope (issue 21: 100-180 ms for one team).
    latest = (
        select(func.max(DiamondRating.rated_on))
        .join(Person, (Person.id == DiamondRating.person_id) & (Person.case_id == DiamondRating.case_id))
        .where(DiamondRating.case_id == Case.id, Person.is_young_person.is_(True))
        .correlate(Case)
        .scalar_subquery()
    )
    return {
        case_id: on for case_id, on in session.exec(select(Case.id, latest).where(in_scope)).all() if on is not None
    }
