"""Outcome records: coded indicators at baseline, reviews, ending and 3/6/12-month follow-ups.

Every indicator has an explicit "not known" (PRACTICE.md "Outcomes": not known is an answer, never a
silent blank); counts use NULL for not known. The counterfactual (what would likely have happened
without the service) is asked only at baseline, of the worker and of the team manager.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.cases.models import new_id
from app.core.codes import EDUCATION, LIVING, NOT_KNOWN
from app.timeutil import utcnow

__all__ = ["EDUCATION", "LIVING", "NOT_KNOWN"]  # re-exported: outcomes code imports them from here
POINTS = [
    ("baseline", "Start of active work (baseline)"),
    ("review", "Review"),
    ("ending", "End of active work"),
    ("follow_up_3", "Follow-up, 3 months after the work ended"),
    ("follow_up_6", "Follow-up, 6 months after the work ended"),
    ("follow_up_12", "Follow-up, 12 months after the work ended"),
    ("imported", "Care status from the council's case system"),
]
# Points a worker chooses on the form; "imported" comes only from the care-status import.
FORM_POINTS = POINTS[:-1]
FOLLOW_UP_MONTHS = {"follow_up_3": 3, "follow_up_6": 6, "follow_up_12": 12}
# LIVING comes from app/core/codes.py: the case's own living situation uses the same codes.
# Living at home for the scorecard's "remained at home": with their family, including kin.
AT_HOME = ("with_parents", "relatives_friends")
PLACEMENTS = [
    ("foster", "Foster care"),
    ("kinship", "Kinship (family and friends) care"),
    ("residential", "Children's home"),
    ("semi_independent", "Semi-independent placement"),
    ("secure", "Secure setting"),
    ("other", "Other placement"),
    NOT_KNOWN,
]
CARE_STATUSES = [
    ("none", "None"),
    ("cin", "Child in need plan"),
    ("cp", "Child protection plan"),
    ("cla", "Looked after"),
    NOT_KNOWN,
]
# EDUCATION comes from app/core/codes.py too: the case records it with its history.
LEVELS = [("none", "None"), ("low", "Low"), ("medium", "Medium"), ("high", "High"), NOT_KNOWN]
YES_NO = [("yes", "Yes"), ("no", "No"), NOT_KNOWN]
COUNTERFACTUALS = [
    ("entered_care", "Would have entered care"),
    ("stayed_same", "Would have stayed much the same"),
    ("escalated", "Would have stepped up to a plan (CIN or CP)"),
    ("homeless", "Would have become homeless"),
    ("custody", "Would have entered custody"),
    ("improved_anyway", "Would have improved without the service"),
    NOT_KNOWN,
]
# The numeric indicators, "in the period" since the last record (blank: not known).
COUNTS = [
    ("missing_episodes", "Missing episodes"),
    ("police_contacts", "Police contacts"),
    ("arrests", "Arrests"),
    ("ae_attendances", "A&E attendances"),
]
SOURCES = [("form", "Recorded by a worker"), ("import", "Imported from the council's case system")]


class OutcomeRecord(SQLModel, table=True):
    """One outcome record for one case at one point; never edited (a correction is a new record)."""

    __tablename__ = "outcome_record"
    __table_args__ = (
        Index("ix_outcome_record_case_taken", "case_id", "taken_on"),
        Index("ix_outcome_record_point_taken", "point", "taken_on"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    point: str = Field(max_length=20)
    taken_on: date
    living: str = Field(default="not_known", max_length=20)
    placement: str = Field(default="", max_length=20)  # only when living is in_care
    living_since: date | None = None
    care_status: str = Field(default="not_known", max_length=20)
    care_status_since: date | None = None
    care_status_until: date | None = None
    education: str = Field(default="not_known", max_length=20)
    attendance_percent: int | None = None
    missing_episodes: int | None = None
    police_contacts: int | None = None
    arrests: int | None = None
    anti_social_behaviour: str = Field(default="not_known", max_length=10)
    sexual_exploitation_risk: str = Field(default="not_known", max_length=10)
    criminal_exploitation_risk: str = Field(default="not_known", max_length=10)
    substance_concern: str = Field(default="not_known", max_length=10)
    mental_health_service: str = Field(default="not_known", max_length=10)
    ae_attendances: int | None = None
    counterfactual_worker: str = Field(default="", max_length=20)
    counterfactual_worker_reason: str = Field(default="", max_length=2000)
    counterfactual_manager: str = Field(default="", max_length=20)
    counterfactual_manager_reason: str = Field(default="", max_length=2000)
    source: str = Field(default="form", max_length=10)
    recorded_at: datetime = Field(default_factory=utcnow)
    by_user_id: int = Field(foreign_key="user.id")


class FollowUpTask(SQLModel, table=True):
    """A follow-up outcome record due after the work ended, raised by `homeward tick`.

    `key` (case, point, the date the work ended) makes raising it again a no-op; it is done when an
    outcome record for that point is taken.
    """

    __tablename__ = "outcome_follow_up"
    __table_args__ = (
        Index("ix_outcome_follow_up_case_done", "case_id", "done_at"),
        Index("ix_outcome_follow_up_user_done", "assigned_user_id", "done_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True)
    case_id: int = Field(foreign_key="case.id")
    point: str = Field(max_length=20)
    ended_on: date
    due_on: date
    assigned_user_id: int = Field(foreign_key="user.id")
    raised_at: datetime = Field(default_factory=utcnow)
    done_at: datetime | None = None
