"""Recording Diamond ratings and reading them back for the case page, the charts and the timeline."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import bindparam
from sqlmodel import Session, select

from app import features, i18n
from app.accounts.models import User
from app.audit import service as audit
from app.cases import reads
from app.cases.models import Case, Person, called_from
from app.db import read_columns
from app.diamond import rules
from app.diamond.models import DiamondGoal, DiamondRating
from app.refused import Refused
from app.security.auth import Actor
from app.timeutil import local, today, utcnow


class RatingError(Refused):
    def __init__(self, message: str, field: str = "score") -> None:
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Rater:
    key: str  # "person:<uuid>" or "user:<id>"
    name: str
    role: str  # "Young person", "Mother", "Worker"
    is_worker: bool
    order: int

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role.lower()})"


def _rater_key(*, person_id: str | None, user_id: int | None) -> str:
    return f"person:{person_id}" if person_id else f"user:{user_id}"


def check_rated_on(*, case: Case, rated_on: date) -> None:
    """A rating can be dated in the past (work recorded afterwards), never in the future nor
    before the referral; the audit entry keeps the time it was entered."""
    if rated_on > today():
        raise RatingError("The rating date is in the future; it should be today or earlier.", field="rated_on")
    if case.referral_date is not None and rated_on < case.referral_date:
        raise RatingError(
            f"The rating date is before the referral on {case.referral_date:%-d %b %Y}; "
            "please check the date it was given.",
            field="rated_on",
        )


def finished_before(*, goal: DiamondGoal, rated_on: date) -> date | None:
    """The day a finished goal was finished, if that was before `rated_on`: a goal takes ratings
    given up to the day it was finished (a form kept on the device, sent later from the outbox),
    never one given on a later day."""
    if goal.closed_at is None:
        return None
    finished_on = local(goal.closed_at).date()
    return finished_on if rated_on > finished_on else None


def record_rating(
    *,
    session: Session,
    actor: Actor,
    case: Case,
    rating_id: str,
    aim: str,
    score: int,
    person: Person | None = None,
    goal: DiamondGoal | None = None,
    positive_experiences: str = "",
    next_step: str = "",
    rated_on: date | None = None,
    given_at: datetime | None = None,
    in_family_mode: bool | None = None,
    fulfil: bool = True,
) -> DiamondRating:
    """Append one rating; replaying the same id (an offline outbox retry) returns the first and changes nothing.

    Every rating is written here (the worker's form, the family screens, their offline replays),
    so what follows a rating (a prompted task closing, a summary kept up to date) has one place.
    `rated_on` is the day it was given (default today); `given_at` the moment the device stamped
    it, kept as `recorded_at` if from that day on and not after now (`rules.given_at`); the audit keeps
    when it was entered."""
    existing = session.get(DiamondRating, rating_id)
    if existing is not None:
        if existing.case_id != case.id:
            raise RatingError("This rating belongs to another case.", field="id")
        return existing
    if aim not in rules.AIM_KEYS and not (aim == "goal" and goal is not None and goal.case_id == case.id):
        raise RatingError("Unknown aim.", field="aim")
    if not 0 <= score <= 10:
        raise RatingError("Please choose a number from 0 to 10.")
    if person is not None and person.case_id != case.id:
        raise RatingError("That person is not part of this case.", field="person")
    rated_on = rated_on or today()
    check_rated_on(case=case, rated_on=rated_on)
    if goal is not None and finished_before(goal=goal, rated_on=rated_on):
        # Only a page drawn before the goal was finished still asks it (the family's language).
        raise RatingError(i18n.gettext("This form is out of date. Please go back to the start and try again."))
    rating = DiamondRating(
        id=rating_id,
        case_id=case.id,
        person_id=person.id if person else None,
        user_id=None if person else actor.id,
        aim=aim,
        goal_id=goal.id if goal else None,
        score=score,
        positive_experiences=positive_experiences,
        next_step=next_step,
        rated_on=rated_on,
        recorded_at=rules.given_at(given_at, rated_on=rated_on, now=utcnow()),
        recorded_by_user_id=actor.id,
        in_family_mode=actor.in_family_mode if in_family_mode is None else in_family_mode,
    )
    session.add(rating)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        object_type="diamond_rating",
        object_id=rating.id,
        case_id=case.id,
        detail=f"aim={aim}" if rated_on == today() else f"aim={aim}, rated on {rated_on.isoformat()}",
    )
    if fulfil:  # a prompted "Do a Diamond rating" closes in this transaction (app/features.py)
        features.fulfil(session=session, case_id=case.id, event="diamond_rating", by=actor, on=rated_on)
    return rating


def record_worker_ratings(
    *,
    session: Session,
    actor: Actor,
    case: Case,
    submission_id: str,
    scores: dict[str, int],
    goal_scores: dict[str, int] | None = None,
    positive_experiences: str = "",
    next_step: str = "",
    rated_on: date | None = None,
    given_at: datetime | None = None,
) -> list[DiamondRating]:
    """The worker's own numbers from one form; each row's id derives from the form's id, so a replay is a no-op."""
    base = uuid.UUID(submission_id)
    goal_scores = goal_scores or {}
    goals = case_goals(session=session, case=case, ids=goal_scores)
    if len(goals) != len(goal_scores):
        raise RatingError("This form names a goal that is not on this case; please reload the page.", field="id")
    for goal in goals:
        if finished_on := finished_before(goal=goal, rated_on=rated_on or today()):
            raise RatingError(
                f"\u201c{goal.title}\u201d was marked finished on {finished_on:%-d %b %Y}, so it takes no rating "
                "for a later day. Its number has been taken off: save again without it, or change the rating date.",
                field=rules.goal_key(goal.id),
            )
    ids = [str(uuid.uuid5(base, aim)) for aim in [*rules.AIM_KEYS, *map(rules.goal_key, goal_scores)]]
    if session.exec(
        select(DiamondRating.id).where(DiamondRating.id.in_(ids), DiamondRating.case_id != case.id)
    ).first():
        raise RatingError("This rating belongs to another case.", field="id")
    rows = [
        record_rating(
            session=session,
            actor=actor,
            case=case,
            fulfil=False,
            rating_id=str(uuid.uuid5(base, aim)),
            aim=aim,
            score=scores[aim],
            positive_experiences=positive_experiences if aim == rules.AIM_KEYS[0] else "",
            next_step=next_step if aim == rules.AIM_KEYS[0] else "",
            rated_on=rated_on,
            given_at=given_at,
        )
        for aim in rules.AIM_KEYS
        if aim in scores
    ] + [
        record_rating(
            session=session,
            actor=actor,
            case=case,
            fulfil=False,
            rating_id=str(uuid.uuid5(base, rules.goal_key(goal.id))),
            aim="goal",
            goal=goal,
            score=goal_scores[goal.id],
            rated_on=rated_on,
            given_at=given_at,
        )
        for goal in goals
    ]
    # One form, one save: what it fulfils is asked once, not once per aim.
    if rows:
        features.fulfil(session=session, case_id=case.id, event="diamond_rating", by=actor, on=rows[0].rated_on)
    return rows


@dataclass
class DiamondSummary:
    raters: list[Rater]
    goal_aims: list[rules.Aim]
    rounds: dict[str, list[rules.Round]]
    points: list[rules.ConversationPoint]
    notes: list[tuple[Rater, date, str, str, str]]  # rater, day, aim name, good things, next step

    aims = rules.AIMS

    @property
    def empty(self) -> bool:
        return not self.rounds

    @property
    def dates(self) -> list[date]:
        return sorted({r.rated_on for rs in self.rounds.values() for r in rs})

    def rater(self, key: str) -> Rater:
        return next(r for r in self.raters if r.key == key)

    def latest_diamond(self, key: str) -> rules.DiamondRound | None:
        """The rater's latest Diamond, skipped aims carried from earlier (None: goals rated only)."""
        diamonds = rules.diamond_rounds(self.rounds.get(key, []))
        return diamonds[-1] if diamonds else None


class _Rating(NamedTuple):
    person_id: int | None
    user_id: int | None
    aim: str
    goal_id: str | None
    score: int
    rated_on: date
    recorded_at: datetime
    positive_experiences: str
    next_step: str


# Built once, the case a bound parameter (issue 21: building statements afresh was a quarter of a
# first view of the case page).
_SUMMARY = (  # plain rows of the columns it reads: a case holds dozens of ratings, no ORM objects needed
    select(
        DiamondRating.person_id,
        DiamondRating.user_id,
        DiamondRating.aim,
        DiamondRating.goal_id,
        DiamondRating.score,
        DiamondRating.rated_on,
        DiamondRating.recorded_at,
        DiamondRating.positive_experiences,
        DiamondRating.next_step,
        Person.name,
        Person.given_name,
        Person.preferred_name,
        Person.relationship,
        Person.is_young_person,
        User.full_name,
        DiamondGoal.title,
        DiamondRating.in_family_mode,
    )
    .join(Person, Person.id == DiamondRating.person_id, isouter=True)
    .join(User, User.id == DiamondRating.user_id, isouter=True)
    .join(DiamondGoal, DiamondGoal.id == DiamondRating.goal_id, isouter=True)
    .where(DiamondRating.case_id == bindparam("case_id"))
    .order_by(DiamondRating.rated_on, DiamondRating.recorded_at)
)


def rating_rows(*, session: Session, case: Case) -> list:
    """Every rating on the case, oldest first, with its rater's and goal's names and whether it was
    given on the family screens: read once per case page for the Diamond part and the timeline
    (issue 21: the timeline read them again, grouped by day), and not at all for a case with none."""
    if reads.none(session=session, model=DiamondRating, case_id=case.id):
        return []
    return reads.once(
        session=session,
        case_id=case.id,
        key="diamond ratings",
        read=lambda: list(read_columns(session, _SUMMARY, {"case_id": case.id}).all()),
    )


def summary(*, session: Session, case: Case) -> DiamondSummary:
    """Every rating on the case grouped by rater and day, with conversation points (one query)."""
    rows = rating_rows(session=session, case=case)
    raters: dict[str, Rater] = {}
    scores: list[rules.Score] = []
    notes = []
    goal_aims: dict[str, rules.Aim] = {}
    for *columns, person_name, given_name, preferred_name, relationship, young, user_name, goal_title, _ in rows:
        rating = _Rating(*columns)
        key = _rater_key(person_id=rating.person_id, user_id=rating.user_id)
        if key not in raters:
            if rating.person_id:
                order = 0 if young else 1
                # The name the family screens use (called_on), not the first word of a full name ("Mrs").
                name = called_from(
                    case=case,
                    name=person_name,
                    given_name=given_name,
                    preferred_name=preferred_name,
                    is_young_person=young,
                )
                raters[key] = Rater(key, name, relationship or "Family", False, order)
            else:
                raters[key] = Rater(key, user_name or "Worker", "Worker", True, 2)
        aim = rules.AIMS_BY_KEY.get(rating.aim)
        if rating.goal_id:
            aim = goal_aims.setdefault(rating.goal_id, rules.goal_aim(rating.goal_id, goal_title or ""))
        if aim is None:
            continue
        scores.append(rules.Score(key, aim.key, rating.score, rating.rated_on, rating.recorded_at))
        if rating.positive_experiences or rating.next_step:
            notes.append((raters[key], rating.rated_on, aim.name, rating.positive_experiences, rating.next_step))
    rounds = rules.rounds_by_rater(scores)
    ordered = sorted(raters.values(), key=lambda r: (r.order, r.name))
    notes.sort(key=lambda n: n[1], reverse=True)
    return DiamondSummary(
        raters=ordered,
        goal_aims=list(goal_aims.values()),
        rounds=rounds,
        points=rules.conversation_points(rounds),
        notes=notes,
    )


class GoalError(Refused):
    def __init__(self, message: str, field: str = "title") -> None:
        self.message = message
        self.field = field


def open_goals(*, session: Session, case: Case) -> list[DiamondGoal]:
    """The case's open goals, oldest first (at most three)."""
    return list(
        session.exec(
            select(DiamondGoal)
            .where(DiamondGoal.case_id == case.id, DiamondGoal.closed_at.is_(None))
            .order_by(DiamondGoal.created_at)
        ).all()
    )


def case_goals(*, session: Session, case: Case, ids) -> list[DiamondGoal]:
    """The case's goals with these ids, open or finished, oldest first: what a rating post looks
    up, since a rating given before a goal was finished can reach Homeward after (the offline
    outbox) and its ratings stay. Another case's goal is never among them."""
    ids = list(ids)
    if not ids:
        return []
    return list(
        session.exec(
            select(DiamondGoal)
            .where(DiamondGoal.case_id == case.id, DiamondGoal.id.in_(ids))
            .order_by(DiamondGoal.created_at)
        ).all()
    )


def add_goal(
    *, session: Session, actor: Actor, case: Case, goal_id: str, title: str, person: Person | None
) -> DiamondGoal:
    """Add a goal in the family's words; a replay of the same id changes nothing; three open at most."""
    existing = session.get(DiamondGoal, goal_id)
    if existing is not None:
        if existing.case_id != case.id:
            raise GoalError("This goal belongs to another case.", field="id")
        return existing
    if len(open_goals(session=session, case=case)) >= rules.MAX_GOALS:
        raise GoalError(f"There are already {rules.MAX_GOALS} goals. Mark one as finished first.")
    if person is not None and person.case_id != case.id:
        raise GoalError("That person is not part of this case.", field="person")
    goal = DiamondGoal(
        id=goal_id,
        case_id=case.id,
        title=title,
        chosen_by_person_id=person.id if person else None,
        created_by_user_id=actor.id,
    )
    session.add(goal)
    session.flush()
    audit.record(
        session=session, actor=actor, action="create", object_type="diamond_goal", object_id=goal.id, case_id=case.id
    )
    return goal


def close_goal(*, session: Session, actor: Actor, case: Case, goal_id: str) -> None:
    """Finish a goal: its ratings stay, it leaves the rating screens and frees a place."""

    goal = session.get(DiamondGoal, goal_id)
    if goal is None or goal.case_id != case.id:
        raise GoalError("No such goal on this case.", field="id")
    if goal.closed_at is None:
        goal.closed_at = utcnow()
        session.add(goal)
        audit.record(
            session=session, actor=actor, action="close", object_type="diamond_goal", object_id=goal.id, case_id=case.id
        )
