"""A BASE assessment is a versioned document; service-user feedback is append-only rows.

A version holds the five stages as one JSON document: a submitted version is an immutable
snapshot, and a change makes a new version that starts as a copy (DESIGN.md "Assessments").
Items inside carry their own UUID (made on the tablet when offline) and their own revision, the
version an offline edit of that item is merged against field by field (docs/offline.md).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.cases.models import new_id
from app.timeutil import utcnow


class VersionStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"


class Competency(StrEnum):
    basic = "basic"
    competent = "competent"
    advanced = "advanced"


COMPETENCY_LABELS = {Competency.basic: "Basic", Competency.competent: "Competent", Competency.advanced: "Advanced"}


class BaseVersion(SQLModel, table=True):
    __tablename__ = "base_version"
    __table_args__ = (
        UniqueConstraint("case_id", "number", name="uq_base_version_case_number"),
        Index("ix_base_version_case_status", "case_id", "status"),
        Index("ix_base_version_status_risk", "status", "overall_risk"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    number: int = Field(default=1)
    status: str = Field(default=VersionStatus.draft, max_length=20)
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Copied out of the content so lists and the supervisor's queue can filter without JSON.
    overall_risk: str | None = Field(default=None, max_length=10)
    plan_finalised_at: datetime | None = None
    competency_self: str | None = Field(default=None, max_length=20)
    competency_supervisor: str | None = Field(default=None, max_length=20)
    competency_supervisor_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int = Field(foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None
    submitted_by_id: int | None = Field(default=None, foreign_key="user.id")


class Perspective(StrEnum):
    young_person = "young_person"
    parent = "parent"
    social_worker = "social_worker"


PERSPECTIVE_LABELS = {
    Perspective.young_person: "Young person",
    Perspective.parent: "Parent or carer",
    Perspective.social_worker: "Social worker",
}


class BaseFeedback(SQLModel, table=True):
    """One person's service-user feedback about one worker at one review round; never edited.

    Each answer stores the question's theme and wording as asked, so editing the question sets
    later does not change what someone was asked (PRACTICE.md "Service-user feedback").
    """

    __tablename__ = "base_feedback"
    __table_args__ = (Index("ix_base_feedback_case_round", "case_id", "round"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    perspective: str = Field(max_length=20)
    rater_name: str = Field(default="", max_length=120)  # as they were called when they answered
    # The person of the family who answered; None for the social worker's (a name typed in).
    rater_person_id: str | None = Field(default=None, foreign_key="person.id", max_length=36)
    about_worker_id: int | None = Field(default=None, foreign_key="user.id")
    round: int = Field(default=1)
    question_set: str = Field(default="", max_length=40)
    answers: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    given_in_family_mode: bool = False
    recorded_at: datetime = Field(default_factory=utcnow)
    recorded_by_id: int = Field(foreign_key="user.id")
