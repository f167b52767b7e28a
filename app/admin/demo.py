"""Demo failed log-ins: what an administrator sees at /admin/failed-logins, and the notice a
worker gets at their next login (app/security/throttle.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from app.security.models import LoginAttempt
from app.timeutil import utcnow


def load(*, session: Session, demo) -> None:
    now = utcnow()
    worker = demo.users.get("worker2")
    if worker is not None:
        # Someone tried the second worker's account overnight from a café's address: three wrong
        # passwords, not enough to make anyone wait; the worker is told at their next login.
        session.add_all(
            LoginAttempt(email=worker.email, address="203.0.113.24", at=now - timedelta(hours=9, minutes=m))
            for m in (0, 1, 3)
        )
    # Someone guessing an account that does not exist: past the free tries, so their next try waits.
    session.add_all(
        LoginAttempt(email="j.smith@example.org", address="198.51.100.77", at=now - timedelta(minutes=50 - m))
        for m in range(8)
    )
