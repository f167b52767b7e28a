"""A hand-over of the worker's tablet to the family (DESIGN.md "Family mode").

The session row says *that* the tablet is with the family (UserSession.family_case_id); this row
keeps what the hand-over needs beyond that: when it started and ended, how it ended, and the
salted secrets the browser uses to hold the lock while offline (never the PIN itself).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.timeutil import utcnow


class FamilyHandover(SQLModel, table=True):
    __tablename__ = "family_handover"
    __table_args__ = (
        Index("ix_family_handover_session", "user_session_id"),
        Index("ix_family_handover_case", "case_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_session_id: int = Field(foreign_key="user_session.id")
    case_id: int = Field(foreign_key="case.id")
    started_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    ended_how: str = Field(default="", max_length=20)  # pin, password, offline_pin, lockout
    # PBKDF2-SHA256 of the PIN with `pin_salt`: the browser checks a typed PIN against it offline.
    pin_salt: str = Field(default="", max_length=64)
    pin_check: str = Field(default="", max_length=128)
    # PBKDF2-SHA256 of the PIN with `token_salt` is the hand-back token an offline hand-back
    # replays later; only its SHA-256 is kept, so the page alone cannot end family mode.
    token_salt: str = Field(default="", max_length=64)
    token_hash: str = Field(default="", max_length=128)
    iterations: int = Field(default=100_000)
    # The day the family's ratings in this hand-over count as given: the worker sets it before
    # handing over (today, or earlier for a visit recorded afterwards); the family sees no date.
    rated_on: date | None = None


class FamilyLanguage(SQLModel, table=True):
    """An administrator's choice for one language of the family screens (issue 22).

    A language without a row is offered; `enabled` False takes it off the family screens (the
    screens then open in English) until a qualified translator has checked its catalog. The
    review status itself lives in the catalog's header (app/i18n.py `review_status`).
    """

    __tablename__ = "family_language"

    code: str = Field(primary_key=True, max_length=8)
    enabled: bool = True
    changed_by_id: int | None = Field(default=None, foreign_key="user.id")
    changed_at: datetime = Field(default_factory=utcnow)
