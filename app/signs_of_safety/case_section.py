"""The Signs of Safety part of the case page: the map's state, latest scales, next steps.

Three queries whatever the case holds (app/cases/extensions.py asks for a constant number).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from app.cases.models import Case, Person
from app.core.plan_rules import is_overdue
from app.signs_of_safety.models import Category, MapItem, MapVersion, ScaleRating
from app.timeutil import today


@dataclass(frozen=True)
class NextStep:
    text: str
    owner: str
    due_on: date | None
    overdue: bool


def context(*, session: Session, case: Case, actor) -> dict:
    version = session.exec(
        select(MapVersion).where(MapVersion.case_id == case.id).order_by(MapVersion.number.desc()).limit(1)
    ).first()
    steps: list[NextStep] = []
    if version is not None:
        rows = session.exec(
            select(MapItem.text, MapItem.due_on, MapItem.by_key_worker, Person.name)
            .join(Person, Person.id == MapItem.person_id, isouter=True)
            .where(MapItem.map_version_id == version.id, MapItem.category == Category.next_step, MapItem.done == False)  # noqa: E712
            .order_by(MapItem.due_on)
        ).all()
        now = today()
        steps = [
            NextStep(
                text=text,
                owner=name or ("Key worker" if by_key_worker else "No one named"),
                due_on=due,
                overdue=is_overdue(due, finished=False, today=now),
            )
            for text, due, by_key_worker, name in rows
        ]
    # Each rater's most recent overall rating, in one query.
    latest = (
        select(ScaleRating.rater_name, func.max(ScaleRating.rated_at).label("at"))
        .where(ScaleRating.case_id == case.id, ScaleRating.pair_key.is_(None))
        .group_by(ScaleRating.rater_name)
        .subquery()
    )
    overall = session.exec(
        select(ScaleRating)
        .join(latest, (latest.c.rater_name == ScaleRating.rater_name) & (latest.c.at == ScaleRating.rated_at))
        .where(ScaleRating.case_id == case.id, ScaleRating.pair_key.is_(None))
        .order_by(ScaleRating.rater_name)
    ).all()
    return {"version": version, "next_steps": steps, "overall": list(overall)}
