"""Reallocation: a supervisor moves an open case to another worker of the team, and sets or clears
its co-worker, with a reason (issue 19). The timeline keeps who held it before, who holds it now
and why; the review feature tells both workers (app/review/team_routes.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.audit import service as audit
from app.cases.models import Case, CaseEvent, CaseStatus
from app.refused import Refused
from app.security.auth import Actor
from app.timeutil import utcnow

REALLOCATABLE = (CaseStatus.active, CaseStatus.dormant)


@dataclass
class Reallocation:
    event: CaseEvent
    previous_worker_id: int
    previous_co_worker_id: int | None


def team_workers(*, session: Session, case: Case) -> list[User]:
    """The active key workers of the case's team: who may hold it."""
    return list(
        session.exec(
            select(User)
            .where(User.team_id == case.team_id, User.role == Role.worker, User.is_active.is_(True))
            .order_by(User.full_name)
        ).all()
    )


def co_worker_choices(*, session: Session) -> list[User]:
    """Possible co-workers: any active worker or supervisor (a statutory social worker may be elsewhere)."""
    return list(
        session.exec(
            select(User)
            .where(User.role.in_([Role.worker, Role.supervisor]), User.is_active.is_(True))
            .order_by(User.full_name)
            .limit(300)
        ).all()
    )


def reallocate(
    *,
    session: Session,
    case: Case,
    by: Actor,
    key_worker_id: int | None,
    co_worker_id: int | None,
    reason: str,
) -> Reallocation:
    """Give `case` to another key worker of its team (and set or clear its co-worker); else Refused."""
    if by.role not in (Role.supervisor,) or by.user.team_id != case.team_id:
        raise Refused("Only the team's supervisor can reallocate a case.")
    if case.status not in REALLOCATABLE:
        raise Refused("Only an active or dormant case can be reallocated.")
    reason = reason.strip()
    if not reason:
        raise Refused("Say why the case is moving, for the family's record.", field="reason")
    workers = {u.id: u for u in team_workers(session=session, case=case)}
    if key_worker_id not in workers:
        raise Refused("Choose a key worker from the case's team.", field="key_worker")
    if co_worker_id is not None:
        co = session.get(User, co_worker_id)
        if co is None or not co.is_active or co.role not in (Role.worker, Role.supervisor):
            raise Refused("Choose a co-worker from the list, or none.", field="co_worker")
        if co_worker_id == key_worker_id:
            raise Refused("The co-worker must be someone other than the key worker.", field="co_worker")
    if key_worker_id == case.key_worker_id and co_worker_id == case.co_worker_id:
        raise Refused("This is who holds the case already; choose another worker.", field="key_worker")

    before_key, before_co = case.key_worker_id, case.co_worker_id
    # The previous holder by name whether or not they are still active on the team: a case is
    # most often reallocated because its key worker left (their account disabled, or moved team).
    before = session.get(User, before_key) if before_key is not None else None
    moved = f"From {before.full_name if before else 'the previous worker'} to {workers[key_worker_id].full_name}."
    event = CaseEvent(
        case_id=case.id,
        kind="reallocated",
        rationale=f"{moved} {reason}"[:4000] if key_worker_id != before_key else reason[:4000],
        by_user_id=by.id,
        reason="key_worker" if key_worker_id != before_key else "co_worker",
    )
    session.add(event)
    case.key_worker_id = key_worker_id
    case.co_worker_id = co_worker_id
    case.version += 1
    case.updated_at = utcnow()
    session.add(case)
    audit.record(
        session=session,
        actor=by,
        action="reallocate",
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        detail=f"key worker {before_key} -> {key_worker_id}; co-worker {before_co} -> {co_worker_id}",
    )
    session.flush()
    return Reallocation(event=event, previous_worker_id=before_key, previous_co_worker_id=before_co)
