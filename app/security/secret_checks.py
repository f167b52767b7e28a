"""Checks of a worker's PIN or password outside the login page (hand-over, hand-back, profile).

Each check counts with logins, per account and address (app.security.throttle), so a session left
with a family, or taken over, cannot be used to guess the worker's secrets; each is audited,
success and failure, never the secret. At `login_max_failures` open failures the session ends
(the worker logs in again; their account elsewhere is untouched).
"""

from __future__ import annotations

import re

from sqlmodel import Session

from app.audit import service as audit
from app.config import Settings
from app.security import passwords, throttle
from app.security.auth import Actor
from app.security.sessions import end_session

# At least 6 digits: the offline check on the tablet's page can be guessed at leisure, and 4
# digits fall in minutes even at 600,000 PBKDF2 iterations (docs/family-mode.md, threat model).
PIN_PATTERN = re.compile(r"[0-9]{6,8}")
PIN_RULE = "Use 6 to 8 digits."
LOCKED = "Too many wrong tries. For safety, your worker must log in again."


class SecretLocked(Exception):
    """Too many wrong PINs or passwords: the session has been ended."""

    def __init__(self, message: str = LOCKED) -> None:
        self.message = message


def is_pin(secret: str) -> bool:
    return bool(PIN_PATTERN.fullmatch(secret))


def secret_matches(actor: Actor, secret: str, *, pin_allowed: bool = True) -> tuple[bool, str]:
    """Whether `secret` is the worker's PIN (a current one) or password, and which one was tried."""
    user = actor.user
    if pin_allowed and is_pin(secret) and user.pin_hash and not user.pin_change_due:
        ok, _ = passwords.verify_password(secret, user.pin_hash)
        if ok:
            return True, "pin"
    ok, _ = passwords.verify_password(secret, user.password_hash)
    return ok, "password"


def _locked(*, session: Session, actor: Actor, settings: Settings) -> bool:
    failures = throttle.pair_failures(session=session, email=actor.user.email, address=actor.address, settings=settings)
    return failures >= settings.login_max_failures


def check_worker_secret(
    *, session: Session, actor: Actor, settings: Settings, secret: str, where: str, pin_allowed: bool = True
) -> tuple[bool, str]:
    """(matches, "pin" or "password"), counted like a login and audited; raises SecretLocked at the limit.

    `where` names the screen in the audit entry ("hand_over", "hand_back", "profile_pin", ...).
    """
    if _locked(session=session, actor=actor, settings=settings):
        _lock(session=session, actor=actor, where=where)
    ok, how = secret_matches(actor, secret, pin_allowed=pin_allowed)
    throttle.record_attempt(
        session=session, email=actor.user.email, address=actor.address, succeeded=ok, kind=throttle.SECRET_CHECK
    )
    audit.record(
        session=session,
        actor=actor,
        action="secret_check" if ok else "secret_check_failed",
        object_type="session",
        object_id=actor.user_session.id,
        case_id=actor.user_session.family_case_id,
        detail=f"{where}: {how}",
    )
    if not ok:
        session.flush()
        if _locked(session=session, actor=actor, settings=settings):
            _lock(session=session, actor=actor, where=where)
    return ok, how


def _lock(*, session: Session, actor: Actor, where: str) -> None:
    audit.record(
        session=session,
        actor=actor,
        action="session_ended_locked",
        object_type="session",
        object_id=actor.user_session.id,
        case_id=actor.user_session.family_case_id,
        detail=f"{where}: too many wrong PINs or passwords",
    )
    end_session(session=session, user_session=actor.user_session)
    raise SecretLocked()
