"""The Signs of Safety part of the case page: the map's state, latest scales, next steps.

Three queries whatever the case holds (app/cases/extensions.py asks for a constant number).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.cases import reads
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


def open_next_steps(*, session: Session, case: Case) -> tuple[MapVersion | None, list]:
    """The newest map version and its open next steps as (text, due on, by key worker, person's
    name), soonest first: read once per case page for this part and "Needs doing" (two queries)."""

    def read() -> tuple[MapVersion | None, list]:
        version = session.exec(
            select(MapVersion).where(MapVersion.case_id == case.id).order_by(MapVersion.number.desc()).limit(1)
        ).first()
        if version is None:
            return None, []
        return version, list(
            session.exec(
                select(MapItem.text, MapItem.due_on, MapItem.by_key_worker, Person.name)
                .join(Person, Person.id == MapItem.person_id, isouter=True)
                .where(
                    MapItem.map_version_id == version.id,
                    MapItem.category == Category.next_step,
                    MapItem.done == False,  # noqa: E712
                )
                .order_by(MapItem.due_on)
            ).all()
        )

    return reads.once(session=session, case_id=case.id, key="sos open next steps", read=read)


def context(*, session: Session, case: Case, actor) -> dict:
    version, rows = open_next_steps(session=session, case=case)
    steps: list[NextStep] = []
    if version is not None:
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
    # With each, the same rater's number before it (a column of the same query): "6 (was 3)".
    earlier = aliased(ScaleRating)
    was = (
        select(earlier.score)
        .where(
            earlier.case_id == case.id,
            earlier.pair_key.is_(None),
            earlier.rater_name == ScaleRating.rater_name,
            earlier.rated_at < ScaleRating.rated_at,
        )
        .order_by(earlier.rated_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.exec(
        select(ScaleRating, was)
        .join(latest, (latest.c.rater_name == ScaleRating.rater_name) & (latest.c.at == ScaleRating.rated_at))
        .where(ScaleRating.case_id == case.id, ScaleRating.pair_key.is_(None))
        .order_by(ScaleRating.rater_name)
    ).all()
    return {
        "version": version,
        "next_steps": steps,
        "overall": [rating for rating, _ in rows],
        "was": {rating.id: before for rating, before in rows},
    }
