"""Supervision: case supervision notes, reflective notes on a worker's practice, and competency ratings."""

from __future__ import annotations

from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.cases.models import Case
from app.refused import Refused
from app.review.models import CompetencyRating, NoteKind, SupervisionNote


def add_case_note(
    *, session: Session, case: Case, text: str, decision: str, rationale: str, by: User
) -> SupervisionNote:
    """A case supervision note, with the decision made and why."""
    note = SupervisionNote(
        kind=NoteKind.case, case_id=case.id, text=text, decision=decision, rationale=rationale, by_user_id=by.id
    )
    session.add(note)
    session.flush()
    return note


def case_notes(*, session: Session, case: Case) -> list[SupervisionNote]:
    return list(
        session.exec(
            select(SupervisionNote)
            .where(SupervisionNote.kind == NoteKind.case, SupervisionNote.case_id == case.id)
            .order_by(SupervisionNote.at.desc())
        ).all()
    )


def supervises(supervisor: User, worker: User) -> bool:
    """A supervisor supervises the key workers of their own team; a fellow supervisor of the team
    (a team may have several) is a peer, and their own supervision is not the peer's to read."""
    return (
        supervisor.role == Role.supervisor
        and worker.role == Role.worker
        and supervisor.team_id is not None
        and supervisor.team_id == worker.team_id
    )


def may_see_reflective(viewer: User, worker: User) -> bool:
    """Reflective notes are for the worker and their supervisor only (not managers, not peers)."""
    return viewer.id == worker.id or supervises(viewer, worker)


def add_reflective_note(*, session: Session, worker: User, text: str, by: User) -> SupervisionNote:
    """A reflective supervision note about a worker's practice."""
    if not may_see_reflective(by, worker):
        raise Refused("Only the worker and their supervisor can write these notes.")
    note = SupervisionNote(kind=NoteKind.reflective, worker_id=worker.id, text=text, by_user_id=by.id)
    session.add(note)
    session.flush()
    return note


def reflective_notes(*, session: Session, worker: User) -> list[SupervisionNote]:
    return list(
        session.exec(
            select(SupervisionNote)
            .where(SupervisionNote.kind == NoteKind.reflective, SupervisionNote.worker_id == worker.id)
            .order_by(SupervisionNote.at.desc())
        ).all()
    )


# --- Competency -------------------------------------------------------------------------------

COMPETENCY_AREAS = [
    ("secure_base", "Building a secure base"),
    ("resilience", "Assessing resilience"),
    ("risk", "Understanding risk"),
    ("analysis", "Analysis and formulation"),
    ("planning", "Planning"),
]
COMPETENCY_LEVELS = [("basic", "Basic"), ("competent", "Competent"), ("advanced", "Advanced")]


def rate_competency(*, session: Session, worker: User, area: str, level: str, by: User) -> CompetencyRating:
    """A self-rating (by the worker) or a supervisor rating of one BASE competency."""
    if by.id == worker.id:
        rater = "self"
    elif supervises(by, worker):
        rater = "supervisor"
    else:
        raise Refused("Only the worker and their supervisor rate competency.")
    rating = CompetencyRating(worker_id=worker.id, rater=rater, area=area, level=level, rated_by_id=by.id)
    session.add(rating)
    session.flush()
    return rating


def competency(*, session: Session, worker_ids: list[int]) -> dict[int, dict[str, dict[str, str]]]:
    """worker -> area -> {"self": level, "supervisor": level}, the latest of each (one query)."""
    result: dict[int, dict[str, dict[str, str]]] = {}
    if not worker_ids:
        return result
    for row in session.exec(
        select(CompetencyRating).where(CompetencyRating.worker_id.in_(worker_ids)).order_by(CompetencyRating.rated_at)
    ).all():
        result.setdefault(row.worker_id, {}).setdefault(row.area, {})[row.rater] = row.level
    return result
