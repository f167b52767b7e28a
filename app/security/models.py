"""Server-side sessions and login attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel

from app.timeutil import utcnow


class UserSession(SQLModel, table=True):
    """One logged-in device. The cookie holds a signed random token; we store only its hash."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    ended_at: datetime | None = None
    user_agent: str = Field(default="", max_length=300)
    # Set while the tablet is handed to a family (family mode): the only case reachable.
    family_case_id: int | None = Field(default=None, foreign_key="case.id")
    family_person_id: str | None = Field(default=None, max_length=36)  # a Person id (UUID)
    family_pin_failures: int = Field(default=0)
    # "password" or "sso": a session begun at the council's provider offers its sign-out at logout.
    signed_in_with: str = Field(default="password", max_length=20)


class LoginAttempt(SQLModel, table=True):
    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_at", "email", "at"),
        Index("ix_login_attempt_address_at", "address", "at"),
        Index("ix_login_attempt_email_address_at", "email", "address", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    address: str = Field(max_length=64)
    succeeded: bool = False
    at: datetime = Field(default_factory=utcnow)
    # "login", "second_factor" or "secret_check" (app.security.throttle).
    kind: str = Field(default="login", max_length=20)
    # Set when a success from the same address, or an administrator's unlock, clears the failure.
    cleared_at: datetime | None = None


class SecondFactor(SQLModel, table=True):
    """A person's authenticator app (TOTP, RFC 6238). Unconfirmed until they type a code from it."""

    __tablename__ = "second_factor"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True)
    # The shared secret, encrypted with a key derived from SECRET_KEY (app/security/totp.py).
    secret_sealed: str = Field(max_length=255)
    confirmed_at: datetime | None = None
    # The 30-second time step of the last accepted code: a code is accepted once, never replayed.
    last_used_step: int = Field(default=0, sa_type=BigInteger)
    created_at: datetime = Field(default_factory=utcnow)


class RecoveryCode(SQLModel, table=True):
    """One of ten one-use codes for when the authenticator app is lost; only a keyed hash is kept."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = None
