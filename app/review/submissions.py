"""Reading submissions: the queue, work returned to the worker, an item's versions, and who decides."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.cases.models import Case
from app.review import registry
from app.review.models import ReviewComment, Submission, SubmissionStatus, waiting_for_review


@dataclass
class QueueRow:
    submission: Submission
    case: Case
    worker: User

    @property
    def kind_label(self) -> str:
        return registry.label(self.submission.kind)


def _scope(user: User):
    if user.role == Role.manager:
        return True
    if user.role == Role.supervisor:
        return Submission.team_id == user.team_id
    return Submission.submitted_by_id == user.id


def _queue_query(query, user: User, worker_id: int | None, kind: str | None, to_decide: bool = False):
    query = query.where(waiting_for_review(), _scope(user))
    if to_decide and user.role == Role.manager:  # a manager reads every queue, and decides only these
        query = query.where(sent_by_team_supervisor())
    if worker_id:
        query = query.where(Submission.submitted_by_id == worker_id)
    if kind:
        query = query.where(Submission.kind == kind)
    return query


def queue(
    *,
    session: Session,
    user: User,
    worker_id: int | None = None,
    kind: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    to_decide: bool = False,
) -> list[QueueRow]:
    """Waiting items the user reviews, oldest first (one query); `limit` rows from `offset` for a page."""
    query = _queue_query(
        select(Submission, Case, User)
        .join(Case, Case.id == Submission.case_id)
        .join(User, User.id == Submission.submitted_by_id),
        user,
        worker_id,
        kind,
        to_decide,
    ).order_by(Submission.submitted_at, Submission.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [QueueRow(s, c, u) for s, c, u in session.exec(query).all()]


def waiting_for_team(*, session: Session, team_id: int) -> int:
    """How many items wait in the team's queue (endings and reopen requests too; one query)."""
    return session.exec(
        select(func.count()).select_from(Submission).where(Submission.team_id == team_id, waiting_for_review())
    ).one()


def queue_count(
    *, session: Session, user: User, worker_id: int | None = None, kind: str | None = None, to_decide: bool = False
) -> int:
    """How many waiting items the queue holds with these filters (one query)."""
    query = _queue_query(select(func.count()).select_from(Submission), user, worker_id, kind, to_decide)
    return session.exec(query).one()


def returned_for(*, session: Session, user: User) -> list[tuple[QueueRow, list[ReviewComment]]]:
    """Work returned to this worker and not yet sent again, with the comments (two queries)."""
    rows = session.exec(
        select(Submission, Case, User)
        .join(Case, Case.id == Submission.case_id)
        .join(User, User.id == Submission.submitted_by_id)
        # The key worker sees what was returned on their cases; a co-worker sees what they sent.
        .where(
            Submission.status == SubmissionStatus.returned,
            or_(
                Case.key_worker_id == user.id, and_(Case.co_worker_id == user.id, Submission.submitted_by_id == user.id)
            ),
        )
        .order_by(Submission.decided_at.desc())
    ).all()
    # Only the newest submission of each item counts: once sent again, the return is dealt with.
    newest = _newest_versions(session, [s.item_id for s, _c, _u in rows])
    rows = [(s, c, u) for s, c, u in rows if newest.get((s.kind, s.item_id)) == s.version_number]
    # An item its kind says is settled (a withdrawn reopen request) is no longer the worker's to do.
    settled: set[str] = set()
    for key in {s.kind for s, _c, _u in rows}:
        kind = registry.kind(key)
        if kind is not None and kind.settled is not None:
            settled |= kind.settled(session, [s.item_id for s, _c, _u in rows if s.kind == key])
    rows = [(s, c, u) for s, c, u in rows if s.item_id not in settled]
    comments = comments_for(session=session, submission_ids=[s.id for s, _c, _u in rows])
    return [(QueueRow(s, c, u), comments.get(s.id, [])) for s, c, u in rows]


def _newest_versions(session: Session, item_ids: list[str]) -> dict[tuple[str, str], int]:
    if not item_ids:
        return {}
    found = session.exec(
        select(Submission.kind, Submission.item_id, func.max(Submission.version_number))
        .where(Submission.item_id.in_(item_ids))
        .group_by(Submission.kind, Submission.item_id)
    ).all()
    return {(k, i): n for k, i, n in found}


def comments_for(*, session: Session, submission_ids: list[str]) -> dict[str, list[ReviewComment]]:
    if not submission_ids:
        return {}
    grouped: dict[str, list[ReviewComment]] = {}
    for comment in session.exec(
        select(ReviewComment).where(ReviewComment.submission_id.in_(submission_ids)).order_by(ReviewComment.at)
    ).all():
        grouped.setdefault(comment.submission_id, []).append(comment)
    return grouped


def history(*, session: Session, submission: Submission) -> list[Submission]:
    """Every submission of the same item, newest first."""
    return list(
        session.exec(
            select(Submission)
            .where(Submission.kind == submission.kind, Submission.item_id == submission.item_id)
            .order_by(Submission.version_number.desc())
        ).all()
    )


def latest_for_item(*, session: Session, kind: str, item_id: str) -> Submission | None:
    return session.exec(
        select(Submission)
        .where(Submission.kind == kind, Submission.item_id == item_id)
        .order_by(Submission.version_number.desc())
        .limit(1)
    ).first()


def submission_for_version(*, session: Session, kind: str, version_id: str) -> Submission | None:
    """The latest submission of one version of an item (e.g. one ending), if it was submitted."""
    return session.exec(
        select(Submission)
        .where(Submission.kind == kind, Submission.version_id == version_id)
        .order_by(Submission.submitted_at.desc())
        .limit(1)
    ).first()


def compared_with(*, session: Session, submission: Submission) -> Submission | None:
    """What a submission is compared with: the last approved version, else the version before it
    (a returned one), so a resubmission shows what was done about the comments."""
    approved = last_approved_before(session=session, submission=submission)
    if approved is not None:
        return approved
    return session.exec(
        select(Submission)
        .where(
            Submission.kind == submission.kind,
            Submission.item_id == submission.item_id,
            Submission.version_number < submission.version_number,
        )
        .order_by(Submission.version_number.desc())
        .limit(1)
    ).first()


def last_approved_before(*, session: Session, submission: Submission) -> Submission | None:
    return session.exec(
        select(Submission)
        .where(
            Submission.kind == submission.kind,
            Submission.item_id == submission.item_id,
            Submission.status == SubmissionStatus.approved,
            Submission.version_number < submission.version_number,
        )
        .order_by(Submission.version_number.desc())
        .limit(1)
    ).first()


def may_resubmit(user: User, submission: Submission, case: Case) -> bool:
    """The case's workers send returned work again (the key worker, the co-worker, or whoever sent
    it); a supervisor who sent it on would become its submitter and then could not review it."""
    return user.id in {case.key_worker_id, case.co_worker_id, submission.submitted_by_id} - {None}


def can_review(user: User, submission: Submission) -> bool:
    """The team's supervisor decides; nobody reviews their own work. What a supervisor of the team
    sent (a case they key-work) a service manager decides too, since a team's only supervisor has
    nobody else to: `manager_decides`."""
    if user.id == submission.submitted_by_id:
        return False
    if user.role == Role.supervisor:
        return user.team_id == submission.team_id
    return user.role == Role.manager and manager_decides(submission)


def manager_decides(submission: Submission) -> bool:
    """Whether a service manager may decide this: a supervisor of the item's team sent it (so it
    was when sent: a sender who steps down or moves team later leaves the notices and the queue as
    they were), and approving it only records the decision (a kind whose approval moves the case,
    an ending or a reopening, is casework a manager does not do; supervisors make those directly)."""
    return submission.by_team_supervisor and submission.kind in registry.decided_by_managers()


def sent_by_team_supervisor():
    """`manager_decides` as a WHERE clause on Submission, for the manager's queue and its count."""
    return Submission.kind.in_(registry.decided_by_managers()) & Submission.by_team_supervisor.is_(True)


def waits_for(submission: Submission) -> str:
    """Whom a waiting item waits for, said to whoever cannot decide it (its sender above all)."""
    if manager_decides(submission):
        return "A supervisor of the team sent this, so another supervisor of the team or a service manager decides it."
    return "The supervisor of the case's team decides this."
