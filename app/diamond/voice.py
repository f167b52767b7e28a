"""When the young person last rated on the Diamond themselves: their voice, for the oversight
"voice" flag (app/cases/flags.py): one query (figures)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from app.cases.models import Case, Person
from app.diamond.models import DiamondRating


def _own_ratings(scope):
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
    return select(Case.id, latest).where(scope.in_scope)


VOICE = {"young person's Diamond ratings": _own_ratings}
