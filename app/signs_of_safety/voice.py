"""When the young person's own voice was last recorded in Signs of Safety (three houses, their own
scale rating), for the oversight "voice" flag (app/cases/flags.py); two grouped queries."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import select

from app.cases.models import Case
from app.signs_of_safety.models import ScaleRating, ThreeHousesEntry
from app.timeutil import local


def last_voice(*, session, in_scope) -> dict[int, date]:
    houses = session.exec(
        select(ThreeHousesEntry.case_id, func.max(ThreeHousesEntry.created_at))
        .join(Case, Case.id == ThreeHousesEntry.case_id)
        .where(in_scope)
        .group_by(ThreeHousesEntry.case_id)
    ).all()
    ratings = session.exec(
        select(ScaleRating.case_id, func.max(ScaleRating.rated_at))
        .join(Case, Case.id == ScaleRating.case_id)
        .where(in_scope, ScaleRating.rater_role == "young_person")
        .group_by(ScaleRating.case_id)
    ).all()
    latest: dict[int, date] = {}
    for case_id, at in [*houses, *ratings]:
        if at is not None:
            day = local(at).date()
            latest[case_id] = max(latest.get(case_id, day), day)
    return latest
