"""Diamond ratings (PRACTICE.md "Diamond model"): append-only rows, one per rater, aim and time.

A row is never edited: a later rating on the same day supersedes an earlier one in the charts,
so nobody can change another rater's numbers and offline copies can never conflict. The rater is
either a person of the case (family member) or a user (the worker), never both.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from app.cases.models import new_id
from app.timeutil import utcnow


class DiamondGoal(SQLModel, table=True):
    """A goal the young person or family chose, rated 0-10 on the same screens (at most three open)."""

    __tablename__ = "diamond_goal"
    __table_args__ = (Index("ix_diamond_goal_case", "case_id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    title: str = Field(max_length=120)
    chosen_by_person_id: str | None = Field(default=None, foreign_key="person.id", max_length=36)
    created_at: datetime = Field(default_factory=utcnow)
    created_by_user_id: int = Field(foreign_key="user.id")
    closed_at: datetime | None = None


class DiamondRating(SQLModel, table=True):
    __tablename__ = "diamond_rating"
    __table_args__ = (
        Index("ix_diamond_rating_case_rated_on", "case_id", "rated_on"),
        # When the young person last rated, index only (the voice flag, issue 21).
        Index("ix_diamond_rating_case_person_on", "case_id", "person_id", "rated_on"),
        # The scorecard's distance travelled: first and latest rating of each case, rater (a family
        # member by person, a worker by user), aim and goal, read from the index alone on
        # PostgreSQL (migrations 0026 and 0028).
        Index(
            "ix_diamond_rating_distance",
            "case_id",
            "person_id",
            "aim",
            "goal_id",
            "user_id",
            postgresql_include=["rated_on", "recorded_at", "score"],
        ),
        CheckConstraint("score >= 0 AND score <= 10", name="ck_diamond_rating_score"),
        CheckConstraint("(person_id IS NULL) <> (user_id IS NULL)", name="ck_diamond_rating_one_rater"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    person_id: str | None = Field(default=None, foreign_key="person.id", max_length=36)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    aim: str = Field(max_length=20)  # wellbeing, learning, relationships, empowerment, or goal
    goal_id: str | None = Field(default=None, foreign_key="diamond_goal.id", max_length=36)
    score: int
    positive_experiences: str = Field(default="", max_length=1000)
    next_step: str = Field(default="", max_length=500)
    rated_on: date
    # When it was given: the device's stamp from the day rated on, not after it arrived (rules.given_at),
    # so one day's ratings supersede in the order they were given, whenever they synced.
    recorded_at: datetime = Field(default_factory=utcnow)
    recorded_by_user_id: int = Field(foreign_key="user.id")
    in_family_mode: bool = False
