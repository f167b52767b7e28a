"""Signs of Safety style mapping (PRACTICE.md "Signs of Safety style mapping").

- `MapVersion` is one version of a case's map, a versioned document: a draft until submitted, then
  immutable; a change to a submitted version starts the next version as a copy (DESIGN.md).
- `MapItem` is one entry in a version: a harm, a statement pair, a strength, a next step, a
  safety-plan rule... Its `item_key` stays the same from version to version, so an item can be
  followed (and rated, for statement pairs) across versions.
- `ScaleRating` and `ThreeHousesEntry` are append-only rows: never edited, so they never conflict.

Ids are UUID strings so a record made offline keeps the id the tablet gave it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint, func
from sqlmodel import Field, SQLModel

from app.cases.models import new_id
from app.timeutil import utcnow


class MapStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"


class Category(StrEnum):
    harm = "harm"
    pair = "pair"  # a danger (or worry) statement with its goal
    complicating = "complicating"
    strength = "strength"
    existing_safety = "existing_safety"
    next_step = "next_step"
    # The safety plan lives in the same versioned document.
    rule = "rule"
    red_flag = "red_flag"
    non_negotiable = "non_negotiable"


class RaterRole(StrEnum):
    young_person = "young_person"
    parent_carer = "parent_carer"
    network_member = "network_member"
    key_worker = "key_worker"
    supervisor = "supervisor"


class MapVersion(SQLModel, table=True):
    __tablename__ = "sos_map_version"
    __table_args__ = (
        UniqueConstraint("case_id", "number", name="uq_sos_map_version_case_number"),
        Index("ix_sos_map_version_case_status", "case_id", "status"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    number: int = Field(default=1)
    # The submitted version this draft was copied from (0 for the first): offline edits made
    # from that version may still land in this draft without conflict.
    based_on: int = Field(default=0)
    status: str = Field(default=MapStatus.draft, max_length=20)
    safety_plan_review_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int = Field(foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None
    submitted_by_id: int | None = Field(default=None, foreign_key="user.id")

    @property
    def is_draft(self) -> bool:
        return self.status == MapStatus.draft


class MapItem(SQLModel, table=True):
    __tablename__ = "sos_map_item"
    __table_args__ = (
        Index("ix_sos_map_item_version_category", "map_version_id", "category"),
        Index("ix_sos_map_item_key", "item_key"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    map_version_id: str = Field(foreign_key="sos_map_version.id", max_length=36)
    item_key: str = Field(max_length=36)
    category: str = Field(max_length=20)
    position: int = Field(default=0)
    text: str = Field(max_length=1000)
    # Who said it (or, for rules, red flags and next steps: who makes sure, who acts, who does it):
    # a Person of the case, or the key worker when person_id is empty and by_key_worker is set.
    person_id: str | None = Field(default=None, foreign_key="person.id", max_length=36)
    by_key_worker: bool = False
    # Worries only: does the family agree? None = not asked yet. A "no" is kept, never erased.
    family_agrees: bool | None = None
    goal: str = Field(default="", max_length=1000)  # pairs: the safety / wellbeing / success goal
    # Pairs: the worry put the way the worker would say it to the family. Family members who do
    # not know the worries see this, or the goal only (docs/family-mode.md).
    family_text: str = Field(default="", max_length=1000)
    sustain_for: str = Field(default="", max_length=120)  # pairs: how long the change must last
    detail: str = Field(default="", max_length=1000)  # rules: how it's checked; red flags: what they do
    due_on: date | None = None  # next steps
    done: bool = False  # next steps
    created_at: datetime = Field(default_factory=utcnow)


class ScaleRating(SQLModel, table=True):
    """One person's 0-10 judgement of one statement pair (or the whole case), with its anchors."""

    __tablename__ = "sos_scale_rating"
    __table_args__ = (Index("ix_sos_scale_rating_case_at", "case_id", "rated_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    pair_key: str | None = Field(default=None, max_length=36)  # None: the overall scale
    map_version_id: str | None = Field(default=None, foreign_key="sos_map_version.id", max_length=36)
    rater_role: str = Field(max_length=20)
    rater_person_id: str | None = Field(default=None, foreign_key="person.id", max_length=36)
    rater_name: str = Field(max_length=120)
    score: int
    anchor_low: str = Field(max_length=300)
    anchor_high: str = Field(max_length=300)
    why_not_lower: str = Field(default="", max_length=1000)
    one_step_higher: str = Field(default="", max_length=1000)
    rated_at: datetime = Field(default_factory=utcnow)
    recorded_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


def rater_of(rating) -> str:
    """Who gave a scale rating, for grouping a rater's numbers: a person on the case by their id
    (two people of one name, a father and a stepfather, are two raters), a member of staff or of
    the network by role and name. `RATER` is the same in SQL."""
    return rating.rater_person_id or f"{rating.rater_role}:{rating.rater_name}"


def rater_column(rating=ScaleRating):
    """`rater_of` in SQL, for ScaleRating or an alias of it."""
    return func.coalesce(rating.rater_person_id, rating.rater_role + ":" + rating.rater_name)


RATER = rater_column()


class House(StrEnum):
    worries = "worries"
    good_things = "good_things"
    dreams = "dreams"


class ThreeHousesEntry(SQLModel, table=True):
    """What the young person put in one of the three houses, in words or a drawing."""

    __tablename__ = "sos_three_houses_entry"
    __table_args__ = (Index("ix_sos_three_houses_case_at", "case_id", "created_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    person_id: str | None = Field(default=None, foreign_key="person.id", max_length=36)
    house: str = Field(max_length=20)
    text: str = Field(default="", max_length=2000)
    own_words: bool = True
    drawing_png: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    drawing_description: str = Field(default="", max_length=500)
    consent_to_share: bool = False
    recorded_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class StoryStatus(StrEnum):
    draft = "draft"
    shared = "shared"


class StoryVersion(SQLModel, table=True):
    """One version of the words-and-pictures storyboard: fixed once it has been shared."""

    __tablename__ = "sos_story_version"
    __table_args__ = (UniqueConstraint("case_id", "number", name="uq_sos_story_version_case_number"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    number: int = Field(default=1)
    based_on: int = Field(default=0)
    status: str = Field(default=StoryStatus.draft, max_length=20)
    title: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int = Field(foreign_key="user.id")

    @property
    def is_draft(self) -> bool:
        return self.status == StoryStatus.draft


class StoryPanel(SQLModel, table=True):
    """One panel: words, and optionally a drawing or a photo with a description of it."""

    __tablename__ = "sos_story_panel"
    __table_args__ = (Index("ix_sos_story_panel_version", "story_version_id", "position"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    story_version_id: str = Field(foreign_key="sos_story_version.id", max_length=36)
    panel_key: str = Field(max_length=36)
    position: int = Field(default=0)
    text: str = Field(max_length=2000)
    image: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    image_type: str = Field(default="", max_length=20)  # image/png, image/jpeg
    image_description: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class StoryShare(SQLModel, table=True):
    """Who a version was shared with and when (append-only)."""

    __tablename__ = "sos_story_share"
    __table_args__ = (Index("ix_sos_story_share_version", "story_version_id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    story_version_id: str = Field(foreign_key="sos_story_version.id", max_length=36)
    person_id: str | None = Field(default=None, foreign_key="person.id", max_length=36)
    shared_with: str = Field(max_length=120)
    shared_on: date
    recorded_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
