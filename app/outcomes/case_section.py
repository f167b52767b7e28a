"""Outcomes on the case page: the latest records, follow-ups due, distance travelled on the Diamond,
and "Record outcomes" (three queries, whatever the case holds; none for what it has no rows of)."""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, func
from sqlalchemy import case as sql_case
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.cases import reads
from app.cases.models import Case, Person
from app.db import read_columns
from app.diamond.models import DiamondGoal, DiamondRating
from app.diamond.rules import AIMS
from app.outcomes import service
from app.outcomes.models import CARE_STATUSES, EDUCATION, LIVING, POINTS, FollowUpTask, OutcomeRecord
from app.security.permissions import can_change_case


def distance(*, session: Session, case: Case) -> list[dict]:
    """Each rater's first and latest score per Diamond aim or goal, where they rated it on two days or more (one query)."""
    rows = read_columns(session, _distance_statement(), {"case_id": case.id}).all()
    out = []
    aims = {a.key: a.name for a in AIMS}
    for _who, aim, first, last, n, name, worker_name, goal in rows:
        change = last - first
        words = f"up {change}" if change > 0 else (f"down {-change}" if change < 0 else "the same")
        rater = name or f"{worker_name or 'Worker'} (worker)"  # as the Diamond chart names a worker
        out.append({"rater": rater, "aim": goal or aims.get(aim, aim), "first": first, "last": last, "n": n,
                    "change": words})  # fmt: skip
    return out


@cache
def _distance_statement():
    """`distance`'s statement, built once with the case a bound parameter (building it afresh was
    a fortieth of a first view's CPU: issue 21)."""
    # A worker's ratings are compared with that worker's own, as on the scorecard (a co-worker's
    # latest is not the key worker's progress); user_id is set for a worker's rating alone.
    rater = (DiamondRating.person_id, DiamondRating.user_id, DiamondRating.aim, DiamondRating.goal_id)
    # A later rating the same day supersedes an earlier one, to the microsecond and at the very same
    # moment the higher number, as the Diamond chart reads them (app/diamond/rules.py
    # rounds_by_rater): two answers of an outbox arriving in one second are not a tie.
    given = (DiamondRating.recorded_at.desc(), DiamondRating.score.desc())
    ranked = (
        select(
            DiamondRating.person_id.label("who"),
            DiamondRating.user_id.label("user_id"),
            DiamondRating.aim.label("aim"),
            DiamondRating.goal_id.label("goal_id"),
            DiamondRating.rated_on.label("rated_on"),
            DiamondRating.score.label("score"),
            func.row_number().over(partition_by=rater, order_by=(DiamondRating.rated_on, *given)).label("from_first"),
            func.row_number()
            .over(partition_by=rater, order_by=(DiamondRating.rated_on.desc(), *given))
            .label("from_last"),
        )
        .where(DiamondRating.case_id == bindparam("case_id"))
        .subquery()
    )
    pairs = (
        select(
            ranked.c.who,
            ranked.c.user_id,
            ranked.c.aim,
            ranked.c.goal_id,
            func.max(sql_case((ranked.c.from_first == 1, ranked.c.score))).label("first"),
            func.max(sql_case((ranked.c.from_last == 1, ranked.c.score))).label("last"),
            func.count(func.distinct(ranked.c.rated_on)).label("n"),
        )
        .group_by(ranked.c.who, ranked.c.aim, ranked.c.goal_id, ranked.c.user_id)
        # Each day is one rating, and a pair needs two days (a 3 put right to 7 that minute is not
        # distance travelled).
        .having(func.min(ranked.c.rated_on) < func.max(ranked.c.rated_on))
        .subquery()
    )
    return (
        select(
            pairs.c.who,
            pairs.c.aim,
            pairs.c.first,
            pairs.c.last,
            pairs.c.n,
            Person.name,
            User.full_name,
            DiamondGoal.title,
        )
        .select_from(pairs)
        .join(Person, Person.id == pairs.c.who, isouter=True)
        .join(User, User.id == pairs.c.user_id, isouter=True)
        .join(DiamondGoal, DiamondGoal.id == pairs.c.goal_id, isouter=True)
        .order_by(Person.name, User.full_name, pairs.c.aim)
    )


_FOLLOW_UPS = (
    select(FollowUpTask)
    .where(FollowUpTask.case_id == bindparam("case_id"), FollowUpTask.done_at.is_(None))
    .order_by(FollowUpTask.due_on)
)


# Not read on a case page when the case has none (app/cases/reads.py): before its first outcome
# record, most of a case's life.
reads.per_case(FollowUpTask, OutcomeRecord, DiamondRating)


def context(*, session: Session, case: Case, actor) -> dict:
    def none(model) -> bool:
        return reads.none(session=session, model=model, case_id=case.id)

    return {
        "records": [] if none(OutcomeRecord) else service.records_for(session=session, case=case, limit=5),
        "distance": [] if none(DiamondRating) else distance(session=session, case=case),
        "follow_ups": [] if none(FollowUpTask) else session.exec(_FOLLOW_UPS, params={"case_id": case.id}).all(),
        "can_record": can_change_case(actor.user, case),
        "is_manager": actor.role is Role.manager,
        "points": dict(POINTS),
        "living": dict(LIVING),
        "care": dict(CARE_STATUSES),
        "education": dict(EDUCATION),
    }
