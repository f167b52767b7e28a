"""`homeward tick` for outcomes: raise follow-up tasks 3, 6 and 12 months after active work ended.

Each task has a key naming the case, the point and the day the work ended, so running the job again
raises nothing new, and a case that ends a second time gets its own follow-ups; a case and point
with a task still open from the same spell of work get no second one.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.cases.models import Case, CaseEvent, CaseStatus
from app.outcomes import rules, service
from app.outcomes.models import FollowUpTask, OutcomeRecord
from app.timeutil import local


def tick(*, session: Session, now: datetime) -> int:
    """Raise the follow-up tasks due at `now` that are not raised or recorded yet; the number raised (three queries)."""
    on = local(now).date()
    # The latest end of active work (service.ends_active_work): until December 2026 the latest
    # `Ending`, which a case closed from the status screen does not have (an earlier spell's
    # ending was used), and which is dated from its submission, not its approval.
    last_ending = (
        select(CaseEvent.case_id, func.max(CaseEvent.occurred_at).label("ended_at"))
        .where(service.ends_active_work())
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    # The case's worker, or the team's supervisor when the worker has left.
    supervisor = (
        select(User.team_id, func.min(User.id).label("user_id"))
        .where(User.role == Role.supervisor, User.is_active.is_(True))
        .group_by(User.team_id)
        .subquery()
    )
    # When that spell of work began: the latest move into active work before it ended.
    began = (
        select(func.max(CaseEvent.occurred_at))
        .where(
            CaseEvent.case_id == Case.id,
            CaseEvent.to_status == CaseStatus.active,
            CaseEvent.occurred_at < last_ending.c.ended_at,
        )
        .correlate(Case, last_ending)
        .scalar_subquery()
    )
    rows = session.exec(
        select(Case.id, last_ending.c.ended_at, began, Case.key_worker_id, User.is_active, supervisor.c.user_id)
        .join(last_ending, last_ending.c.case_id == Case.id)
        .join(User, User.id == Case.key_worker_id)
        .join(supervisor, supervisor.c.team_id == Case.team_id, isouter=True)
        .where(Case.status.in_([CaseStatus.dormant, CaseStatus.closed]))
    ).all()
    wanted: dict[str, FollowUpTask] = {}
    spell_began: dict[int, date | None] = {}
    for case_id, ended_at, began_at, key_worker_id, worker_active, supervisor_id in rows:
        spell_began[case_id] = local(began_at).date() if began_at else None
        worker_id = key_worker_id if worker_active or supervisor_id is None else supervisor_id
        ended_on = local(ended_at).date()
        for point, due_on in rules.follow_ups_due(ended_on=ended_on, today=on):
            key = f"{case_id}:{point}:{ended_on.isoformat()}"
            wanted[key] = FollowUpTask(
                key=key, case_id=case_id, point=point, ended_on=ended_on, due_on=due_on, assigned_user_id=worker_id
            )
    if not wanted:
        return 0
    # Raised already: the same key, or a task for the case and point still open from the same spell
    # of work, whatever day of it its key names (until December 2026 the key named the day the
    # `Ending` was recorded, not the move out of active work, and the same follow-up would be raised
    # a second time). One open from work that ended before the case came back is that ending's own.
    raised_before = session.exec(
        select(
            FollowUpTask.key, FollowUpTask.case_id, FollowUpTask.point, FollowUpTask.ended_on, FollowUpTask.done_at
        ).where(
            or_(
                FollowUpTask.key.in_(list(wanted)),
                and_(
                    FollowUpTask.case_id.in_({t.case_id for t in wanted.values()}),
                    FollowUpTask.done_at.is_(None),
                ),
            )
        )
    ).all()
    existing = {key for key, *_ in raised_before}
    still_open = {
        (case_id, point)
        for _, case_id, point, ended_on, done_at in raised_before
        if done_at is None and (spell_began.get(case_id) is None or ended_on >= spell_began[case_id])
    }
    # A follow-up already recorded (taken on or after the day the work ended) needs no task.
    latest = {
        (case_id, point): taken_on
        for case_id, point, taken_on in session.exec(
            select(OutcomeRecord.case_id, OutcomeRecord.point, func.max(OutcomeRecord.taken_on))
            .where(OutcomeRecord.case_id.in_({t.case_id for t in wanted.values()}))
            .where(OutcomeRecord.point.in_(list(rules.FOLLOW_UP_MONTHS)))
            .group_by(OutcomeRecord.case_id, OutcomeRecord.point)
        ).all()
    }
    raised = 0
    for key, task in wanted.items():
        taken = latest.get((task.case_id, task.point))
        if (
            key in existing
            or (task.case_id, task.point) in still_open
            or (taken is not None and taken >= task.ended_on)
        ):
            continue
        task.raised_at = now
        session.add(task)
        raised += 1
    session.flush()
    return raised
