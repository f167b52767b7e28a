"""A case: one young person and their family, held by one key worker (PRACTICE.md "Who and where").

Records that a worker may create offline (people, events, contacts, and every framework's items)
have UUID string ids, so the id generated on the tablet is the id stored (DESIGN.md "Offline").
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, Text, event, text
from sqlmodel import Field, SQLModel

from app.core.text import fold
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

# Vocabularies as (code, words on screen). Codes are stored; words can change.
GENDERS = [
    ("female", "Female"),
    ("male", "Male"),
    ("non_binary", "Non-binary"),
    ("other", "Describes themselves another way"),
    ("not_said", "Prefers not to say"),
    ("not_known", "Not known"),
]
ETHNICITIES = [
    ("white", "White"),
    ("mixed", "Mixed or multiple ethnic groups"),
    ("asian", "Asian or Asian British"),
    ("black", "Black, Black British, Caribbean or African"),
    ("other", "Other ethnic group"),
    ("not_said", "Prefers not to say"),
    ("not_known", "Not known"),
]
REFERRAL_ROUTES = [
    ("mash", "MASH"),
    ("cf_plan", "Child & Family plan or assessment"),
    ("step_down_cin", "Step-down from CIN"),
    ("step_down_cp", "Step-down from CP"),
    ("step_down_cla", "Step-down from CLA"),
    ("school", "School"),
    ("housing", "Housing"),
    ("police", "Police"),
    ("health", "Health (GP, hospital, CAMHS)"),
    ("youth_justice", "Youth justice"),
    ("self", "Self-referral (the young person or family)"),
    ("other", "Other"),
]
STATUTORY_STATUSES = [
    ("none", "None"),
    ("early_help", "Early help"),
    ("cin", "Child in need (CIN)"),
    ("cp", "Child protection plan (CP)"),
    ("cla", "Child looked after (CLA)"),
    ("not_known", "Not known"),
]
YES_NO_NOT_KNOWN = [("yes", "Yes"), ("no", "No"), ("not_known", "Not known")]
CLOSURE_REASONS = [
    ("aims_achieved", "Plan aims achieved"),
    ("consent_withdrawn", "Consent withdrawn"),
    ("moved_away", "Moved away"),
    ("stepped_up", "Stepped up"),
    ("stepped_down", "Stepped down"),
    ("not_eligible", "Not eligible"),
    ("not_taken_up", "Referral not taken up"),
    ("other", "Other"),
]
CONSENT_PURPOSES = [
    ("work", "The work itself"),
    ("sharing", "Sharing with named agencies"),
    ("network_meeting", "Family network meeting"),
    ("images", "Drawings and photos"),
]
CONSENT_HOW = [("signed", "Signed on screen"), ("verbal", "Verbal"), ("written", "Written")]
CONTACT_KINDS = [
    ("visit", "Visit"),
    ("phone", "Phone call"),
    ("message", "Message"),
    ("meeting", "Meeting"),
    ("other", "Other"),
]
CONTACT_PLACES = [
    ("home", "Home"),
    ("school", "School"),
    ("community", "Community"),
    ("office", "Office"),
    ("other", "Other"),
]
STEP_UP_DESTINATIONS = [
    ("cin", "Child in need (CIN)"),
    ("cp", "Child protection (CP)"),
    ("cla", "Child looked after (CLA)"),
]
STEP_DOWN_DESTINATIONS = [
    ("early_help", "Early help"),
    ("universal", "Universal services"),
    ("cin", "Child in need (CIN)"),
]


def label(options: list[tuple[str, str]], code: str | None) -> str:
    """The words on screen for a stored code."""
    return dict(options).get(code or "", code or "")


# The name a list sorts by: the preferred name, else the full name, in lower case.
SORT_NAME_SQL = "lower(coalesce(nullif(preferred_name, ''), young_person_name))"
# A case the tick kept flags for, and the order by their number, as the indexes have them
# (literally: a bound 0 would not match the partial index's predicate in a prepared statement).
FLAGGED = "kept_flag_count > 0"
KEPT_FLAGS_DESC = "kept_flag_count DESC"


class Case(SQLModel, table=True):
    __table_args__ = (
        Index("ix_case_key_worker_status", "key_worker_id", "status"),
        Index("ix_case_co_worker_status", "co_worker_id", "status"),
        Index("ix_case_team_status", "team_id", "status"),
        # The whole service's team cases by name, 25 at a time without sorting 50,000 (issue 21):
        # the very expression app/cases/team.py sorts by (SORT_NAME_SQL).
        Index("ix_case_sort_name", text(SORT_NAME_SQL), "reference", "id"),
        # The whole service's team cases by flags, most first, 25 at a time without counting and
        # sorting 32,000 flagged cases (issue 21): the same order, kept count first.
        Index("ix_case_kept_flags", text(KEPT_FLAGS_DESC), text(SORT_NAME_SQL), "reference", "id"),
        # Its count of flagged cases by status, index only: the flagged cases alone are in it.
        Index("ix_case_flagged_status", "status", postgresql_where=text(FLAGGED), sqlite_where=text(FLAGGED)),
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
    gender: str = Field(default="not_known", max_length=20)
    # "Not known" is an explicit answer, never a silent blank (PRACTICE.md "Outcomes", 002:L565).
    ethnicity: str = Field(default="not_known", max_length=20)
    # Why a date of birth outside the usual age range was accepted (the form warns first).
    age_note: str = Field(default="", max_length=500)
    referral_date: date | None = Field(default=None, index=True)
    # The time of day the referral came in, when known: the first-contact clock starts there.
    referral_time: time | None = None
    referral_route: str = Field(default="other", max_length=20, index=True)
    referrer_agency: str = Field(default="", max_length=120)
    referrer_name: str = Field(default="", max_length=120)
    referrer_contact: str = Field(default="", max_length=200)
    referral_reason: str = Field(default="", max_length=4000)
    statutory_status_at_referral: str = Field(default="none", max_length=20)
    # Prior statutory involvement: "yes", "no" or "not_known", with a date where known.
    prior_cin: str = Field(default="not_known", max_length=10)
    prior_cin_on: date | None = None
    prior_cp: str = Field(default="not_known", max_length=10)
    prior_cp_on: date | None = None
    prior_cla: str = Field(default="not_known", max_length=10)
    prior_cla_on: date | None = None
    first_contact_at: datetime | None = None
    closure_reason: str = Field(default="", max_length=30)
    next_review_on: date | None = None
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    # Bumped on every change to the case record itself; offline edits carry the version they
    # started from, and a mismatch becomes a conflict rather than an overwrite.
    version: int = Field(default=1)
    # Moved on, in the same transaction, by every write to anything the case page shows (the
    # flush hook in app/page_versions.py); the rendered case page is cached per page_version (docs/performance.md).
    page_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # How many of its oversight flags `homeward tick` kept in case_flag, counted in the same
    # transaction (app/review/oversight.py): what the manager's whole-service team cases sorts and
    # counts by (issue 21). Written by the tick alone, outside the ORM: not a change to the case, so
    # it moves neither `version` nor `page_version` (the case page works its flags out itself).
    kept_flag_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    updated_at: datetime = Field(default_factory=utcnow)
    # The names and reference folded for search (app/core/text.py), kept up to date on every
    # write by the listener below; migration 0021_issue_18b filled it for existing cases.
    search_text: str = Field(default="", max_length=400)

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.young_person_name

    def refresh_search_text(self) -> None:
        self.search_text = fold(" ".join((self.young_person_name, self.preferred_name, self.reference)))[:400]


@event.listens_for(Case, "before_insert")
@event.listens_for(Case, "before_update")
def _fold_names(mapper, connection, target: Case) -> None:
    target.refresh_search_text()


class Person(SQLModel, table=True):
    """A family or network member; the young person is one too (is_young_person)."""

    __table_args__ = (Index("ix_person_case", "case_id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    name: str = Field(max_length=120)
    # The name the family screens greet them by (preferred, else given, else the full name): the
    # first word of a full name is often a title or a family name ("Mrs", "Nguyễn").
    given_name: str = Field(default="", max_length=80)
    preferred_name: str = Field(default="", max_length=80)
    relationship: str = Field(default="", max_length=60)  # "Mother", "Grandmother", "Young person"
    is_young_person: bool = False
    # The language their family screens open in (app/i18n.py LANGUAGES; issue 22).
    preferred_language: str = Field(default="en", max_length=8)
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

    @property
    def called(self) -> str:
        """What to call them on the family screens (the young person: see `called_on`)."""
        return self.preferred_name or self.given_name or self.name


def called_on(person: Person, case: Case) -> str:
    """The name a person goes by; the young person's preferred name on the case comes first."""
    return called_from(
        case=case,
        name=person.name,
        given_name=person.given_name,
        preferred_name=person.preferred_name,
        is_young_person=person.is_young_person,
    )


def called_from(*, case: Case, name: str, given_name: str, preferred_name: str, is_young_person: bool) -> str:
    """`called_on` from a row's columns, for a query that reads them without loading the Person."""
    if is_young_person and case.preferred_name:
        return case.preferred_name
    return preferred_name or given_name or name


class CaseEvent(SQLModel, table=True):
    """The case's timeline of decisions: referral, screening, consent, status changes, step-up/down.

    Every event names who and why (PRACTICE.md: decisions need a recorded rationale).
    """

    __tablename__ = "case_event"
    __table_args__ = (
        Index("ix_case_event_case_at", "case_id", "occurred_at"),
        # The scorecard's endings: moves into dormant or closed in a period (migration 0028).
        Index("ix_case_event_to_status_at", "to_status", "occurred_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    kind: str = Field(max_length=40)  # referral, status_change, step_up, step_down, consent, ...
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str | None = Field(default=None, max_length=20)
    rationale: str = Field(default="", max_length=4000)
    occurred_at: datetime = Field(default_factory=utcnow)
    recorded_at: datetime = Field(default_factory=utcnow)
    by_user_id: int = Field(foreign_key="user.id")
    # Closure reason (e.g. "consent_withdrawn") or step-up/down destination (e.g. "cp").
    reason: str = Field(default="", max_length=30)
    destination: str = Field(default="", max_length=30)
    person_id: str | None = Field(default=None, foreign_key="person.id", max_length=36)


class EligibilityDecision(SQLModel, table=True):
    """One screening against a criteria set: what was ticked, what the rule said, what was decided.

    The set's key and version, the rule and the ticked codes are kept so cohort reports can count
    them even after the service changes its set (PRACTICE.md "Eligibility criteria sets").
    """

    __tablename__ = "eligibility_decision"
    __table_args__ = (Index("ix_eligibility_decision_case_at", "case_id", "decided_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    criteria_set: str = Field(max_length=40, index=True)
    set_version: str = Field(max_length=20)
    rule: str = Field(max_length=40)
    ticked: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    age_in_range: bool | None = None
    rule_met: bool
    eligible: bool
    overridden: bool = False
    override_reason: str = Field(default="", max_length=2000)
    decided_at: datetime = Field(default_factory=utcnow)
    by_user_id: int = Field(foreign_key="user.id")


class Consent(SQLModel, table=True):
    """One person's consent to one purpose; withdrawal is recorded on it, with its date."""

    __table_args__ = (Index("ix_consent_case_person", "case_id", "person_id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    person_id: str = Field(foreign_key="person.id", max_length=36)
    purpose: str = Field(max_length=30)  # work, sharing, network_meeting, images
    agency: str = Field(default="", max_length=200)  # for "sharing": the named agencies
    how_given: str = Field(max_length=20)  # signed, verbal, written
    given_on: date
    recorded_at: datetime = Field(default_factory=utcnow)
    recorded_by_id: int = Field(foreign_key="user.id")
    withdrawn_on: date | None = None
    withdrawn_note: str = Field(default="", max_length=1000)
    withdrawn_by_id: int | None = Field(default=None, foreign_key="user.id")
    version: int = Field(default=1)
    # "Signed on screen": the signature as drawn on the tablet, a PNG data URL (issue 18).
    signature: str | None = Field(default=None, sa_type=Text)


class LivingSituation(SQLModel, table=True):
    """Where the young person lives, from a date; the newest is the current one, the rest its history.
    Codes are shared with the outcome records (app/core/codes.py)."""

    __tablename__ = "living_situation"
    __table_args__ = (Index("ix_living_situation_case_since", "case_id", "since"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    living: str = Field(max_length=20)
    with_whom: str = Field(default="", max_length=200)
    since: date
    recorded_at: datetime = Field(default_factory=utcnow)
    recorded_by_id: int = Field(foreign_key="user.id")


class EducationStatus(SQLModel, table=True):
    """Education, training or employment (and school attendance where known) from a date; the newest
    is the current one. Codes are shared with the outcome records (app/core/codes.py)."""

    __tablename__ = "education_status"
    __table_args__ = (Index("ix_education_status_case_since", "case_id", "since"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    education: str = Field(max_length=20)
    attendance_percent: int | None = None
    since: date
    recorded_at: datetime = Field(default_factory=utcnow)
    recorded_by_id: int = Field(foreign_key="user.id")


class MissingEpisode(SQLModel, table=True):
    """One time the young person went missing; the outcome records count these in their period."""

    __tablename__ = "missing_episode"
    __table_args__ = (Index("ix_missing_episode_case_on", "case_id", "went_missing_on"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    went_missing_on: date
    returned_on: date | None = None
    recorded_at: datetime = Field(default_factory=utcnow)
    recorded_by_id: int = Field(foreign_key="user.id")


class Contact(SQLModel, table=True):
    """A visit, call, message or meeting; append-only (DESIGN.md: contacts are never edited)."""

    __table_args__ = (
        Index("ix_contact_case_on", "case_id", "occurred_on"),
        # Covering: a case's last attended contact, missed visits and figures, index only (issue 21).
        Index("ix_contact_case_attended_on", "case_id", "attended", "occurred_on", "seen_alone", "direct_minutes"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: int = Field(foreign_key="case.id")
    kind: str = Field(max_length=20)  # visit, phone, message, meeting, other
    occurred_on: date
    start_time: time | None = None
    duration_minutes: int = 0
    place: str = Field(default="home", max_length=20)
    present: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # person ids
    young_person_seen: bool = False
    seen_alone: bool = False
    attended: bool = True  # False: a missed visit ("no access")
    direct_minutes: int = 0
    admin_minutes: int = 0
    note: str = Field(default="", max_length=2000)
    # Professionals and agencies there too, in the worker's words ("Ms Achebe, school; PC Ward").
    professionals: str = Field(default="", max_length=500)
    recorded_at: datetime = Field(default_factory=utcnow)
    by_user_id: int = Field(foreign_key="user.id")


class CaseFlag(SQLModel, table=True):
    """Each open case's oversight flags as `homeward tick` last worked them out (issue 21): the
    manager's whole-service team cases filter and sort by them instead of working out every flag
    of the county's 50,000 cases on each view, and say when they were taken. Replaced whole by each
    tick. The key to the case is not named case_id on purpose: the tick's hourly rewrite is not a
    change to the case, so it must not move the case page's version (app/page_versions.py)."""

    __tablename__ = "case_flag"
    __table_args__ = (Index("ix_case_flag_key", "flag_key", "flagged_case_id"),)

    flagged_case_id: int = Field(foreign_key="case.id", primary_key=True)
    flag_key: str = Field(max_length=40, primary_key=True)
    recorded_at: datetime = Field(default_factory=utcnow)
