"""Who may see which case: the one place every case route asks (DESIGN.md "Security").

- a worker: cases they key-work or co-work;
- a supervisor: their team's cases (and any they key-work or co-work);
- a manager: every case in the service;
- an admin: accounts and teams, not casework.

A case the user may not see is answered with 404, not 403, so its existence does not leak.
"""

from __future__ import annotations

from fastapi import HTTPException
from sqlalchemy import false, or_, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from app.accounts.models import Role, User
from app.audit import service as audit
from app.cases.models import Case
from app.ids import is_valid_id
from app.locks import hold_case_write_lock
from app.security.auth import Actor
from app.transaction_memos import for_transaction, remember_for_transaction


def visible_cases(user: User) -> ColumnElement[bool]:
    """A WHERE clause selecting the cases `user` may see; use it in every case list query."""
    role = Role(user.role)
    if role is Role.worker:
        return or_(Case.key_worker_id == user.id, Case.co_worker_id == user.id)
    if role is Role.supervisor:
        # Their team's cases, and any case they hold themselves (a supervisor may co-work one).
        own = or_(Case.key_worker_id == user.id, Case.co_worker_id == user.id)
        return or_(Case.team_id == user.team_id, own) if user.team_id is not None else own
    if role is Role.manager:
        return true()
    return false()


def can_see_case(user: User, case: Case) -> bool:
    """The same rule as visible_cases, for one case already loaded."""
    role = Role(user.role)
    if role is Role.worker:
        return user.id in (case.key_worker_id, case.co_worker_id)
    if role is Role.supervisor:
        return user.id in (case.key_worker_id, case.co_worker_id) or (
            user.team_id is not None and case.team_id == user.team_id
        )
    return role is Role.manager


def can_change_case(user: User, case: Case) -> bool:
    """Casework is written by the case's workers and their supervisor; managers read."""
    role = Role(user.role)
    if role is Role.worker:
        return user.id in (case.key_worker_id, case.co_worker_id)
    if role is Role.supervisor:
        return user.id in (case.key_worker_id, case.co_worker_id) or (
            user.team_id is not None and case.team_id == user.team_id
        )
    return False


def is_case_supervisor(user: User, case: Case) -> bool:
    """The supervisor of the case's own team: who reopens it, reallocates it, writes its
    supervision notes. A supervisor of another team co-working the case is one of its workers."""
    return Role(user.role) is Role.supervisor and user.team_id is not None and user.team_id == case.team_id


def case_for_change(session: Session, case_id: int) -> Case | None:
    """The case as it stands once this transaction has the case writers' turn (app/locks.py).

    A change takes the turn before it reads anything of the case, so every check it makes (a
    version, a status, "already waiting") is made on what others committed before it, never on
    rows read while another change was being saved. Taken at the first write instead, as until
    December 2026, two edits of one record could both pass their version check and the second
    overwrite the first, unnoticed. The case is read after the turn is taken (again, if this
    transaction read it before), once per transaction."""
    hold_case_write_lock(session)
    fresh = for_transaction(session, "cases_read_for_change") or frozenset()
    case = session.get(Case, case_id, populate_existing=case_id not in fresh)
    if case is not None:
        remember_for_transaction(session, "cases_read_for_change", fresh | {case_id})
    return case


def get_case(
    *, session: Session, actor: Actor, case_id: int, write: bool = False, audit_read: bool = True, turn: bool = True
) -> Case:
    """The case if `actor` may see it (and change it, with write=True), else 404 / 403.

    Reads are audited here, so no case route can forget to (DESIGN.md: reads of case records
    are audited too), also when a page opens the case to change it (an edit form, the family
    screens): whatever a GET opens, it shows. Writes are audited by the services that make them.

    A change (a POST with write=True) takes the case writers' turn before reading the case
    (`case_for_change`); `turn=False` leaves that to its first write, for changes that check no
    version or status of what they read, and do slow work first (a PIN's hash).
    """
    if write and turn and actor.method not in ("GET", "HEAD") and is_valid_id(case_id):
        case = case_for_change(session, case_id)
    else:
        case = session.get(Case, case_id) if is_valid_id(case_id) else None
    if case is None or not can_see_case(actor.user, case):
        raise HTTPException(status_code=404)
    if actor.in_family_mode and actor.user_session.family_case_id != case.id:
        raise HTTPException(status_code=404)
    if write and not can_change_case(actor.user, case):
        raise HTTPException(
            status_code=403, detail="Only the case's workers and their supervisor can change this case."
        )
    if audit_read and (not write or actor.method in ("GET", "HEAD")):
        audit.record(
            session=session, actor=actor, action="read", object_type="case", object_id=case.id, case_id=case.id
        )
    return case
