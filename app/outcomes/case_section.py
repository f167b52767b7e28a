"""Outcomes on the case page: the latest records, follow-ups due, and "Record outcomes" (two queries)."""

from __future__ import annotations

from sqlmodel import Session, select

from app.accounts.models import Role
from app.cases.models import Case
from app.outcomes import service
from app.outcomes.models import CARE_STATUSES, EDUCATION, LIVING, POINTS, FollowUpTask
from app.security.permissions import can_change_case


def context(*, session: Session, case: Case, actor) -> dict:
    follow_ups = session.exec(
        select(FollowUpTask)
        .where(FollowUpTask.case_id == case.id, FollowUpTask.done_at.is_(None))
        .order_by(FollowUpTask.due_on)
    ).all()
    return {
        "records": service.records_for(session=session, case=case, limit=5),
        "follow_ups": follow_ups,
        "can_record": can_change_case(actor.user, case),
        "is_manager": actor.role is Role.manager,
        "points": dict(POINTS),
        "living": dict(LIVING),
        "care": dict(CARE_STATUSES),
        "education": dict(EDUCATION),
    }
