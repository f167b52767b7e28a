"""Competency ratings on a BASE assessment: the key worker's own, and the case supervisor's."""

from __future__ import annotations

from sqlmodel import Session

from app.accounts.models import Role, User
from app.audit import service as audit
from app.base.changes import VersionLocked
from app.base.models import COMPETENCY_LABELS, BaseVersion, Competency, VersionStatus
from app.cases.models import Case
from app.refused import Refused
from app.security.auth import Actor
from app.security.permissions import is_case_supervisor


def rates_as_supervisor(user: User, case: Case, key_worker: User | None) -> bool:
    """Whether `user` gives the supervisor's competency rating on the case's BASE assessment: the
    supervisor of its own team, unless they key-work it, since nobody supervises their own practice.
    When the key worker is a supervisor of the case's team, a service manager (who supervises the
    team's supervisors) rates too, so a team whose only supervisor key-works the case has someone."""
    if is_case_supervisor(user, case) and user.id != case.key_worker_id:
        return True
    return user.role == Role.manager and key_worker is not None and key_worker_supervises_team(key_worker, case)


def key_worker_supervises_team(key_worker: User | None, case: Case) -> bool:
    return key_worker is not None and key_worker.id == case.key_worker_id and is_case_supervisor(key_worker, case)


def set_competency(
    *, session: Session, version: BaseVersion, by: Actor, rating: str, as_supervisor: bool, was: str | None = None
) -> None:
    """The key worker's self-rating (draft only) or the case supervisor's rating of the same assessment;
    `was` is the rating the form's page showed ("" for none; None when the form did not say).

    A rating from anyone else is refused, never saved as the other one: a supervisor of another
    team co-working the case is one of its workers (app.security.permissions.is_case_supervisor),
    and a supervisor who key-works a case rates their own practice on it, not as its supervisor."""
    Competency(rating)
    case = session.get(Case, version.case_id)
    if as_supervisor and by.id == case.key_worker_id:
        raise Refused(
            "You are this case's key worker, so you rate your own practice on it: the supervisor's rating "
            "is not yours to give, and your rating was not saved.",
            field="competency",
        )
    if as_supervisor and not rates_as_supervisor(by.user, case, session.get(User, case.key_worker_id)):
        raise Refused(
            "Only the supervisor of this case's team rates it as supervisor, so your rating was not saved.",
            field="competency",
        )
    if not as_supervisor and by.id != case.key_worker_id:
        raise Refused(
            "Only the key worker rates their own practice on this assessment, so your rating was not saved.",
            field="competency",
        )
    now = version.competency_supervisor if as_supervisor else version.competency_self
    if was is not None and (was or None) != now and rating != now:
        # A rating sent from a page kept on the device must not undo one made since (docs/offline.md).
        raise Refused(
            f"The rating was changed to {COMPETENCY_LABELS.get(now, now) if now else 'not rated'} since this page was "
            "opened, so yours was not saved. Choose again if you still want to change it.",
            field="competency",
        )
    if as_supervisor:
        version.competency_supervisor = rating
        version.competency_supervisor_by_id = by.id
    else:
        if version.status != VersionStatus.draft:
            raise VersionLocked()
        version.competency_self = rating
    session.add(version)
    audit.record(
        session=session,
        actor=by,
        action="update",
        object_type="base_version",
        object_id=version.id,
        case_id=version.case_id,
        detail="competency supervisor" if as_supervisor else "competency self",
    )
