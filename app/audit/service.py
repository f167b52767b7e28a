"""Writing and reading the audit log. Entries carry ids and short descriptions, never personal data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import event
from sqlmodel import Session, select

from app.accounts.models import User
from app.audit import chain  # also links every new entry into the hash chain as it is flushed
from app.audit.models import AuditEntry
from app.db import PENDING_AT_COMMIT
from app.security.auth import Actor
from app.timeutil import utcnow


def record(
    *,
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object = "",
    case_id: int | None = None,
    detail: str = "",
) -> None:
    """Add one audit entry in the request's transaction, so it commits or rolls back with the change.

    A read or a list is written just before the transaction commits (the commit that comes before
    the response: app/db.py), not at the next flush: a case page reads dozens of rows after the
    read is recorded, and the entry's write is best kept for the end, after everything else."""
    row = {
        "at": utcnow(),
        "user_id": actor.id,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id)[:64],
        "case_id": case_id,
        "request_id": actor.request_id,
        "user_agent": actor.user_agent,
        "address": actor.address,
        "detail": detail[:DETAIL_LENGTH],
    }
    if action in WRITTEN_AT_COMMIT:
        session.info.setdefault(_AT_COMMIT, []).append(row)
    else:
        session.add(AuditEntry(**row))


WRITTEN_AT_COMMIT = ("read", "list")
DETAIL_LENGTH = 300  # AuditEntry.detail's length
_AT_COMMIT = PENDING_AT_COMMIT  # get_session commits for them even with no transaction begun


@event.listens_for(Session, "before_commit")
def _write_reads(session: Session) -> None:
    rows = session.info.pop(_AT_COMMIT, None)
    if rows:
        # One INSERT on the transaction's connection, not the unit of work: nothing else in the
        # request refers to these rows, and a repeat case view spends a good part of its time here.
        chain.write(session, rows)


@event.listens_for(Session, "after_soft_rollback")
def _drop_reads(session: Session, previous) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint within it
        session.info.pop(_AT_COMMIT, None)


def record_list(*, session: Session, actor: Actor, object_type: str, case_ids: list[int], detail: str = "") -> None:
    """What a list showed (a caseload, the review queue): one entry naming the case ids on it,
    so "who saw that this case exists" can be answered too, not only who opened it."""
    ids = [str(i) for i in sorted(set(case_ids))]
    if not ids:
        record(
            session=session, actor=actor, action="list", object_type=object_type, detail=f"{detail} no cases".strip()
        )
        return
    # As many entries as the ids need, each within the detail's 300 characters and never a number
    # cut short (a list of 50 five-digit ids is 305 characters: cut, "48213" read "48").
    lead = f"{detail} cases ".lstrip()
    room = DETAIL_LENGTH - len(lead)
    chunk: list[str] = []
    for case_id in ids:
        if chunk and len(",".join([*chunk, case_id])) > room:
            record(session=session, actor=actor, action="list", object_type=object_type, detail=lead + ",".join(chunk))
            chunk = []
        chunk.append(case_id)
    record(session=session, actor=actor, action="list", object_type=object_type, detail=lead + ",".join(chunk))


def record_refusal(
    *, engine, user_id: int, request_id: str, route: str, method: str, status: int, case_ref: str
) -> None:
    """A refused attempt (403/404) on a case route, in a transaction of its own: the request's own
    transaction has been rolled back by then, and a refusal is worth keeping precisely because
    nothing else was."""
    with Session(engine) as own:
        own.add(
            AuditEntry(
                user_id=user_id,
                action="refused",
                object_type="case",
                object_id=case_ref[:64],
                request_id=request_id[:32],
                detail=f"{method} {route} answered {status}"[:300],
            )
        )
        own.commit()


def record_anonymous(
    *,
    session: Session,
    action: str,
    request_id: str,
    user_agent: str,
    address: str,
    user_id: int | None = None,
    detail: str = "",
) -> None:
    """An entry for events before a session exists (logins)."""
    session.add(
        AuditEntry(
            user_id=user_id,
            action=action,
            object_type="session",
            request_id=request_id,
            user_agent=user_agent[:300],
            address=address[:64],
            detail=detail[:300],
        )
    )


def case_trail(*, session: Session, case_id: int, limit: int = 500) -> list[tuple[AuditEntry, str | None]]:
    """A case's audit entries, newest first, with the name of who acted (one query)."""

    rows = session.exec(
        select(AuditEntry, User.full_name)
        .join(User, User.id == AuditEntry.user_id, isouter=True)
        .where(AuditEntry.case_id == case_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    ).all()
    return list(rows)


def search(
    *,
    session: Session,
    case_id: int | None = None,
    user_id: int | None = None,
    person_id: str = "",
    action: str = "",
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 500,
) -> list[tuple[AuditEntry, str | None]]:
    """Entries matching every filter given, newest first, with the name of who acted (one query)."""
    query = select(AuditEntry, User.full_name).join(User, User.id == AuditEntry.user_id, isouter=True)
    if case_id is not None:
        query = query.where(AuditEntry.case_id == case_id)
    if user_id is not None:
        query = query.where(AuditEntry.user_id == user_id)
    if person_id:
        query = query.where(AuditEntry.object_type == "person", AuditEntry.object_id == person_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if start is not None:
        query = query.where(AuditEntry.at >= start)
    if end is not None:
        query = query.where(AuditEntry.at < end)
    return list(session.exec(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)).all())
