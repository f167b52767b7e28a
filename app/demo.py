"""A small, realistic, fictional service for `homeward demo` (never in production).

The core here makes the team, the accounts and twelve cases with their families; each feature
package may add its own examples through its Feature's `demo` hook, `load(*, session, demo)`, run in
the order of app.main.FEATURES, so a newcomer sees every part of Homeward working.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session

from app import demo_supervision
from app.accounts.models import Role, Team, User
from app.accounts.service import set_offline_pin_check
from app.cases.models import Case, CaseEvent, CaseStatus, Person
from app.config import Settings
from app.main import FEATURES
from app.security.passwords import hash_password
from app.security.totp import enrol_with_secret
from app.security.totp import is_required as role_needs_second_factor
from app.timeutil import utcnow

DEMO_PASSWORD = "homeward-demo"
DEMO_PIN = "246813"
# The demo manager's and administrator's authenticator secret (README, "Demo accounts"): they need a
# second factor like any real manager, and a newcomer adds this key to an app or prints a code.
DEMO_TOTP_SECRET = "HOMEWARDDEMOTOTPSECRETKEYABCDEFG"


@dataclass
class Demo:
    """What the core demo made, for feature demos to build on."""

    team: Team
    users: dict[str, User]
    cases: dict[str, Case] = field(default_factory=dict)  # by young person's first name
    people: dict[str, list[Person]] = field(default_factory=dict)
    today: date = field(default_factory=lambda: utcnow().date())


PREFERRED = {"Pat Morgan": "Nan"}
# (first name, surname, preferred, age, status, context, worker key, days open, family members)
FAMILIES = [
    (
        "Kayla",
        "Morgan",
        "Kay",
        15,
        "active",
        "cin",
        "worker",
        70,
        [
            ("Donna Morgan", "Mother", True, True),
            ("Pat Morgan", "Grandmother", False, True),
            ("Jordan Morgan", "Brother", True, False),
        ],
    ),
    (
        "Tyler",
        "Brooks",
        "",
        14,
        "active",
        "early_help",
        "worker",
        150,  # referred before his 64-day dormant spell (app/endings/demo.py), not during it
        [("Lisa Brooks", "Mother", True, True), ("Craig Brooks", "Father", False, False)],
    ),
    (
        "Amira",
        "Hassan",
        "",
        16,
        "active",
        "cp",
        "worker",
        110,
        [("Samira Hassan", "Mother", True, True), ("Yusuf Hassan", "Uncle", False, True)],
    ),
    (
        "Jayden",
        "Clarke",
        "Jay",
        13,
        "screening",
        "early_help",
        "worker",
        3,
        [("Michelle Clarke", "Mother", True, False)],
    ),
    ("Chloe", "Walsh", "", 17, "dormant", "early_help", "worker", 200, [("Karen Walsh", "Mother", True, True)]),
    (
        "Reece",
        "Patel",
        "",
        15,
        "active",
        "cin",
        "worker2",
        55,
        [("Anita Patel", "Mother", True, True), ("Dev Patel", "Father", True, True)],
    ),
    ("Mia", "O'Connor", "", 14, "active", "cla", "worker2", 90, [("Siobhan O'Connor", "Aunt", True, True)]),
    ("Logan", "Hughes", "", 16, "referred", "early_help", "worker2", 1, [("Gemma Hughes", "Mother", True, False)]),
    ("Ellie", "Shaw", "", 15, "closed", "early_help", "worker2", 260, [("Tracy Shaw", "Mother", True, True)]),
    (
        "Nathan",
        "Price",
        "Nate",
        16,
        "active",
        "cin",
        "worker3",
        30,
        [("Claire Price", "Mother", True, True), ("Gary Price", "Stepfather", True, False)],
    ),
    ("Sophie", "Turner", "", 13, "dormant", "early_help", "worker3", 180, [("Laura Turner", "Mother", True, True)]),
    (
        "Callum",
        "Reid",
        "",
        17,
        "active",
        "cp",
        "worker3",
        14,
        [("Fiona Reid", "Mother", True, True), ("Ian Reid", "Grandfather", False, True)],
    ),
]

STAFF = [
    ("worker", "worker@example.org", "Sam Okafor", Role.worker),
    ("worker2", "worker2@example.org", "Priya Shah", Role.worker),
    ("worker3", "worker3@example.org", "Tom Fletcher", Role.worker),
    ("supervisor", "supervisor@example.org", "Helen Marsh", Role.supervisor),
    ("manager", "manager@example.org", "David Ellis", Role.manager),
    ("admin", "admin@example.org", "Ruth Adeyemi", Role.admin),
]


def load_demo(*, session: Session, settings: Settings) -> Demo:
    """Create the demo service and let each feature add its examples."""
    password_hash = hash_password(DEMO_PASSWORD)
    pin_hash = hash_password(DEMO_PIN)
    team = Team(name="North Adolescent Support Team")
    session.add(team)
    session.flush()
    users: dict[str, User] = {}
    for key, email, name, role in STAFF:
        user = User(
            email=email,
            full_name=name,
            role=role,
            team_id=None if role in (Role.admin, Role.manager) else team.id,
            password_hash=password_hash,
            pin_hash=pin_hash if role is Role.worker else None,
        )
        if role is Role.worker:
            set_offline_pin_check(user, DEMO_PIN, settings.pin_kdf_iterations)
        session.add(user)
        users[key] = user
    session.flush()
    for user in users.values():
        if role_needs_second_factor(user=user, settings=settings):
            enrol_with_secret(session=session, user=user, settings=settings, secret=DEMO_TOTP_SECRET)
    demo = Demo(team=team, users=users)
    now = utcnow()
    for number, (first, surname, preferred, age, status, context, worker_key, days_open, family) in enumerate(
        FAMILIES, start=1
    ):
        opened = now - timedelta(days=days_open)
        born = date(demo.today.year - age, 1 + (number * 5) % 12, 1 + (number * 7) % 27)
        case = Case(
            reference=f"HW-{opened.year}-{number:04d}",
            young_person_name=f"{first} {surname}",
            preferred_name=preferred,
            date_of_birth=born,
            status=status,
            practice_context=context,
            key_worker_id=users[worker_key].id,
            team_id=team.id,
            referral_date=opened.date(),
            opened_at=opened,
            next_review_on=(demo.today + timedelta(days=(number * 9) % 42)) if status == "active" else None,
            closed_at=now - timedelta(days=10) if status == "closed" else None,
        )
        session.add(case)
        session.flush()
        demo.cases[first] = case
        people = [
            Person(
                case_id=case.id,
                name=f"{first} {surname}",
                relationship="Young person",
                is_young_person=True,
                given_name=first,
                in_household=True,
                knows_the_worries=True,
                date_of_birth=born,
            )
        ]
        for name, relationship, household, knows in family:
            people.append(
                Person(
                    case_id=case.id,
                    name=name,
                    given_name=name.split()[0],
                    # The family screens greet people by the name they go by (docs/family-mode.md).
                    preferred_name=PREFERRED.get(name, ""),
                    relationship=relationship,
                    in_household=household,
                    knows_the_worries=knows,
                    phone=f"07700 900{number:02d}{len(people)}",
                )
            )
        session.add_all(people)
        demo.people[first] = people
        session.add(
            CaseEvent(
                case_id=case.id,
                kind="referral",
                to_status=CaseStatus.referred,
                rationale="Referral received.",
                occurred_at=opened,
                by_user_id=users[worker_key].id,
            )
        )
    session.flush()

    for feature in FEATURES:
        if feature.demo is not None:
            feature.demo(session=session, demo=demo)
            session.flush()
    # Supervision spans every framework's work (maps, assessments, meetings), so it comes last.
    demo_supervision.load(session=session, demo=demo)
    session.flush()
    return demo
