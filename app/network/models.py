"""The family network: who is in it, the meetings they hold, what they agree and the letter home.

PRACTICE.md "Family network meetings": everyone important in the young person's life, a record of
who came, what was agreed, who does what by when and who checks, and a plain-language copy for the
family. Network facts about a Person (closeness, agreed to help) live here, keyed by person id, so
the cases package stays the single owner of the Person record.

Rows a worker may create in a home use UUID ids (DESIGN.md "Offline"): the id made on the tablet is
the id stored, so a replayed create is recognised and applied once.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.cases.models import new_id
from app.timeutil import utcnow


class Circle(StrEnum):
    household = "household"
    family = "family"
    friends = "friends"
    professionals = "professionals"


CIRCLE_LABELS = {
    Circle.household: "Household",
    Circle.family: "Wider family",
    Circle.friends: "Friends and community",
    Circle.professionals: "Professionals",
}


class MeetingKind(StrEnum):
    network = "network"
    fgc = "fgc"
    review = "review"


MEETING_KIND_LABELS = {
    MeetingKind.network: "Family network meeting",
    MeetingKind.fgc: "Family group conference",
    MeetingKind.review: "Review meeting",
}


class ViewsGiven(StrEnum):
    in_person = "in_person"
    advocate = "advocate"
    writing = "writing"
    not_given = "not_given"


VIEWS_GIVEN_LABELS = {
    ViewsGiven.in_person: "In person",
    ViewsGiven.advocate: "Through an advocate",
    ViewsGiven.writing: "In writing",
    ViewsGiven.not_given: "Not given this time",
}


class Attendance(StrEnum):
    present = "present"
    apologies = "apologies"


class TaskStatus(StrEnum):
    open = "open"
    done = "done"
    partly = "partly"
    not_done = "not_done"
    dropped = "dropped"


TASK_STATUS_LABELS = {
    TaskStatus.open: "Not started yet",
    TaskStatus.partly: "Partly done",
    TaskStatus.done: "Done",
    TaskStatus.not_done: "Not done",
    TaskStatus.dropped: "No longer needed",
}


class FgdmStatus(StrEnum):
    offered = "offered"
    accepted = "accepted"
    declined = "declined"
    held = "held"
    not_offered = "not_offered"


FGDM_STATUS_LABELS = {
    FgdmStatus.offered: "Offered",
    FgdmStatus.accepted: "Accepted",
    FgdmStatus.declined: "Declined",
    FgdmStatus.held: "Held",
    FgdmStatus.not_offered: "Not offered",
}


class NetworkMember(SQLModel, table=True):
    """One person in the network: a case Person (by id) or a professional who is not a Person."""

    __tablename__ = "network_member"
    __table_args__ = (
        UniqueConstraint("case_id", "person_id", name="uq_network_member_case_person"),
        Index("ix_network_member_case", "case_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    person_id: str | None = Field(default=None, foreign_key="person.id", max_length=36)
    # For professionals who are not family People: their own name, role and number.
    name: str = Field(default="", max_length=120)
    role: str = Field(default="", max_length=120)
    phone: str = Field(default="", max_length=40)
    circle: str = Field(default=Circle.family, max_length=20)
    agreed_to_help: bool = False
    how_they_help: str = Field(default="", max_length=1000)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class NetworkMeeting(SQLModel, table=True):
    """A family network meeting, family group conference or review: a draft until finalised."""

    __tablename__ = "network_meeting"
    __table_args__ = (Index("ix_network_meeting_case_held", "case_id", "held_on"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    kind: str = Field(default=MeetingKind.network, max_length=20)
    held_on: date
    venue: str = Field(default="", max_length=200)
    chair: str = Field(default="", max_length=120)
    young_person_attended: bool = False
    views_given: str = Field(default=ViewsGiven.in_person, max_length=20)
    young_person_views: str = Field(default="", max_length=4000)
    information_shared: str = Field(default="", max_length=4000)
    private_family_time: bool = False
    plan_agreed: bool = False
    worries: str = Field(default="", max_length=4000)
    working_well: str = Field(default="", max_length=4000)
    needs_to_happen: str = Field(default="", max_length=4000)
    next_meeting_on: date | None = None
    finalised_at: datetime | None = None
    created_by_id: int = Field(foreign_key="user.id")
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class MeetingAttendee(SQLModel, table=True):
    __tablename__ = "meeting_attendee"
    __table_args__ = (Index("ix_meeting_attendee_meeting", "meeting_id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    meeting_id: str = Field(foreign_key="network_meeting.id", max_length=36)
    person_id: str | None = Field(default=None, foreign_key="person.id", max_length=36)
    name: str = Field(max_length=120)
    role: str = Field(default="", max_length=120)
    attendance: str = Field(default=Attendance.present, max_length=20)
    position: int = 0


class MeetingDecision(SQLModel, table=True):
    __tablename__ = "meeting_decision"
    __table_args__ = (Index("ix_meeting_decision_meeting", "meeting_id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    meeting_id: str = Field(foreign_key="network_meeting.id", max_length=36)
    decision: str = Field(max_length=1000)
    rationale: str = Field(default="", max_length=2000)
    position: int = 0


class SupportRequest(SQLModel, table=True):
    """Support the family asked of an agency, and whether the agency agreed."""

    __tablename__ = "support_request"
    __table_args__ = (Index("ix_support_request_meeting", "meeting_id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    meeting_id: str = Field(foreign_key="network_meeting.id", max_length=36)
    agency: str = Field(max_length=120)
    support: str = Field(max_length=1000)
    agreed: str = Field(default="not_yet", max_length=20)  # agreed | not_agreed | not_yet
    position: int = 0


class Contingency(SQLModel, table=True):
    """What the network does if something happens: "if Kayla goes missing, Nan rings ..."."""

    __tablename__ = "meeting_contingency"
    __table_args__ = (Index("ix_meeting_contingency_meeting", "meeting_id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    meeting_id: str = Field(foreign_key="network_meeting.id", max_length=36)
    if_this: str = Field(max_length=500)
    then_this: str = Field(max_length=1000)
    position: int = 0


class NetworkTask(SQLModel, table=True):
    """A task agreed at a meeting: what, who, by when, who checks. It feeds the case's task list."""

    __tablename__ = "network_task"
    __table_args__ = (
        Index("ix_network_task_case_status", "case_id", "status"),
        Index("ix_network_task_meeting", "meeting_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    meeting_id: str = Field(foreign_key="network_meeting.id", max_length=36)
    what: str = Field(max_length=500)
    who: str = Field(max_length=120)
    due_on: date | None = None
    checked_by: str = Field(default="", max_length=120)
    # A commitment that keeps a safety plan rule, in the plan's words, where a plan exists.
    safety_rule: str = Field(default="", max_length=300)
    status: str = Field(default=TaskStatus.open, max_length=20)
    status_note: str = Field(default="", max_length=500)
    position: int = 0
    version: int = Field(default=1)
    updated_at: datetime = Field(default_factory=utcnow)


class TaskUpdate(SQLModel, table=True):
    """An append-only record of a task's progress, made at a review meeting."""

    __tablename__ = "network_task_update"
    __table_args__ = (
        UniqueConstraint("task_id", "meeting_id", name="uq_task_update_task_meeting"),
        Index("ix_network_task_update_meeting", "meeting_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    task_id: str = Field(foreign_key="network_task.id", max_length=36)
    meeting_id: str = Field(foreign_key="network_meeting.id", max_length=36)
    status: str = Field(max_length=20)
    note: str = Field(default="", max_length=500)
    at: datetime = Field(default_factory=utcnow)


class MeetingAddendum(SQLModel, table=True):
    """A correction to a finalised meeting record, which itself is never edited."""

    __tablename__ = "meeting_addendum"
    __table_args__ = (Index("ix_meeting_addendum_meeting", "meeting_id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    meeting_id: str = Field(foreign_key="network_meeting.id", max_length=36)
    text: str = Field(max_length=4000)
    by_user_id: int = Field(foreign_key="user.id")
    at: datetime = Field(default_factory=utcnow)


class FgdmRecord(SQLModel, table=True):
    """Family group decision making before proceedings: each step is an append-only row.

    Since 2026 a family group decision-making meeting must be offered before care proceedings
    (PRACTICE.md); not offering it needs a best-interests reason and who decided.
    """

    __tablename__ = "fgdm_record"
    __table_args__ = (Index("ix_fgdm_record_case_at", "case_id", "recorded_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    status: str = Field(max_length=20)
    on_date: date
    offered_to: str = Field(default="", max_length=200)
    reason: str = Field(default="", max_length=2000)
    decided_by: str = Field(default="", max_length=120)
    recorded_by_id: int = Field(foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utcnow)


class FamilyLetter(SQLModel, table=True):
    """The plain-language letter from a meeting: drafted from it, edited by the worker, then final."""

    __tablename__ = "family_letter"
    __table_args__ = (UniqueConstraint("meeting_id", name="uq_family_letter_meeting"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    meeting_id: str = Field(foreign_key="network_meeting.id", max_length=36)
    body: str = Field(max_length=20000)
    # The family's language (app/i18n.py): the draft's own words, the print page and PDF in it.
    language: str = Field(default="en", max_length=8)
    finalised_at: datetime | None = None
    version: int = Field(default=1)
    updated_at: datetime = Field(default_factory=utcnow)
