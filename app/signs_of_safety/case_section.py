"""The Signs of Safety part of the case page: the map's state, latest scales, next steps.

Three queries whatever the case holds (app/cases/extensions.py asks for a constant number), none
for a case with no map and no scale ratings yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import bindparam, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.cases import reads
from app.cases.models import Case, Person
from app.core.plan_rules import is_overdue
from app.signs_of_safety.models import RATER, Category, MapItem, MapVersion, ScaleRating, rater_column
from app.timeutil import today

# Not read on a case page when the case has none (app/cases/reads.py).
reads.per_case(MapVersion, ScaleRating)


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
        if reads.none(session=session, model=MapVersion, case_id=case.id):
            return None, []
        newest, steps = _next_steps_statements()
        version = session.exec(newest, params={"case_id": case.id}).first()
        if version is None:
            return None, []
        return version, list(session.exec(steps, params={"version_id": version.id}).all())

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
    rows = []
    if not reads.none(session=session, model=ScaleRating, case_id=case.id):
        rows = session.exec(_latest_overall_statement(), params={"case_id": case.id}).all()
    return {
        "version": version,
        "next_steps": steps,
        "overall": [rating for rating, _ in rows],
        "was": {rating.id: before for rating, before in rows},
    }


# The part's statements are built once, the case a bound parameter (building them afresh, the
# aliased subquery above all, was about a tenth of a first view's CPU: issue 21).


@cache
def _next_steps_statements():
    newest = (
        select(MapVersion).where(MapVersion.case_id == bindparam("case_id")).order_by(MapVersion.number.desc()).limit(1)
    )
    steps = (
        select(MapItem.text, MapItem.due_on, MapItem.by_key_worker, Person.name)
        .join(Person, Person.id == MapItem.person_id, isouter=True)
        .where(
            MapItem.map_version_id == bindparam("version_id"),
            MapItem.category == Category.next_step,
            MapItem.done == False,  # noqa: E712
        )
        .order_by(MapItem.due_on)
    )
    return newest, steps


@cache
def _latest_overall_statement():
    """Each rater's most recent overall rating, with the same rater's number before it (a column
    of the same query): "6 (was 3)"."""
    case_id = bindparam("case_id")
    # Each rater by who they are (models.RATER: a person on the case by their id), not their name:
    # two people of one name were one rater, the latest of them hiding the other's number.
    latest = (
        select(RATER.label("rater"), func.max(ScaleRating.rated_at).label("at"))
        .where(ScaleRating.case_id == case_id, ScaleRating.pair_key.is_(None))
        .group_by(RATER)
        .subquery()
    )
    earlier = aliased(ScaleRating)
    was = (
        select(earlier.score)
        .where(
            earlier.case_id == case_id,
            earlier.pair_key.is_(None),
            rater_column(earlier) == RATER,
            earlier.rated_at < ScaleRating.rated_at,
        )
        .order_by(earlier.rated_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(ScaleRating, was)
        .join(latest, (latest.c.rater == RATER) & (latest.c.at == ScaleRating.rated_at))
        .where(ScaleRating.case_id == case_id, ScaleRating.pair_key.is_(None))
        .order_by(ScaleRating.rater_name)
    )
