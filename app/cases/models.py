"""A case: one young person and their family, held by one key worker (PRACTICE.md "Who and where").

Records that a worker may create offline (people, events, contacts, and every framework's items)
have UUID string ids, so the id generated on the tablet is the id stored (DESIGN.md "Offline").
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.timeutil import utcnow


def new_id() -> str:
    return str(uuid.uuid4())


class CaseStatus(StrEnum):
    referred = "referred"
    screening = "screening"
    active = "active"
    dormant = "dormant"
    closed = "closed"


class PracticeContext(StrEnum):
    early_help = "early_help"
    cin = "cin"
    cp = "cp"
    cla = "cla"


PRACTICE_CONTEXT_LABELS = {
    PracticeContext.early_help: "Early help",
    PracticeContext.cin: "Child in need",
    PracticeContext.cp: "Child protection",
    PracticeContext.cla: "Child looked after",
}


class Case(SQLModel, table=True):
    __table_args__ = (
        Index("ix_case_key_worker_status", "key_worker_id", "status"),
        Index("ix_case_co_worker_status", "co_worker_id", "status"),
        Index("ix_case_team_status", "team_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)  # HW-2026-0042
    young_person_name: str = Field(max_length=120)
    preferred_name: str = Field(default="", max_length=80)
    date_of_birth: date | None = None
    status: str = Field(default=CaseStatus.referred, max_length=20, index=True)
    practice_context: str = Field(default=PracticeContext.early_help, max_length=20)
    key_worker_id: int = Field(foreign_key="user.id")
    co_worker_id: int | None = Field(default=None, foreign_key="user.id")
    team_id: int = Field(foreign_key="team.id")
    referral_date: date | None = None
    next_review_on: date | None = None
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    # Bumped on every change to the case record itself; offline edits carry the version they
    # started from, and a mismatch becomes a conflict rather than an overwrite.
    version: int = Field(default=1)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.young_person_name


class Person(SQLModel, table=True):
    """A family or network member; the young person is one too (is_young_person)."""

    __table_args__ = (Index("ix_person_case", "case_id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    name: str = Field(max_length=120)
    relationship: str = Field(default="", max_length=60)  # "Mother", "Grandmother", "Young person"
    is_young_person: bool = False
    in_household: bool = False
    knows_the_worries: bool = False
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)
    address: str = Field(default="", max_length=300)
    date_of_birth: date | None = None
    notes: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    # Bumped on every edit; an offline edit from an older version becomes a conflict.
    version: int = Field(default=1)
    updated_at: datetime = Field(default_factory=utcnow)


class CaseEvent(SQLModel, table=True):
    """The case's timeline of decisions: referral, screening, consent, status changes, step-up/down.

    Every event names who and why (PRACTICE.md: decisions need a recorded rationale).
    """

    __tablename__ = "case_event"
    __table_args__ = (Index("ix_case_event_case_at", "case_id", "occurred_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    kind: str = Field(max_length=40)  # referral, status_change, step_up, step_down, consent, ...
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str | None = Field(default=None, max_length=20)
    rationale: str = Field(default="", max_length=4000)
    occurred_at: datetime = Field(default_factory=utcnow)
    recorded_at: datetime = Field(default_factory=utcnow)
    by_user_id: int = Field(foreign_key="user.id")
