"""Login throttling per account and per client address.

After `login_max_failures` failures for one email within `login_window_minutes`, that account is
locked for `login_lockout_minutes` from the last failure; a client address gets a larger allowance
(an office shares one address). Counted in the database, so several app processes agree.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from app.config import Settings
from app.security.models import LoginAttempt
from app.timeutil import utcnow


def is_locked(*, session: Session, email: str, address: str, settings: Settings) -> bool:
    """Whether a login for this email or from this address must be refused for now."""
    now = utcnow()
    window_start = now - timedelta(minutes=max(settings.login_window_minutes, settings.login_lockout_minutes))
    failures, last = session.exec(
        select(func.count(), func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at >= now - timedelta(minutes=settings.login_window_minutes),
        )
    ).one()
    if (
        failures >= settings.login_max_failures
        and last
        and now < last + timedelta(minutes=settings.login_lockout_minutes)
    ):
        return True
    by_address = session.exec(
        select(func.count()).where(
            LoginAttempt.address == address,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at >= window_start,
        )
    ).one()
    return by_address >= settings.login_max_failures_per_address


def record_attempt(*, session: Session, email: str, address: str, succeeded: bool) -> None:
    session.add(LoginAttempt(email=email, address=address[:64], succeeded=succeeded))
