"""When the young person's own voice was last recorded in Signs of Safety (three houses, their own
scale rating), for the oversight "voice" flag (app/cases/flags.py): two grouped queries (figures),
of active cases only, the only ones the flag is raised on."""

from __future__ import annotations

from sqlalchemy import func, literal
from sqlmodel import select

from app.cases.models import Case
from app.signs_of_safety.models import ScaleRating, ThreeHousesEntry


def _three_houses(scope):
    return (
        select(ThreeHousesEntry.case_id, func.max(ThreeHousesEntry.created_at))
        .join(Case, Case.id == ThreeHousesEntry.case_id)
        .where(scope.in_scope, Case.status == literal("active"))
        .group_by(ThreeHousesEntry.case_id)
    )


def _own_ratings(scope):
    return (
        select(ScaleRating.case_id, func.max(ScaleRating.rated_at))
        .join(Case, Case.id == ScaleRating.case_id)
        .where(scope.in_scope, Case.status == literal("active"), ScaleRating.rater_role == "young_person")
        .group_by(ScaleRating.case_id)
    )


VOICE = {"three houses": _three_houses, "young person's scale ratings": _own_ratings}
