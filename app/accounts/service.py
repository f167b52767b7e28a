"""Accounts and teams: the rules, no HTTP."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import func
from sqlmodel import Session, select

from app import features
from app.accounts.models import Role, Team, User
from app.refused import Refused
from app.security import passwords, sessions
from app.security.secret_checks import PIN_RULE, is_pin

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(Refused, ValueError):
    def __init__(self, message: str, field: str = "email") -> None:
        super().__init__(message)
        self.field = field


def create_user(*, session: Session, email: str, full_name: str, role: str, team_id: int | None, password: str) -> User:
    """A new active account; refuses a taken email or a weak password."""
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise AccountError("Enter an email address like name@example.org.")
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        raise AccountError("An account with this email already exists.")
    problem = passwords.password_problem(password)
    if problem:
        raise AccountError(problem, field="password")
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=Role(role),
        team_id=team_id,
        password_hash=passwords.hash_password(password),
    )
    session.add(user)
    session.flush()
    _supervises(session, user)
    return user


def disable_user(*, session: Session, user: User) -> int:
    """Disable an account and end all of its sessions at once; how many items it leaves waiting
    with no supervisor to see them (0: none).

    Disabling is how an account is shut when someone leaves or it is compromised, so it is never
    refused: when it was the team's last active supervisor with work waiting, the installed
    features tell whoever must find the team another (the service's managers)."""
    waiting = _left_unsupervised(session, user)
    user.is_active = False
    session.add(user)
    sessions.end_all_sessions(session=session, user_id=user.id)
    if waiting:
        features.team_unsupervised(session=session, team_id=user.team_id, waiting=waiting)
    return waiting


def enable_user(*, session: Session, user: User) -> None:
    """Let a disabled account log in again (its old sessions stay ended)."""
    user.is_active = True
    session.add(user)
    _supervises(session, user)


def reset_password(*, session: Session, user: User, password: str) -> None:
    """An administrator sets a new password; every session of the account ends."""
    problem = passwords.password_problem(password)
    if problem:
        raise AccountError(problem, field="new_password")
    user.password_hash = passwords.hash_password(password)
    session.add(user)
    sessions.end_all_sessions(session=session, user_id=user.id)


def change_password(
    *, session: Session, user: User, current: str, new: str, keep_session_id: int | None = None
) -> None:
    """The user changes their own password; other devices are logged out, this one stays."""
    matches, _ = passwords.verify_password(current, user.password_hash)
    if not matches:
        raise AccountError("That is not your current password.", field="current_password")
    problem = passwords.password_problem(new)
    if problem:
        raise AccountError(problem, field="new_password")
    if new == current:
        raise AccountError("Choose a password different from the current one.", field="new_password")
    user.password_hash = passwords.hash_password(new)
    session.add(user)
    sessions.end_all_sessions(session=session, user_id=user.id, except_session_id=keep_session_id)


def change_role_and_team(
    *, session: Session, user: User, role: str, team_id: int | None, keep_session_id: int | None = None
) -> None:
    """Move an account to another role or team; workers and supervisors need a team.

    A change ends the account's sessions (but `keep_session_id`, an administrator's own): a session
    was let in for the role it had, and a role that needs the second factor (a manager's, say) must
    be entered with it, not carried over from a password-only login."""
    check_role_and_team(session=session, role=role, team_id=team_id)
    leaves_casework = team_id != user.team_id or Role(role) not in (Role.worker, Role.supervisor)
    if leaves_casework and user.role in (Role.worker, Role.supervisor):
        # A case belongs to its team; a worker leaving the team with cases would leave them held by
        # someone outside it, counted nowhere (docs/permissions.md "Accounts and teams").
        held = features.held_work(session=session, user_id=user.id)
        if held:
            cases = "1 open case" if held == 1 else f"{held} open cases"
            raise AccountError(
                f"{user.full_name} holds {cases} as key worker or co-worker. Ask their team's supervisor "
                "to reallocate them first, then change the team or role.",
                field="team_id" if team_id != user.team_id else "role",
            )
    if team_id != user.team_id or Role(role) is not Role.supervisor:
        _refuse_leaving_work_unsupervised(session, user, field="team_id" if team_id != user.team_id else "role")
    changed = Role(role) != Role(user.role) or team_id != user.team_id
    user.role = Role(role)
    user.team_id = team_id
    session.add(user)
    _supervises(session, user)
    if changed:
        sessions.end_all_sessions(session=session, user_id=user.id, except_session_id=keep_session_id)


def _refuse_leaving_work_unsupervised(session: Session, user: User, *, field: str) -> None:
    """The team's last active supervisor is not moved or given another role while work waits for
    them: reviews, endings and reopen requests to approve and items kept from offline go to the
    team's supervisor, and with none they would wait unseen."""
    waiting = _left_unsupervised(session, user)
    if waiting:
        raise AccountError(
            f"{waiting_words(waiting)} for the team's supervisor (work to review, endings or reopen requests to "
            "approve, items kept from offline), and this is the team's only supervisor. Make someone else the "
            "team's supervisor first.",
            field=field,
        )


def _supervises(session: Session, user: User) -> None:
    """`user` is an active supervisor of their team now: whoever was told the team had none is told
    no longer (the managers' notice leaves their list), and their own work still waiting for review
    is a supervisor's (app/review/service.py `supervisor_now`)."""
    if Role(user.role) is Role.supervisor and user.is_active and user.team_id is not None:
        features.team_supervised(session=session, team_id=user.team_id, supervisor_id=user.id)


def waiting_words(waiting: int) -> str:
    return "1 item waits" if waiting == 1 else f"{waiting} items wait"


def _left_unsupervised(session: Session, user: User) -> int:
    """What waits for the team's supervisor, if `user` is its last active one (else 0)."""
    if Role(user.role) is not Role.supervisor or not user.is_active or user.team_id is None:
        return 0
    others = session.exec(
        select(func.count())
        .select_from(User)
        .where(
            User.team_id == user.team_id,
            User.role == Role.supervisor,
            User.is_active.is_(True),
            User.id != user.id,
        )
    ).one()
    return 0 if others else features.team_waiting(session=session, team_id=user.team_id)


def check_role_and_team(*, session: Session, role: str, team_id: int | None) -> None:
    """Refuse a team that does not exist, or a worker or supervisor without a team."""
    if Role(role) in (Role.worker, Role.supervisor) and team_id is None:
        raise AccountError("Key workers and supervisors belong to a team: choose one.", field="team_id")
    if team_id is not None and session.get(Team, team_id) is None:
        raise AccountError("Please choose one of the teams shown.", field="team_id")


def check_pin(pin: str) -> None:
    """Refuse a PIN that is not 6 to 8 digits (shorter ones fall to offline guessing: docs/family-mode.md)."""
    if not is_pin(pin):
        raise AccountError(PIN_RULE, field="pin")


# The OWASP 2023 figure for PBKDF2-SHA256; the deployed value is the `pin_kdf_iterations` setting.
OFFLINE_PIN_ITERATIONS = 600_000
WRAP_SALT = b"wrap".hex()  # appended to pin_salt for the device-key wrapping key (offline.js)


def offline_pin_check(pin: str, salt_hex: str, iterations: int = OFFLINE_PIN_ITERATIONS) -> str:
    """PBKDF2-SHA256 of the PIN, as family.js computes it with WebCrypto."""
    return hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt_hex), iterations).hex()


def set_offline_pin_check(user: User, pin: str, iterations: int = OFFLINE_PIN_ITERATIONS) -> None:
    """A new salted check of the PIN for offline family mode (a new salt every time the PIN is set)."""
    user.pin_salt = secrets.token_hex(16)
    user.pin_iterations = iterations
    user.pin_check = offline_pin_check(pin, user.pin_salt, user.pin_iterations)
    # A second derivation, with another salt, wraps the key of the pages kept on a device.
    user.pin_wrap_key = offline_pin_check(pin, user.pin_salt + WRAP_SALT, user.pin_iterations)


def set_pin(*, session: Session, user: User, pin: str, iterations: int = OFFLINE_PIN_ITERATIONS) -> None:
    """Set the worker's family-mode PIN (6-8 digits), stored hashed, and its offline check."""
    check_pin(pin)
    user.pin_hash = passwords.hash_password(pin)
    user.pin_change_due = False
    set_offline_pin_check(user, pin, iterations)
    session.add(user)


def create_team(*, session: Session, name: str) -> Team:
    """A new team; names are unique (ignoring case) so people can tell teams apart."""
    name = _team_name(session=session, name=name)
    team = Team(name=name)
    session.add(team)
    session.flush()
    return team


def rename_team(*, session: Session, team: Team, name: str) -> None:
    """Give a team a new unique name."""
    team.name = _team_name(session=session, name=name, except_id=team.id)
    session.add(team)


def _team_name(*, session: Session, name: str, except_id: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise AccountError("Give the team a name.", field="name")
    if len(name) > 120:
        raise AccountError("Keep the name to 120 characters or fewer.", field="name")
    query = select(Team.id).where(func.lower(Team.name) == name.lower())
    if except_id is not None:
        query = query.where(Team.id != except_id)
    if session.exec(query).first() is not None:
        raise AccountError("A team with this name already exists.", field="name")
    return name


def teams(*, session: Session) -> list[Team]:
    return list(session.exec(select(Team).order_by(Team.name)).all())


def teams_with_counts(*, session: Session) -> list[tuple[Team, int]]:
    """Every team with how many active accounts it holds (one query)."""
    rows = session.exec(
        select(Team, func.count(User.id))
        .join(User, (User.team_id == Team.id) & User.is_active.is_(True), isouter=True)
        .group_by(Team.id)
        .order_by(Team.name)
    ).all()
    return [(team, count) for team, count in rows]


def users_with_teams(*, session: Session) -> list[tuple[User, str | None]]:
    """Every account with its team's name, active first then by name (one query)."""
    rows = session.exec(
        select(User, Team.name)
        .join(Team, Team.id == User.team_id, isouter=True)
        .order_by(User.is_active.desc(), User.full_name)
    ).all()
    return [(user, team_name) for user, team_name in rows]
