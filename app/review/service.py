"""Submitting, reviewing and returning work; supervision notes; notifications (no HTTP here).

Here: submitting an item (and sending returned work again). Reading the queue and who decides
(submissions), deciding (deciding), supervision notes and competency (supervision) and
notifications (notifications) have their modules; this module re-exports their names, so
`service.submit_item`, `service.queue` and the rest read as before.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.cases.models import Case
from app.refused import Refused
from app.review import registry
from app.review.deciding import ALREADY_DECIDED, add_comment, approve, return_to_worker
from app.review.models import Submission, SubmissionStatus
from app.review.notifications import (
    clear_notifications,
    clear_unsupervised,
    item_about,
    mark_all_read,
    notifications,
    notify,
    open_notification,
    tell_managers_unsupervised,
    tell_of_reallocation,
    unread_count,
)
from app.review.submissions import (
    QueueRow,
    can_review,
    comments_for,
    compared_with,
    history,
    last_approved_before,
    latest_for_item,
    manager_decides,
    may_resubmit,
    queue,
    queue_count,
    returned_for,
    sent_by_team_supervisor,
    submission_for_version,
    waiting_for_team,
    waits_for,
)
from app.review.supervision import (
    COMPETENCY_AREAS,
    COMPETENCY_LEVELS,
    add_case_note,
    add_reflective_note,
    case_notes,
    competency,
    may_see_reflective,
    rate_competency,
    reflective_notes,
    supervises,
)

__all__ = [
    "ALREADY_DECIDED",
    "COMPETENCY_AREAS",
    "COMPETENCY_LEVELS",
    "QueueRow",
    "add_case_note",
    "add_comment",
    "add_reflective_note",
    "approve",
    "can_review",
    "case_notes",
    "clear_notifications",
    "clear_unsupervised",
    "comments_for",
    "compared_with",
    "competency",
    "history",
    "item_about",
    "last_approved_before",
    "latest_for_item",
    "manager_decides",
    "mark_all_read",
    "may_resubmit",
    "may_see_reflective",
    "notifications",
    "notify",
    "open_notification",
    "queue",
    "queue_count",
    "rate_competency",
    "reflective_notes",
    "resubmit",
    "return_to_worker",
    "returned_for",
    "sent_by_team_supervisor",
    "submission_for_version",
    "submit_item",
    "supervises",
    "supervisor_now",
    "team_supervisors",
    "tell_managers_unsupervised",
    "tell_of_reallocation",
    "unread_count",
    "waiting_for_team",
    "waits_for",
]


def supervisor_now(*, session: Session, team_id: int, supervisor_id: int) -> None:
    """`supervisor_id` is an active supervisor of the team now. The managers' "no active supervisor"
    notice is done with; and what they sent as a worker that still waits is a supervisor's of the
    team (`manager_decides`): nobody reviews their own work, so with no other supervisor in the
    team it would wait for ever (a worker made the team's supervisor, its last one then moved on)."""
    clear_unsupervised(session=session, team_id=team_id)
    theirs = session.exec(
        select(Submission).where(
            Submission.submitted_by_id == supervisor_id,
            Submission.team_id == team_id,
            Submission.status == SubmissionStatus.waiting,
            Submission.by_team_supervisor.is_(False),
        )
    ).all()
    managers = session.exec(select(User.id).where(User.role == Role.manager, User.is_active.is_(True))).all()
    for submission in theirs:
        submission.by_team_supervisor = True
        session.add(submission)
        if not manager_decides(submission):  # a kind whose approval moves the case: still a supervisor's
            continue
        # The managers are told, as when a supervisor sends work (submit_item).
        case = session.get(Case, submission.case_id)
        for user_id in managers:
            notify(
                session=session,
                user_id=user_id,
                text=f"{registry.label(submission.kind)} for {case.reference} is waiting for review",
                url=f"/review/{submission.id}",
                about=item_about(submission.kind, submission.item_id),
            )


def submit_item(
    *, session: Session, kind: str, case: Case, item_id: str, version_id: str, version_number: int, by: User
) -> Submission:
    """Put one version of an item in the team's review queue; the same version twice changes nothing."""
    same_version = select(Submission).where(
        Submission.kind == kind, Submission.item_id == item_id, Submission.version_number == version_number
    )
    existing = session.exec(same_version).first()
    if existing is not None:
        return existing
    submission = Submission(
        kind=kind,
        case_id=case.id,
        team_id=case.team_id,
        item_id=item_id,
        version_id=version_id,
        version_number=version_number,
        submitted_by_id=by.id,
        by_team_supervisor=by.role == Role.supervisor and by.team_id == case.team_id,
    )
    try:
        # A savepoint: should another submission of this version land first (the unique index,
        # migration 0029), that one stands and nothing else of this change is lost.
        with session.begin_nested():
            session.add(submission)
    except IntegrityError:
        landed = session.exec(same_version).first()
        if landed is None:  # another constraint refused it: that error, not a lookup's
            raise
        return landed
    # The supervisor decides on what the worker sends last: an older version still waiting is
    # superseded, so nobody approves or returns what was since changed.
    session.execute(
        update(Submission)
        .where(
            Submission.kind == kind,
            Submission.item_id == item_id,
            Submission.version_number < version_number,
            Submission.status == SubmissionStatus.waiting,
        )
        .values(status=SubmissionStatus.superseded)
    )
    # A new version answers the last decision: "returned to you" and any older "waiting" clear.
    about = item_about(kind, item_id)
    clear_notifications(session=session, about=about)
    # Whoever may decide it is told: the team's supervisors but its sender, and the service's
    # managers too when a supervisor of the team sent it (manager_decides).
    deciders = [u.id for u in team_supervisors(session=session, team_id=case.team_id) if u.id != by.id]
    if manager_decides(submission):
        deciders += session.exec(select(User.id).where(User.role == Role.manager, User.is_active.is_(True))).all()
    for user_id in deciders:
        notify(
            session=session,
            user_id=user_id,
            text=f"{registry.label(kind)} for {case.reference} is waiting for review",
            url=f"/review/{submission.id}",
            about=about,
        )
    return submission


def resubmit(*, session: Session, submission: Submission, by: User) -> Submission:
    """Send a returned item back for review as its next version (for items corrected in place)."""
    if submission.status != SubmissionStatus.returned:
        raise Refused("Only returned work can be sent again.")
    case = session.get(Case, submission.case_id)
    latest = latest_for_item(session=session, kind=submission.kind, item_id=submission.item_id)
    if latest is not None and latest.id != submission.id:
        raise Refused("This item has already been sent again.")
    return submit_item(
        session=session,
        kind=submission.kind,
        case=case,
        item_id=submission.item_id,
        version_id=submission.version_id,
        version_number=submission.version_number + 1,
        by=by,
    )


def team_supervisors(*, session: Session, team_id: int) -> list[User]:
    return list(
        session.exec(
            select(User).where(User.team_id == team_id, User.role == Role.supervisor, User.is_active.is_(True))
        ).all()
    )
