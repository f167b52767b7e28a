"""Supervision: submissions for review, their comments, supervision notes, competency, notifications.

A `Submission` is one version of one reviewable item (a Signs of Safety map version, a BASE
assessment version, network meeting notes, an ending, a reopen request) put in front of the
supervisor. Decisions are recorded on it once and never changed; a returned item comes back as a
new Submission with the next version number, so the whole history stays (DESIGN.md "Review").
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from functools import cache

from sqlalchemy import Index, UniqueConstraint, and_
from sqlalchemy.orm import aliased
from sqlmodel import Field, SQLModel, select

from app.cases.models import new_id
from app.timeutil import utcnow


class SubmissionStatus(StrEnum):
    waiting = "waiting"
    approved = "approved"
    returned = "returned"
    # A newer version of the item was sent before this one was decided: the newer one waits instead.
    superseded = "superseded"


class Submission(SQLModel, table=True):
    __tablename__ = "review_submission"
    __table_args__ = (
        Index("ix_review_submission_team_status", "team_id", "status", "submitted_at"),
        Index("ix_review_submission_case_kind", "case_id", "kind", "item_id"),
        Index("ix_review_submission_worker_status", "submitted_by_id", "status"),
        # Each version of an item is submitted once (migration 0029).
        Index("uq_review_submission_version", "kind", "item_id", "version_number", unique=True),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    kind: str = Field(max_length=30)
    case_id: int = Field(foreign_key="case.id")
    # The case's team when submitted: the queue is the team's.
    team_id: int = Field(foreign_key="team.id")
    # The document (e.g. the case's map, one meeting) and the version of it submitted.
    item_id: str = Field(max_length=36)
    version_id: str = Field(default="", max_length=36)
    version_number: int = Field(default=1)
    submitted_by_id: int = Field(foreign_key="user.id")
    # Its sender was a supervisor of the team when it was sent: a service manager decides it too
    # (review.submissions.manager_decides), whatever the sender's role later (migration 0031).
    by_team_supervisor: bool = False
    submitted_at: datetime = Field(default_factory=utcnow)
    status: str = Field(default=SubmissionStatus.waiting, max_length=20)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = None
    rationale: str = Field(default="", max_length=4000)


@cache
def waiting_for_review():
    """Submissions that wait for a supervisor: "waiting", and no newer version of the item was sent.

    The second half is for versions left "waiting" under a newer one before sending a version
    superseded the older (December 2026): those wait no longer, in the queue and every count.
    Built once (a clause is never changed by the statements using it): a new alias and its columns'
    lookups cost about a millisecond of CPU each time, twice on every team oversight (issue 21)."""
    newer = aliased(Submission)
    sent_since = (
        select(newer.id)
        .where(
            newer.kind == Submission.kind,
            newer.item_id == Submission.item_id,
            newer.version_number > Submission.version_number,
        )
        .exists()
    )
    return and_(Submission.status == SubmissionStatus.waiting, ~sent_since)


class ReviewComment(SQLModel, table=True):
    """A supervisor's (or worker's) comment on a submission: general, or on one named section."""

    __tablename__ = "review_comment"
    __table_args__ = (Index("ix_review_comment_submission", "submission_id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    submission_id: str = Field(foreign_key="review_submission.id", max_length=36)
    section: str = Field(default="", max_length=80)  # "" = general
    text: str = Field(max_length=2000)
    by_user_id: int = Field(foreign_key="user.id")
    at: datetime = Field(default_factory=utcnow)


class NoteKind(StrEnum):
    case = "case"  # on the case: decisions and their rationale
    reflective = "reflective"  # about a worker's practice: only that worker and their supervisor


class SupervisionNote(SQLModel, table=True):
    """Append-only supervision notes (never edited)."""

    __tablename__ = "supervision_note"
    __table_args__ = (
        Index("ix_supervision_note_case", "case_id", "at"),
        Index("ix_supervision_note_worker", "worker_id", "at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    kind: str = Field(max_length=20)
    case_id: int | None = Field(default=None, foreign_key="case.id")
    worker_id: int | None = Field(default=None, foreign_key="user.id")
    text: str = Field(max_length=4000)
    decision: str = Field(default="", max_length=2000)
    rationale: str = Field(default="", max_length=2000)
    by_user_id: int = Field(foreign_key="user.id")
    at: datetime = Field(default_factory=utcnow)


class CompetencyRating(SQLModel, table=True):
    """A BASE competency rating (Basic / Competent / Advanced) by the worker or their supervisor."""

    __tablename__ = "competency_rating"
    __table_args__ = (Index("ix_competency_rating_worker", "worker_id", "rated_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    worker_id: int = Field(foreign_key="user.id")
    rater: str = Field(max_length=20)  # self | supervisor
    area: str = Field(max_length=40)
    level: str = Field(max_length=20)
    rated_by_id: int = Field(foreign_key="user.id")
    rated_at: datetime = Field(default_factory=utcnow)


class Notification(SQLModel, table=True):
    """Something a person should know, tied to what it is about (`about`, e.g. "item:sos_map:<id>"
    or "case:<id>"), so acting on that thing clears it (issue 19): a decision clears the
    supervisors' "waiting for review", a resubmission clears the worker's "returned to you"."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_read", "user_id", "read_at"),
        Index("ix_notification_about", "about", "cleared_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: int = Field(foreign_key="user.id")
    text: str = Field(max_length=300)
    url: str = Field(default="", max_length=300)
    about: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None
    # Set when the thing it is about was acted on: it leaves the list and the header count.
    cleared_at: datetime | None = None


class CaseloadWeight(SQLModel, table=True):
    """How much one case counts for in a worker's weighted caseload, set by an administrator
    (issue 19): one row per practice context of an active case, and one for a dormant case
    (key "dormant"). A key with no row counts at its default (app/review/rules.py)."""

    __tablename__ = "caseload_weight"

    key: str = Field(primary_key=True, max_length=20)
    weight: float
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)


class FlagWeek(SQLModel, table=True):
    """How many cases raised each oversight flag in one team in one week, kept by `homeward tick`
    (issue 19: the 12-week trend on team oversight; flags are worked out live, so the past is kept)."""

    __tablename__ = "flag_week"
    __table_args__ = (
        UniqueConstraint("week_start", "team_id", "flag_key", name="uq_flag_week"),
        Index("ix_flag_week_team_week", "team_id", "week_start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    week_start: date  # the Monday
    team_id: int = Field(foreign_key="team.id")
    flag_key: str = Field(max_length=40)
    count: int = 0
    recorded_at: datetime = Field(default_factory=utcnow)
