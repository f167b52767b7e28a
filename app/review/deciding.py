"""Deciding on a submission: comments, approving, returning it to the worker with the reason."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from app.accounts.models import User
from app.cases.models import Case
from app.refused import Refused
from app.review import registry
from app.review.models import ReviewComment, Submission, SubmissionStatus, waiting_for_review
from app.review.notifications import clear_notifications, item_about, notify
from app.review.submissions import latest_for_item
from app.security.permissions import can_see_case
from app.timeutil import utcnow


def add_comment(*, session: Session, submission: Submission, section: str, text: str, by: User) -> ReviewComment:
    """A comment on the submission as a whole (section "") or on one of its sections."""
    comment = ReviewComment(submission_id=submission.id, section=section, text=text, by_user_id=by.id)
    session.add(comment)
    session.flush()
    return comment


def approve(*, session: Session, submission: Submission, by: User, rationale: str = "") -> Submission:
    """Approve a waiting submission; the decision is kept as it was made."""
    _decide(session, submission, SubmissionStatus.approved, by, rationale)
    _tell_of_decision(session, submission, by, "approved")
    return submission


def return_to_worker(*, session: Session, submission: Submission, by: User, rationale: str) -> Submission:
    """Return a waiting submission with the reason; the worker's next change makes a new version."""
    if not rationale.strip():
        raise Refused("Say why the work is being returned.")
    _decide(session, submission, SubmissionStatus.returned, by, rationale)
    _tell_of_decision(session, submission, by, "returned to you")
    return submission


def _tell_of_decision(session: Session, submission: Submission, by: User, decided: str) -> None:
    """The item's earlier news clears, and those who hear of a decision are told of this one."""
    session.add(submission)
    about = item_about(submission.kind, submission.item_id)
    clear_notifications(session=session, about=about)
    for user_id in _told_of_decision(session, submission, by):
        notify(
            session=session,
            user_id=user_id,
            text=f"{registry.label(submission.kind)} version {submission.version_number} {decided}",
            url=f"/review/{submission.id}",
            about=about,
        )
    session.flush()


def _told_of_decision(session: Session, submission: Submission, by: User) -> set[int]:
    """Who hears of a decision: the case's key worker as it is now (a reallocated case's work is
    the new worker's), and whoever sent it if they can still open it (a co-worker, say); a worker
    the case has left would be sent a link that answers 404."""
    case = session.get(Case, submission.case_id)
    told = {case.key_worker_id}
    sender = session.get(User, submission.submitted_by_id)
    if sender is not None and can_see_case(sender, case):
        told.add(sender.id)
    return told - {None, by.id}


def _decide(session: Session, submission: Submission, status: SubmissionStatus, by: User, rationale: str) -> None:
    _refuse_if_sent_since(session, submission)
    if submission.status != SubmissionStatus.waiting:
        raise Refused(ALREADY_DECIDED)
    if by.id == submission.submitted_by_id:
        raise Refused("Someone else must review your own work.")
    decision = {"status": status, "decided_by_id": by.id, "decided_at": utcnow(), "rationale": rationale.strip()}
    # Decided only if still waiting and still the newest version, in one statement: two supervisors
    # pressing Approve and Return at once both read "waiting", but only one UPDATE finds it so
    # (PostgreSQL re-checks the WHERE after waiting for the other's row lock; SQLite has one
    # writer), and the other is told; so is one whose version the worker superseded meanwhile.
    done = session.execute(
        update(Submission)
        .where(Submission.id == submission.id, waiting_for_review())
        .values(**decision)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        _refuse_if_sent_since(session, submission)
        raise Refused(ALREADY_DECIDED)
    for key, value in decision.items():
        set_committed_value(submission, key, value)


def _refuse_if_sent_since(session: Session, submission: Submission) -> None:
    newest = latest_for_item(session=session, kind=submission.kind, item_id=submission.item_id)
    if newest is not None and newest.version_number > submission.version_number:
        raise Refused(
            f"Version {newest.version_number} was sent since, so this version is no longer waiting:"
            " please review the newest one."
        )


ALREADY_DECIDED = "This has already been decided, perhaps by another supervisor just now: open it again to see how."
