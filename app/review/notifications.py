"""In-app notifications: telling whoever a review, a reallocation or an unsupervised team concerns, and
clearing what was acted on.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from app.accounts.models import Role, Team, User
from app.accounts.service import waiting_words
from app.cases.models import Case
from app.review.models import Notification, Submission
from app.security.permissions import can_see_case
from app.timeutil import utcnow


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
