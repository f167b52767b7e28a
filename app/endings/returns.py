"""Returns to work: a dormant case reactivated (with its prompted tasks), a closed one reopened as a
re-referral, and how soon the first contact followed the latest return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.accounts.models import User
from app.audit import service as audit
from app.cases import reads, reallocation
from app.cases import rules as case_rules
from app.cases import service as cases
from app.cases.models import Case, CaseStatus, Contact
from app.cases.service import Refused
from app.endings import reopen_requests, rules
from app.endings.case_version import check_version
from app.endings.dormancy import end_spell
from app.endings.models import EndingTask, Reactivation
from app.endings.prompted_tasks import PROMPTED_TASKS
from app.refused import WrongCase
from app.review import service as review
from app.security.auth import Actor
from app.timeutil import local, today


def reactivate(
    *,
    session: Session,
    case: Case,
    by: Actor,
    asked_by: str,
    what_changed: str,
    urgency: str,
    record_id: str | None = None,
    base_version: int | None = None,
    new_key_worker: User | None = None,
    review_interval_weeks: int = 6,
) -> tuple[Reactivation, bool]:
    """Dormant -> active with no referral: who asked, what changed, how urgent; prompts two tasks."""
    if record_id:
        existing = session.get(Reactivation, record_id)
        if existing is not None and existing.case_id == case.id:
            return existing, False
        if existing is not None:
            raise WrongCase("That record belongs to another case.")
    check_version(case, base_version)
    moving = new_key_worker is not None and new_key_worker.id != case.key_worker_id
    if moving and not (by.user.role == "supervisor" and by.user.team_id == case.team_id):
        raise Refused("Only the team's supervisor can give the case to another worker.")
    rationale = f"Asked by {asked_by.replace('_', ' ')}; urgency {urgency}. {what_changed}"
    cases.reactivate(
        session=session, case=case, by=by, rationale=rationale, review_interval_weeks=review_interval_weeks
    )
    days = end_spell(session=session, case=case, how="reactivated")
    if moving:
        # A reallocation like any other: a worker of the case's team, on the case's timeline, in
        # the audit trail, and told (with the worker it leaves).
        moved = reallocation.reallocate(
            session=session,
            case=case,
            by=by,
            key_worker_id=new_key_worker.id,
            co_worker_id=None if case.co_worker_id == new_key_worker.id else case.co_worker_id,
            reason=f"Given to a new key worker on reactivation. {what_changed}",
        )
        review.tell_of_reallocation(
            session=session,
            case=case,
            before={moved.previous_worker_id, moved.previous_co_worker_id},
            text=f"{case.reference} ({case.display_name}) reactivated and given to {new_key_worker.full_name}.",
            by=by.user,
        )
    back = Reactivation(
        case_id=case.id,
        kind="reactivated",
        asked_by=asked_by,
        what_changed=what_changed.strip()[:4000],
        urgency=urgency,
        days_dormant=days,
        by_user_id=by.id,
    )
    if record_id:
        back.id = record_id
    session.add(back)
    session.flush()
    due = rules.add_working_days(today(), 10)
    for what in PROMPTED_TASKS:
        session.add(EndingTask(case_id=case.id, reactivation_id=back.id, what=what, due_on=due))
    audit.record(
        session=session,
        actor=by,
        action="create",
        object_type="reactivation",
        object_id=back.id,
        case_id=case.id,
        detail=f"reactivated, asked by {asked_by}, {urgency}",
    )
    session.flush()
    return back, True


def reopen(
    *,
    session: Session,
    case: Case,
    by: Actor,
    reason: str,
    record_id: str | None = None,
    base_version: int | None = None,
    decision: str = "",
    request_submission_id: str | None = None,
    occurred_at: datetime | None = None,
    timed: bool = False,
) -> tuple[Reactivation, bool]:
    """Closed -> screening by a supervisor, recorded as a re-referral (the rules refuse anyone else).

    A worker's open reopen request is settled by it: approved with `decision` when it is approved
    from the review queue (`request_submission_id`), or as reopened directly otherwise.
    `occurred_at` (and `timed`, its time given): when a reopening recorded afterwards happened; the
    move and the re-referral are both dated then, after the closure (`cases.transition`)."""
    if record_id:
        existing = session.get(Reactivation, record_id)
        if existing is not None and existing.case_id == case.id:
            return existing, False
        if existing is not None:
            raise WrongCase("That record belongs to another case.")
    check_version(case, base_version)
    event = cases.transition(
        session=session,
        case=case,
        to_status=CaseStatus.screening,
        by=by,
        rationale=f"Re-referral: {reason}",
        occurred_at=occurred_at,
        timed=timed,
    )
    back = Reactivation(
        case_id=case.id, kind="reopened", asked_by="", what_changed=reason.strip()[:4000], by_user_id=by.id
    )
    if occurred_at is not None:
        back.reactivated_at = event.occurred_at
    if record_id:
        back.id = record_id
    session.add(back)
    audit.record(
        session=session,
        actor=by,
        action="create",
        object_type="reactivation",
        object_id=back.id,
        case_id=case.id,
        detail="reopened as a re-referral",
    )
    session.flush()

    reopen_requests.settle_on_reopen(
        session=session,
        case=case,
        by=by,
        back=back,
        rationale=decision or reason.strip(),
        submission_id=request_submission_id,
    )
    return back, True


@dataclass(frozen=True)
class ReturnTiming:
    back: Reactivation
    first_contact_hours: float | None
    on_target: bool | None


def latest_return(*, session: Session, case: Case, target_hours: int) -> ReturnTiming | None:
    """The latest return to work and its first contact, timed like a referral's (two queries)."""

    back = max(
        reads.rows(session=session, model=Reactivation, case_id=case.id), key=lambda r: r.reactivated_at, default=None
    )
    if back is None:
        return None
    rows = session.exec(
        select(Contact.occurred_on, Contact.start_time, Contact.recorded_at).where(
            Contact.case_id == case.id,
            Contact.attended.is_(True),
            Contact.occurred_on >= local(back.reactivated_at).date(),
        )
    ).all()
    first = case_rules.first_contact_after(back.reactivated_at, rows)
    hours = case_rules.first_contact_hours(back.reactivated_at, first)
    return ReturnTiming(
        back=back, first_contact_hours=hours, on_target=case_rules.first_contact_within_target(hours, target_hours)
    )
