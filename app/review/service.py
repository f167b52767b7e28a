"""Submitting, reviewing and returning work; supervision notes; notifications (no HTTP here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from app.accounts.models import Role, Team, User
from app.accounts.service import waiting_words
from app.cases.models import Case
from app.refused import Refused
from app.review import registry
from app.review.models import (
    CompetencyRating,
    NoteKind,
    Notification,
    ReviewComment,
    Submission,
    SubmissionStatus,
    SupervisionNote,
    waiting_for_review,
)
from app.security.permissions import can_see_case
from app.timeutil import utcnow

# --- Submitting -------------------------------------------------------------------------------


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
    if manager_decides(submission, by):
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


# --- Reading ----------------------------------------------------------------------------------


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


def can_review(user: User, submission: Submission, submitter: User | None) -> bool:
    """The team's supervisor decides; nobody reviews their own work. What a supervisor of the team
    sent (a case they key-work) a service manager decides too, since a team's only supervisor has
    nobody else to: `manager_decides`. `submitter` is the user who sent it."""
    if user.id == submission.submitted_by_id:
        return False
    if user.role == Role.supervisor:
        return user.team_id == submission.team_id
    return user.role == Role.manager and manager_decides(submission, submitter)


def manager_decides(submission: Submission, submitter: User | None) -> bool:
    """Whether a service manager may decide this: a supervisor of the item's team sent it, and
    approving it only records the decision (a kind whose approval moves the case, an ending or a
    reopening, is casework a manager does not do; supervisors make those directly anyway)."""
    return (
        submitter is not None
        and submitter.id == submission.submitted_by_id
        and submitter.role == Role.supervisor
        and submitter.team_id == submission.team_id
        and submission.kind in registry.decided_by_managers()
    )


def sent_by_team_supervisor():
    """`manager_decides` as a WHERE clause on Submission, for the manager's queue and its count."""
    sender = aliased(User)  # the queue joins its own User (the worker shown)
    return Submission.kind.in_(registry.decided_by_managers()) & (
        select(sender.id)
        .where(
            sender.id == Submission.submitted_by_id,
            sender.role == Role.supervisor,
            sender.team_id == Submission.team_id,
        )
        .exists()
    )


def waits_for(submission: Submission, submitter: User | None) -> str:
    """Whom a waiting item waits for, said to whoever cannot decide it (its sender above all)."""
    if manager_decides(submission, submitter):
        return "A supervisor of the team sent this, so another supervisor of the team or a service manager decides it."
    return "The supervisor of the case's team decides this."


# --- Deciding ---------------------------------------------------------------------------------


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


# --- Supervision notes ------------------------------------------------------------------------


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


# --- Notifications ----------------------------------------------------------------------------


def item_about(kind: str, item_id: str) -> str:
    """What a review notification is about: the item, whichever version of it is in front of whom."""
    return f"item:{kind}:{item_id}"[:120]


def notify(*, session: Session, user_id: int, text: str, url: str = "", about: str = "") -> Notification:
    """An in-app notification (no e-mail yet); the same live one twice is kept once."""
    text = text[:300]
    if about:
        same = session.exec(
            select(Notification).where(
                Notification.user_id == user_id,
                Notification.about == about,
                Notification.text == text,
                Notification.cleared_at.is_(None),
            )
        ).first()
        if same is not None:
            return same
    note = Notification(user_id=user_id, text=text, url=url, about=about)
    session.add(note)
    session.flush()
    return note


def clear_notifications(*, session: Session, about: str, at: datetime | None = None) -> int:
    """The thing `about` was acted on: its notifications leave everyone's list and header count."""
    notes = session.exec(
        select(Notification).where(Notification.about == about, Notification.cleared_at.is_(None))
    ).all()
    for note in notes:
        note.cleared_at = at or utcnow()
        session.add(note)
    session.flush()
    return len(notes)


def tell_of_reallocation(*, session: Session, case: Case, before: set[int | None], text: str, by: User) -> None:
    """Tell everyone a reallocation concerns: who holds `case` now, with its link, and who held it
    (`before`). A worker it left who can no longer see the case is told without a link, and its
    live review notifications leave their list: their links would answer 404, and what was
    returned is the new key worker's to answer now."""
    holders = {case.key_worker_id, case.co_worker_id} - {None}
    left = set(before) - holders - {None}
    gone = (
        {u.id for u in session.exec(select(User).where(User.id.in_(left))).all() if not can_see_case(u, case)}
        if left
        else set()
    )
    about = f"case:{case.id}"
    if gone:
        items = session.exec(
            select(Submission.kind, Submission.item_id).where(Submission.case_id == case.id).distinct()
        ).all()
        abouts = [about, *(item_about(kind, item_id) for kind, item_id in items)]
        for note in session.exec(
            select(Notification).where(
                Notification.user_id.in_(gone), Notification.about.in_(abouts), Notification.cleared_at.is_(None)
            )
        ).all():
            note.cleared_at = utcnow()
            session.add(note)
        session.flush()
    for user_id in (holders | left) - {by.id}:
        notify(
            session=session,
            user_id=user_id,
            text=text,
            url="" if user_id in gone else f"/cases/{case.id}",
            about=about,
        )


def tell_managers_unsupervised(*, session: Session, team_id: int, waiting: int) -> None:
    """The team's last supervisor was disabled with work waiting: every active manager is told, with
    the team's oversight, so someone is made its supervisor and the work is seen."""
    team = session.get(Team, team_id)
    text = (
        f"{team.name if team else 'A team'} has no active supervisor now: {waiting_words(waiting)} for one (work to review, "
        "endings or reopen requests to approve, items kept from offline). Ask for someone to be made the "
        "team's supervisor."
    )
    for manager_id in session.exec(select(User.id).where(User.role == Role.manager, User.is_active.is_(True))).all():
        notify(
            session=session,
            user_id=manager_id,
            text=text,
            url=f"/review/oversight?team={team_id}",
            about=_unsupervised_about(team_id),
        )


def clear_unsupervised(*, session: Session, team_id: int) -> None:
    """The team has an active supervisor again: the managers' "no active supervisor" notice is done with."""
    clear_notifications(session=session, about=_unsupervised_about(team_id))


def _unsupervised_about(team_id: int) -> str:
    return f"team:{team_id}:unsupervised"


def _live(user: User):
    return (Notification.user_id == user.id, Notification.cleared_at.is_(None))


def unread_count(*, session: Session, user: User) -> int:
    return session.exec(
        select(func.count()).select_from(Notification).where(*_live(user), Notification.read_at.is_(None))
    ).one()


def notifications(*, session: Session, user: User, limit: int = 50) -> list[Notification]:
    """The user's notifications still about something to do or know, newest first."""
    return list(
        session.exec(
            select(Notification).where(*_live(user)).order_by(Notification.created_at.desc()).limit(limit)
        ).all()
    )


def open_notification(*, session: Session, user: User, notification_id: str) -> Notification | None:
    """Mark one of the user's notifications read, to follow its link."""
    note = session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        return None
    if note.read_at is None:
        note.read_at = utcnow()
        session.add(note)
        session.flush()
    return note


def mark_all_read(*, session: Session, user: User, at: datetime | None = None) -> None:
    for note in session.exec(
        select(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ).all():
        note.read_at = at or utcnow()
        session.add(note)
    session.flush()
