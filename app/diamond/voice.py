"""When the young person last rated on the Diamond themselves: their voice, for the oversight
"voice" flag (app/cases/flags.py): one query (figures)."""

from __future__ import annotations

from sqlalchemy import func, literal
from sqlmodel import select

from app.cases.models import Case, Person
from app.diamond.models import DiamondRating


def _own_ratings(scope):
    # Per case in scope, correlated: its young people (ix_person_case), then each one's latest
    # rating, a single-table max on the head of ix_diamond_rating_case_person_on, which PostgreSQL
    # reads as one backward index probe. A grouped join hash-joined every person and every rating
    # in the service whatever the scope (issue 21: 100-180 ms for one team); a max over the join of
    # the case's people and ratings read every rating of the case (20 a young person in the county
    # set: EXPLAIN ANALYZE 53 ms for a team of 900 cases, 7 ms this way).
    per_person = (
        select(func.max(DiamondRating.rated_on))
        .where(DiamondRating.case_id == Person.case_id, DiamondRating.person_id == Person.id)
        .correlate(Person)
        .scalar_subquery()
    )
    latest = (
        select(func.max(per_person))
        .where(Person.case_id == Case.id, Person.is_young_person.is_(True))
        .correlate(Case)
        .scalar_subquery()
    )
    # Only active cases: the voice flag is raised on no other (app/cases/flags.py voice_not_recorded).
    return select(Case.id, latest).where(scope.in_scope, Case.status == literal("active"))


VOICE = {"young person's Diamond ratings": _own_ratings}
