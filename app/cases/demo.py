"""Demo casework for the twelve core cases: referral details, screening, consent, contacts, events.

Deterministic (a seeded generator), fictional, and consistent with each case's status and age:
a dormant case stopped being visited weeks ago, a closed one has its closure, a new referral has
nothing yet but the referral itself.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlmodel import Session

from app.cases.eligibility import criteria_set
from app.cases.models import CaseEvent, Consent, Contact, EligibilityDecision, LivingSituation
from app.timeutil import LOCAL, utcnow

ROUTES = [
    "mash",
    "cf_plan",
    "step_down_cin",
    "school",
    "mash",
    "step_down_cp",
    "cf_plan",
    "school",
    "mash",
    "step_down_cin",
    "other",
    "mash",
]
REASONS = {
    "Kayla": (
        "Going missing overnight at weekends; arguments at home about friends much older than her.",
        ["S-A2", "S-A5", "S-B4"],
    ),
    "Tyler": ("Excluded twice this term; mum says she cannot manage his anger at home.", ["S-A5", "S-B8", "S-B4"]),
    "Amira": ("Concerns about exploitation; found in another town with older males.", ["S-A1", "S-A5", "S-B10"]),
    "Jayden": ("School worried about absence and a change in behaviour since his dad left.", ["S-B4", "S-B9"]),
    "Chloe": ("Risk of accommodation after repeated conflict with mum.", ["S-A5", "S-B5"]),
    "Reece": ("Caught with cannabis at school; parents asking for help.", ["S-A5", "S-B5", "S-B8"]),
    "Mia": ("Placement with aunt at risk of breaking down.", ["S-A5", "S-B10"]),
    "Logan": ("Police report of gang involvement; mum frightened for him.", ["S-A4", "S-B8"]),
    "Ellie": ("Self-harm and not attending school; mum struggling.", ["S-A5", "S-B6"]),
    "Nathan": ("Stepfather and Nathan fighting; police called twice.", ["S-A5", "S-B2"]),
    "Sophie": ("Missing from school; low mood.", ["S-A5", "S-B10"]),
    "Callum": ("On a CP plan; risk of accommodation after assault at home.", ["S-A5", "S-B2", "S-B5"]),
}
AGENCIES = ["Children's Social Care", "Northfield Academy", "MASH", "Police", "Youth Offending Service", "GP surgery"]
NOTES = [
    "Talked about the week; agreed one thing each to try.",
    "Walk and talk; opened up about school.",
    "Family meeting at the kitchen table; mum and young person both spoke.",
    "Went through the safety plan together.",
    "Quick check-in after a difficult weekend.",
    "Drove to college open day.",
    "Worked on the three houses together.",
]


def _at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=LOCAL)


# Where some young people live, with a move in between (issue 18): codes from app/core/codes.py.
LIVING_STORIES = {
    "Kayla": [("with_parents", "Mum (Donna) and her brother", 120)],
    "Tyler": [
        ("with_parents", "Mum (Lisa) and his little sister", 150),
        ("relatives_friends", "His dad, Craig, for now", 20),
    ],
    "Amira": [("with_parents", "Her mum, Samira", 90)],
}


def _living(session: Session, demo, today) -> None:
    for first, story in LIVING_STORIES.items():
        case = demo.cases.get(first)
        if case is None:
            continue
        for living, with_whom, days_ago in story:
            session.add(
                LivingSituation(
                    case_id=case.id,
                    living=living,
                    with_whom=with_whom,
                    since=today - timedelta(days=days_ago),
                    recorded_by_id=case.key_worker_id,
                )
            )


def load(*, session: Session, demo) -> None:
    """Add casework to every core demo case."""
    _living(session, demo, demo.today)
    rng = random.Random(42)
    criteria = criteria_set("sefton")
    now = utcnow()
    for number, (first, case) in enumerate(demo.cases.items()):
        people = demo.people[first]
        worker_id = case.key_worker_id
        opened = case.opened_at
        reason, ticked = REASONS.get(first, ("Family asked for support.", ["S-A5", "S-B1"]))
        case.referral_route = ROUTES[number % len(ROUTES)]
        case.referrer_agency = AGENCIES[number % len(AGENCIES)]
        case.referrer_name = ["Jo Bell", "Mark Owusu", "Sara Lind", "Dan Webb"][number % 4]
        case.referrer_contact = f"01632 96{number:04d}"
        case.referral_reason = reason
        case.gender = "female" if first in ("Kayla", "Amira", "Chloe", "Mia", "Ellie", "Sophie") else "male"
        case.ethnicity = [
            "white",
            "white",
            "asian",
            "black",
            "white",
            "asian",
            "white",
            "not_known",
            "white",
            "mixed",
            "white",
            "white",
        ][number % 12]
        case.statutory_status_at_referral = {"cin": "cin", "cp": "cp", "cla": "cla"}.get(
            case.practice_context, "early_help"
        )
        case.prior_cin = "yes" if case.practice_context in ("cin", "cp", "cla") else "no"
        session.add(case)
        if case.status == "referred":
            continue
        screening_at = opened + timedelta(hours=20)
        session.add(
            CaseEvent(
                case_id=case.id,
                kind="screening_started",
                from_status="referred",
                to_status="screening",
                rationale="Referral meets the service's focus; screening started.",
                occurred_at=screening_at,
                by_user_id=worker_id,
            )
        )
        # First contact: mostly within the 24-hour target, one or two late, as in real services.
        first_contact = opened + timedelta(hours=rng.choice([3, 6, 20, 22, 30]))
        case.first_contact_at = min(first_contact, now)
        session.add(
            Contact(
                case_id=case.id,
                kind="phone",
                occurred_on=case.first_contact_at.astimezone(LOCAL).date(),
                start_time=case.first_contact_at.astimezone(LOCAL).time().replace(second=0, microsecond=0),
                duration_minutes=20,
                place="office",
                present=[people[1].id] if len(people) > 1 else [],
                attended=True,
                direct_minutes=20,
                note="First call: introduced the service and arranged a visit.",
                by_user_id=worker_id,
                recorded_at=case.first_contact_at,
            )
        )
        if case.status == "screening":
            continue
        decided = opened + timedelta(days=2)
        session.add(
            EligibilityDecision(
                case_id=case.id,
                criteria_set=criteria.key,
                set_version=criteria.version,
                rule=criteria.rule,
                ticked=sorted(ticked),
                rule_met=True,
                eligible=True,
                decided_at=decided,
                by_user_id=worker_id,
            )
        )
        session.add(
            CaseEvent(case_id=case.id, kind="eligibility", reason="eligible", occurred_at=decided, by_user_id=worker_id)
        )
        consent_day = (opened + timedelta(days=3)).astimezone(LOCAL).date()
        for person in people[:2]:
            for purpose in ("work", "sharing", "network_meeting") if person.is_young_person else ("work", "sharing"):
                how = "signed" if purpose == "work" else "verbal"
                consent = Consent(
                    case_id=case.id,
                    person_id=person.id,
                    purpose=purpose,
                    agency="School and GP" if purpose == "sharing" else "",
                    how_given=how,
                    given_on=consent_day,
                    recorded_by_id=worker_id,
                    recorded_at=_at(consent_day, 17),
                )
                session.add(consent)
                session.add(
                    CaseEvent(
                        case_id=case.id,
                        kind="consent_given",
                        reason=purpose,
                        rationale=purpose,
                        person_id=person.id,
                        occurred_at=_at(consent_day, 17),
                        by_user_id=worker_id,
                    )
                )
        activated = opened + timedelta(days=5)
        session.add(
            CaseEvent(
                case_id=case.id,
                kind="activated",
                from_status="screening",
                to_status="active",
                rationale="Eligible and the family agreed to the work.",
                occurred_at=activated,
                by_user_id=worker_id,
            )
        )
        if first == "Amira" and "worker3" in demo.users:
            case.co_worker_id = demo.users["worker3"].id
            session.add(
                CaseEvent(
                    case_id=case.id,
                    kind="step_up",
                    destination="cp",
                    reason="continues",
                    rationale="Strategy meeting after the missing episode; CP plan made, our work continues alongside.",
                    occurred_at=opened + timedelta(days=40),
                    by_user_id=worker_id,
                )
            )
        work_ends = now
        if case.status == "dormant":
            work_ends = now - timedelta(days=45)
            session.add(
                CaseEvent(
                    case_id=case.id,
                    kind="dormant",
                    from_status="active",
                    to_status="dormant",
                    rationale="Goals met; knows she can call her worker any time.",
                    occurred_at=work_ends,
                    by_user_id=worker_id,
                )
            )
        if case.status == "closed":
            work_ends = (case.closed_at or now) - timedelta(days=1)
            case.closure_reason = "aims_achieved"
            session.add(
                CaseEvent(
                    case_id=case.id,
                    kind="closed",
                    from_status="active",
                    to_status="closed",
                    reason="aims_achieved",
                    rationale="Plan aims achieved; ending agreed with the family.",
                    occurred_at=case.closed_at or now,
                    by_user_id=worker_id,
                )
            )
        day = activated
        while day < work_ends - timedelta(days=1):
            day += timedelta(days=rng.choice([2, 3, 4, 5, 7]))
            if day >= work_ends:
                break
            on = day.astimezone(LOCAL).date()
            missed = rng.random() < 0.12
            kind = rng.choice(["visit", "visit", "visit", "phone", "meeting", "message"])
            duration = {"visit": rng.choice([45, 60, 75, 90]), "phone": 15, "meeting": 60, "message": 5}[kind]
            present = [] if missed else [p.id for p in people if p.in_household and rng.random() < 0.8]
            yp_seen = not missed and kind in ("visit", "meeting") and people[0].id in present
            session.add(
                Contact(
                    case_id=case.id,
                    kind=kind,
                    occurred_on=on,
                    start_time=time(rng.choice([10, 15, 16, 17, 18]), rng.choice([0, 30])),
                    duration_minutes=duration,
                    place="home" if kind == "visit" else ("school" if kind == "meeting" else "office"),
                    present=present,
                    young_person_seen=yp_seen,
                    seen_alone=yp_seen and rng.random() < 0.4,
                    attended=not missed,
                    direct_minutes=0 if missed else duration,
                    admin_minutes=rng.choice([0, 15, 30]),
                    note="No answer at the door; left a card." if missed else rng.choice(NOTES),
                    by_user_id=worker_id,
                    recorded_at=day,
                )
            )
        session.add(case)
    session.flush()
