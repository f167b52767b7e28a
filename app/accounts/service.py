"""Accounts and teams: the rules, no HTTP."""
from __future__ import annotations

import re

from sqlmodel import Session, select

from app.accounts.models import Role, Team, User
from app.security import passwords, sessions

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
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
    user = User(email=email, full_name=full_name.strip(), role=Role(role), team_id=team_id, password_hash=passwords.hash_password(password))
    session.add(user)
    session.flush()
    return user


def disable_user(*, session: Session, user: User) -> None:
    """Disable an account and end all of its sessions at once."""
    user.is_active = False
    session.add(user)
    sessions.end_all_sessions(session=session, user_id=user.id)


def set_pin(*, session: Session, user: User, pin: str) -> None:
    """Set the worker's family-mode PIN (4-6 digits), stored hashed."""
    if not (pin.isdigit() and 4 <= len(pin) <= 6):
        raise AccountError("Use 4 to 6 digits.", field="pin")
    user.pin_hash = passwords.hash_password(pin)
    session.add(user)


def teams(*, session: Session) -> list[Team]:
    return list(session.exec(select(Team).order_by(Team.name)).all())
