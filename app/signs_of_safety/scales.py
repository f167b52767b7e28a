"""Safety scales that touch the database: who may give a rating, recording one with the anchors
the rater saw, and each scale's history."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.accounts.models import User
from app.cases.models import Case
from app.refused import Refused, WrongCase
from app.signs_of_safety import rules
from app.signs_of_safety.models import RaterRole, ScaleRating, rater_of
from app.signs_of_safety.reading import latest_version, people
from app.timeutil import utcnow


@dataclass(frozen=True)
class Rater:
    key: str  # "person:<id>", "key_worker" or "supervisor"
    name: str
    role: RaterRole
    person_id: str | None = None


def raters(*, session: Session, case: Case, actor_user: User) -> list[Rater]:
    """Who may give a rating: each person of the case, then the staff, each under their own name:
    the key worker ("key_worker"), the co-worker and any other worker recording their own view
    ("user:<id>"), and the team's supervisors (the acting supervisor as "supervisor", the others
    as "user:<id>"). Until December 2026 only the key worker and one supervisor were offered, so a
    co-worker's rating was stored under the key worker's name. One statement for the staff."""
    found = [
        Rater(
            key=f"person:{p.id}",
            name=p.name,
            role=rules.rater_role_for(relationship=p.relationship, is_young_person=p.is_young_person),
            person_id=p.id,
        )
        for p in people(session=session, case=case)
    ]
    named = {i for i in (case.key_worker_id, case.co_worker_id, actor_user.id) if i is not None}
    staff = session.exec(
        select(User)
        .where(
            User.id.in_(named)
            | ((User.team_id == case.team_id) & (User.role == "supervisor") & User.is_active.is_(True))
        )
        .order_by(User.id)
    ).all()
    by_id = {u.id: u for u in staff}
    key_worker = by_id.get(case.key_worker_id)
    found.append(
        Rater(key="key_worker", name=key_worker.full_name if key_worker else "Key worker", role=RaterRole.key_worker)
    )
    workers = [case.co_worker_id]
    if actor_user.role not in ("supervisor", "manager"):
        workers.append(actor_user.id)
    for user_id in dict.fromkeys(workers):
        if user_id is not None and user_id != case.key_worker_id and user_id in by_id:
            found.append(Rater(key=f"user:{user_id}", name=by_id[user_id].full_name, role=RaterRole.key_worker))
    if actor_user.role == "supervisor":
        found.append(Rater(key="supervisor", name=actor_user.full_name, role=RaterRole.supervisor))
    for user in staff:
        if user.role == "supervisor" and user.team_id == case.team_id and user.is_active and user.id != actor_user.id:
            found.append(Rater(key=f"user:{user.id}", name=user.full_name, role=RaterRole.supervisor))
    return found


def default_rater(*, case: Case, actor_user: User, offered: list[Rater]) -> str:
    """Whose rating the worker's rating screen opens on: the person using it where they are
    `offered` as a rater, else the key worker's (a manager gives no rating of their own)."""
    if actor_user.id == case.key_worker_id:
        own = "key_worker"
    else:
        own = "supervisor" if actor_user.role == "supervisor" else f"user:{actor_user.id}"
    return own if any(r.key == own for r in offered) else "key_worker"


# The rater shown while the worker chooses which supervisor gave a rating (`legacy_supervisor`).
SOME_SUPERVISOR = Rater(key="", name="The supervisor", role=RaterRole.supervisor)
CHOOSE_SUPERVISOR = "Choose which supervisor gave this rating: each supervisor's rating is kept under their own name."


def legacy_supervisor(*, session: Session, case: Case, replayed: bool) -> Rater | None:
    """A form kept on a device from before December 2026 names "supervisor" whoever sends it: read,
    as it was then, as the team's first supervisor, but only as the offline outbox sends it
    (`replayed`, with its operation id). Sent any other way by someone who is not a supervisor,
    it would store a rating under a supervisor's name that the screen no longer offers them."""
    if not replayed:
        raise Refused(CHOOSE_SUPERVISOR, field="rater")
    first = session.exec(
        select(User)
        .where(User.team_id == case.team_id, User.role == "supervisor", User.is_active.is_(True))
        .order_by(User.id)
        .limit(1)
    ).first()
    return Rater(key="supervisor", name=first.full_name, role=RaterRole.supervisor) if first else None


def add_rating(
    *,
    session: Session,
    case: Case,
    rating_id: str,
    rater: Rater,
    pair_key: str | None,
    score: int,
    why_not_lower: str,
    one_step_higher: str,
    by: User,
    rated_at: datetime | None = None,
) -> tuple[ScaleRating, bool]:
    """Record one rating with the anchors the rater saw; (rating, created). Never edited."""
    existing = session.get(ScaleRating, rating_id)
    if existing is not None:
        if existing.case_id != case.id:
            raise WrongCase()
        return existing, False
    if not 0 <= score <= 10:
        raise ValueError("a scale runs from 0 to 10")
    low, high = rules.anchors(rater_role=rater.role, practice_context=case.practice_context)
    latest = latest_version(session=session, case=case)
    rating = ScaleRating(
        id=rating_id,
        case_id=case.id,
        pair_key=pair_key,
        map_version_id=latest.id if latest else None,
        rater_role=rater.role,
        rater_person_id=rater.person_id,
        rater_name=rater.name,
        score=score,
        anchor_low=low,
        anchor_high=high,
        why_not_lower=why_not_lower,
        one_step_higher=one_step_higher,
        rated_at=rated_at or utcnow(),
        recorded_by_id=by.id,
    )
    session.add(rating)
    session.flush()
    return rating, True


def ratings(*, session: Session, case: Case) -> list[ScaleRating]:
    """Every rating on the case, oldest first."""
    return list(
        session.exec(
            select(ScaleRating)
            .where(ScaleRating.case_id == case.id)
            .order_by(ScaleRating.rated_at, ScaleRating.created_at)
        ).all()
    )


def scale_series(
    rows: list[ScaleRating], pair_key: str | None, relationships: dict[str, str] | None = None
) -> dict[str, list[tuple[datetime, int]]]:
    """One scale's ratings grouped by rater (`rater_of`: two people of one name are two raters,
    until December 2026 one line reading "2, then 9"), for the chart and its table, each under its
    name and role; two of one name and role told apart by their relationship to the young person
    (`relationships`, by person id), else by a number."""
    grouped: dict[str, list[tuple[datetime, int]]] = {}
    labels: dict[str, str] = {}
    for row in rows:
        if row.pair_key == pair_key:
            rater = rater_of(row)
            labels.setdefault(rater, f"{row.rater_name} ({rules.RATER_ROLE_LABELS[RaterRole(row.rater_role)].lower()})")
            grouped.setdefault(rater, []).append((row.rated_at, row.score))
    shared = Counter(labels.values())
    series: dict[str, list[tuple[datetime, int]]] = {}
    for rater, points in grouped.items():
        label = labels[rater]
        relationship = (relationships or {}).get(rater, "")
        if shared[label] > 1 and relationship:
            label = f"{label[:-1]}, {relationship.lower()})"
        number = 2
        while label in series:
            label, number = f"{labels[rater]} {number}", number + 1
        series[label] = points
    return series
