"""Recording Diamond ratings and reading them back for the case page, the charts and the timeline."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from app.accounts.models import User
from app.audit import service as audit
from app.cases.models import Case, Person
from app.diamond import rules
from app.diamond.models import DiamondRating
from app.security.auth import Actor
from app.timeutil import today


class RatingError(Exception):
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


def record_rating(
    *,
    session: Session,
    actor: Actor,
    case: Case,
    rating_id: str,
    aim: str,
    score: int,
    person: Person | None = None,
    positive_experiences: str = "",
    next_step: str = "",
    rated_on: date | None = None,
) -> DiamondRating:
    """Append one rating; replaying the same id (an offline outbox retry) returns the first and changes nothing."""
    existing = session.get(DiamondRating, rating_id)
    if existing is not None:
        if existing.case_id != case.id:
            raise RatingError("This rating belongs to another case.", field="id")
        return existing
    if aim not in rules.AIM_KEYS:
        raise RatingError("Unknown aim.", field="aim")
    if not 0 <= score <= 10:
        raise RatingError("Please choose a number from 0 to 10.")
    if person is not None and person.case_id != case.id:
        raise RatingError("That person is not part of this case.", field="person")
    rating = DiamondRating(
        id=rating_id,
        case_id=case.id,
        person_id=person.id if person else None,
        user_id=None if person else actor.id,
        aim=aim,
        score=score,
        positive_experiences=positive_experiences,
        next_step=next_step,
        rated_on=rated_on or today(),
        recorded_by_user_id=actor.id,
        in_family_mode=actor.in_family_mode,
    )
    session.add(rating)
    session.flush()
    audit.record(session=session, actor=actor, action="create", object_type="diamond_rating", object_id=rating.id, case_id=case.id, detail=f"aim={aim}")
    return rating


def record_worker_ratings(
    *,
    session: Session,
    actor: Actor,
    case: Case,
    submission_id: str,
    scores: dict[str, int],
    positive_experiences: str = "",
    next_step: str = "",
    rated_on: date | None = None,
) -> list[DiamondRating]:
    """The worker's own four numbers from one form; each row's id derives from the form's id, so a replay is a no-op."""
    base = uuid.UUID(submission_id)
    ids = [str(uuid.uuid5(base, aim)) for aim in rules.AIM_KEYS]
    if session.exec(select(DiamondRating.id).where(DiamondRating.id.in_(ids), DiamondRating.case_id != case.id)).first():
        raise RatingError("This rating belongs to another case.", field="id")
    return [
        record_rating(
            session=session,
            actor=actor,
            case=case,
            rating_id=str(uuid.uuid5(base, aim)),
            aim=aim,
            score=scores[aim],
            positive_experiences=positive_experiences if aim == rules.AIM_KEYS[0] else "",
            next_step=next_step if aim == rules.AIM_KEYS[0] else "",
            rated_on=rated_on,
        )
        for aim in rules.AIM_KEYS
        if aim in scores
    ]


@dataclass
class DiamondSummary:
    raters: list[Rater]
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


def summary(*, session: Session, case: Case) -> DiamondSummary:
    """Every rating on the case grouped by rater and day, with conversation points (one query)."""
    rows = session.exec(
        select(DiamondRating, Person.name, Person.relationship, Person.is_young_person, User.full_name)
        .join(Person, Person.id == DiamondRating.person_id, isouter=True)
        .join(User, User.id == DiamondRating.user_id, isouter=True)
        .where(DiamondRating.case_id == case.id)
        .order_by(DiamondRating.rated_on, DiamondRating.recorded_at)
    ).all()
    raters: dict[str, Rater] = {}
    scores: list[rules.Score] = []
    notes = []
    for rating, person_name, relationship, young, user_name in rows:
        key = _rater_key(person_id=rating.person_id, user_id=rating.user_id)
        if key not in raters:
            if rating.person_id:
                order = 0 if young else 1
                raters[key] = Rater(key, person_name.split(" ")[0], relationship or "Family", False, order)
            else:
                raters[key] = Rater(key, user_name or "Worker", "Worker", True, 2)
        scores.append(rules.Score(key, rating.aim, rating.score, rating.rated_on, rating.recorded_at))
        if rating.positive_experiences or rating.next_step:
            notes.append((raters[key], rating.rated_on, rules.AIMS_BY_KEY[rating.aim].name, rating.positive_experiences, rating.next_step))
    rounds = rules.rounds_by_rater(scores)
    ordered = sorted(raters.values(), key=lambda r: (r.order, r.name))
    notes.sort(key=lambda n: n[1], reverse=True)
    return DiamondSummary(raters=ordered, rounds=rounds, points=rules.conversation_points(rounds), notes=notes)


def people_who_can_rate(*, session: Session, case: Case) -> list[Person]:
    """The case's people, the young person first."""
    return list(session.exec(select(Person).where(Person.case_id == case.id).order_by(Person.is_young_person.desc(), Person.name)).all())
