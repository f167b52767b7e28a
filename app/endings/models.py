"""Endings, dormancy and returns (PRACTICE.md "Case lifecycle, closure and dormancy").

The status itself lives on Case and moves only through app.cases.service; these rows keep what an
ending, a dormant spell and a return add to it: the goals reviewed, the family's agreement, the
dormant review date, who asked for the worker again, and the prompts `homeward tick` raises.
Ending, Reactivation and EndingTask have UUID ids so the tablet's id is the stored id (offline).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.cases.models import new_id
from app.timeutil import utcnow

GOAL_RATINGS = [("met", "Met"), ("partly", "Partly met"), ("not_met", "Not met")]
ENDING_CLOSURE_REASONS = [
    ("aims_achieved", "Plan aims achieved"),
    ("consent_withdrawn", "Consent withdrawn"),
    ("moved_away", "Moved away"),
    ("stepped_up", "Stepped up to children's social care"),
    ("stepped_down", "Stepped down to Early Help"),
    ("other", "Other"),
]
ASKED_BY = [
    ("young_person", "The young person"),
    ("parent", "A parent or carer"),
    ("worker", "The worker"),
    ("school", "School"),
    ("other_agency", "Another agency"),
]
URGENCY = [("routine", "Routine"), ("soon", "Soon (this week)"), ("urgent", "Urgent (today)")]
PROMPT_WORDS = {
    "dormant_review_due": "Dormant review due",
    "max_dormancy": "Dormant for the longest time allowed: consider closing",
    "engagement": "Three missed visits in a row: talk about engagement",
}


class Ending(SQLModel, table=True):
    """The guided ending of active work: goals against evidence, the family's agreement, the plan after."""

    __table_args__ = (Index("ix_ending_case_recorded", "case_id", "recorded_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    outcome: str = Field(max_length=20, index=True)  # dormant | closed
    # [{"source": "network_task"|"worker", "ref": str, "goal": str, "rating": met|partly|not_met, "evidence": str}]
    goals: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    agreed_on: date | None = None
    agreement_how: str = Field(default="", max_length=2000)
    taper: str = Field(default="", max_length=2000)
    sustainability_plan: str = Field(default="", max_length=4000)
    named_contact: str = Field(default="", max_length=300)
    family_summary: str = Field(default="", max_length=4000)
    young_person_views: str = Field(default="", max_length=4000)
    outcome_summary: str = Field(default="", max_length=4000)
    closure_reason: str = Field(default="", max_length=30, index=True)
    closure_other: str = Field(default="", max_length=300)
    destination: str = Field(default="", max_length=30)
    lead_name: str = Field(default="", max_length=200)
    dormant_review_on: date | None = None
    missing: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    approved_by_id: int | None = Field(default=None, foreign_key="user.id")
    approval_reason: str = Field(default="", max_length=2000)
    recorded_at: datetime = Field(default_factory=utcnow)
    by_user_id: int = Field(foreign_key="user.id")
    # True while a worker's ending waits for the supervisor's approval, and for good once it is
    # returned: it has not moved the case (issue 19, ENDING_APPROVAL=before). False once it has
    # made the case dormant or closed, at once or on approval.
    pending: bool = Field(default=False, index=True)


class DormantSpell(SQLModel, table=True):
    """One period of dormancy: when it began, when its review is due, and how it ended."""

    __tablename__ = "dormant_spell"
    __table_args__ = (
        Index("ix_dormant_spell_case_ended", "case_id", "ended_at"),
        Index("ix_dormant_spell_ended_review", "ended_at", "review_due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    ending_id: str | None = Field(default=None, foreign_key="ending.id", max_length=36)
    started_at: datetime = Field(default_factory=utcnow)
    review_due_on: date
    reviews: int = 0
    ended_at: datetime | None = None
    ended_how: str = Field(default="", max_length=20)  # reactivated | closed


class Reactivation(SQLModel, table=True):
    """A return to work: from dormant (no referral) or a supervisor's reopening of a closed case (a re-referral)."""

    __table_args__ = (
        Index("ix_reactivation_case_at", "case_id", "reactivated_at"),
        Index("ix_reactivation_kind_at", "kind", "reactivated_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    kind: str = Field(default="reactivated", max_length=20)  # reactivated | reopened (a re-referral)
    asked_by: str = Field(default="", max_length=20)
    what_changed: str = Field(default="", max_length=4000)
    urgency: str = Field(default="routine", max_length=20)
    days_dormant: int | None = None
    reactivated_at: datetime = Field(default_factory=utcnow)
    by_user_id: int = Field(foreign_key="user.id")


class EndingTask(SQLModel, table=True):
    """A task prompted by a return to work (update the map or risk, a Diamond rating)."""

    __tablename__ = "ending_task"
    __table_args__ = (Index("ix_ending_task_case_done", "case_id", "done_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    reactivation_id: str = Field(foreign_key="reactivation.id", max_length=36)
    what: str = Field(max_length=300)
    due_on: date
    done_at: datetime | None = None
    done_by_id: int | None = Field(default=None, foreign_key="user.id")
    # Why it closed itself, in words ("A Diamond rating on 3 Dec 2026"); empty when ticked by hand.
    closed_by: str = Field(default="", max_length=120)
    version: int = 1


class Prompt(SQLModel, table=True):
    """A prompt or flag raised by `homeward tick`; `key` makes raising it again a no-op."""

    __table_args__ = (
        Index("ix_prompt_case_resolved", "case_id", "resolved_at"),
        Index("ix_prompt_resolved_kind", "resolved_at", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    case_id: int = Field(foreign_key="case.id")
    kind: str = Field(max_length=30)  # dormant_review_due | max_dormancy | engagement
    raised_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None


class ReopenRequest(SQLModel, table=True):
    """A case worker's request that the supervisor reopen a closed case (issue 10's review queue).

    Each time it is sent to the supervisor it gets a new ReopenRequestVersion; the review
    Submission points at the request (item) and the version. Approving it reopens the case through
    the supervisor's reopen (a re-referral); the worker may withdraw a returned request.
    """

    __tablename__ = "reopen_request"
    __table_args__ = (Index("ix_reopen_request_case_created", "case_id", "created_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    # The case's id while the request is open (waiting or returned), else NULL: unique, so the
    # database itself keeps a case to one open request, on SQLite and PostgreSQL alike.
    open_case_id: int | None = Field(default=None, unique=True)
    state: str = Field(default="open", max_length=20)  # open | approved | withdrawn
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int = Field(foreign_key="user.id")
    closed_at: datetime | None = None
    closed_by_id: int | None = Field(default=None, foreign_key="user.id")
    # The re-referral made when it was approved.
    reactivation_id: str | None = Field(default=None, foreign_key="reactivation.id", max_length=36)


class ReopenRequestVersion(SQLModel, table=True):
    """What one sending of a reopen request said; never changed (a resubmission is a new version)."""

    __tablename__ = "reopen_request_version"
    __table_args__ = (UniqueConstraint("request_id", "number", name="uq_reopen_request_version_number"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    request_id: str = Field(foreign_key="reopen_request.id", max_length=36)
    number: int = 1
    asked_by: str = Field(max_length=20)  # ASKED_BY
    what_changed: str = Field(max_length=4000)
    urgency: str = Field(max_length=20)  # URGENCY
    reason: str = Field(max_length=4000)
    by_user_id: int = Field(foreign_key="user.id")
    at: datetime = Field(default_factory=utcnow)
