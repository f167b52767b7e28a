"""A year and more of a small service's outcome history, so the scorecard shows something real.

The core demo cases get a baseline (active work) or an ending record (dormant or closed). Then
forty past cases, referred over the last two years and closed, carry their whole outcome story:
casework, an ending, baseline/ending/follow-up records, Diamond and scale ratings first and last.
They are closed (never dormant, never reactivated), so the endings demo's own figures are unchanged.
All fictional; `random.Random(17)` keeps it the same on every load.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

from app.base.feedback import feedback_sets, question_set
from app.base.models import BaseFeedback
from app.cases.eligibility import criteria_set
from app.cases.models import (
    Case,
    CaseEvent,
    Consent,
    Contact,
    EducationStatus,
    EligibilityDecision,
    LivingSituation,
    MissingEpisode,
    Person,
)
from app.diamond.models import DiamondRating
from app.endings.models import Ending
from app.endings.rules import add_months
from app.outcomes.models import OutcomeRecord
from app.signs_of_safety.models import ScaleRating
from app.timeutil import LOCAL

FIRST = ["Aaron", "Bethany", "Connor", "Demi", "Ethan", "Freya", "George", "Hollie", "Isaac", "Jasmine"]
FIRST += ["Kieran", "Leah", "Mason", "Niamh", "Owen", "Poppy", "Riley", "Summer", "Tariq", "Zara"]
SURNAMES = ["Ashworth", "Bennett", "Carter", "Dawson", "Evans", "Fisher", "Grant", "Holt"]
GENDERS = ["female", "male", "male", "female", "non_binary", "female", "male", "not_known"]
ETHNICITIES = ["white", "white", "white", "asian", "black", "mixed", "white", "not_known", "white", "asian"]
ROUTES = ["mash", "mash", "cf_plan", "step_down_cin", "school", "mash", "step_down_cp", "other"]
REASONS = ["aims_achieved"] * 5 + ["consent_withdrawn", "moved_away", "stepped_up", "stepped_down"]
ANCHOR_LOW = "The young person cannot safely live at home as things are"
ANCHOR_HIGH = "Everyone agrees things are safe enough for the service to close"


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=LOCAL)


def _core_records(session: Session, demo) -> None:
    for case in demo.cases.values():
        worker = case.key_worker_id
        start = (case.referral_date or demo.today) + timedelta(days=7)
        if case.status in ("active", "dormant", "closed") and start <= demo.today:
            session.add(
                OutcomeRecord(
                    case_id=case.id, point="baseline", taken_on=start, living="with_parents", care_status="cin",
                    education="part_time", missing_episodes=2, police_contacts=1, anti_social_behaviour="yes",
                    criminal_exploitation_risk="medium", sexual_exploitation_risk="low", substance_concern="yes",
                    mental_health_service="no", counterfactual_worker="entered_care",
                    counterfactual_worker_reason="Parent had asked for accommodation the week of the referral.",
                    counterfactual_manager="entered_care", counterfactual_manager_reason="Agree: edge of care.",
                    by_user_id=worker,
                )
            )  # fmt: skip
        if case.status in ("dormant", "closed"):
            session.add(
                OutcomeRecord(
                    case_id=case.id, point="ending", taken_on=demo.today - timedelta(days=10), living="with_parents",
                    care_status="none", education="full_time", missing_episodes=0, police_contacts=0,
                    anti_social_behaviour="no", criminal_exploitation_risk="low", sexual_exploitation_risk="none",
                    substance_concern="no", mental_health_service="yes", by_user_id=worker,
                )
            )  # fmt: skip


def _history_case(session: Session, demo, rng: random.Random, n: int, criteria) -> None:
    workers = [demo.users[k].id for k in ("worker", "worker2", "worker3")]
    worker = workers[n % 3]
    referred = demo.today - timedelta(days=730 - n * 16 - rng.randint(0, 10))
    work_days = rng.randint(90, 200)
    closed_on = min(referred + timedelta(days=work_days), demo.today - timedelta(days=20))
    age = rng.randint(12, 17)
    name = f"{FIRST[n % len(FIRST)]} {SURNAMES[(n * 3) % len(SURNAMES)]}"
    reason = REASONS[n % len(REASONS)]
    prior = rng.random()
    case = Case(
        reference=f"HW-{referred.year}-{1000 + n:04d}",
        young_person_name=name,
        date_of_birth=date(referred.year - age, 1 + n % 12, 1 + (n * 5) % 27),
        status="closed",
        practice_context=["early_help", "cin", "cp"][n % 3],
        key_worker_id=worker,
        team_id=demo.team.id,
        gender=GENDERS[n % len(GENDERS)],
        ethnicity=ETHNICITIES[n % len(ETHNICITIES)],
        referral_date=referred,
        referral_route=ROUTES[n % len(ROUTES)],
        statutory_status_at_referral=["early_help", "cin", "cp"][n % 3],
        prior_cin="yes" if prior < 0.45 else "no",
        prior_cp="yes" if prior < 0.2 else "no",
        prior_cla="yes" if prior < 0.08 else ("no" if prior < 0.9 else "not_known"),
        first_contact_at=_at(referred, 15),
        closure_reason=reason,
        opened_at=_at(referred, 9),
        closed_at=_at(closed_on, 16),
    )
    session.add(case)
    session.flush()
    young = Person(case_id=case.id, name=name, relationship="Young person", is_young_person=True, in_household=True)
    parent = Person(case_id=case.id, name=f"Sam {SURNAMES[(n * 3) % len(SURNAMES)]}", relationship="Parent")
    session.add_all([young, parent])
    session.flush()
    session.add(
        EligibilityDecision(
            case_id=case.id, criteria_set=criteria.key, set_version=criteria.version, rule=criteria.rule,
            ticked=["S-A5", "S-B1"], rule_met=True, eligible=True, decided_at=_at(referred + timedelta(days=2)),
            by_user_id=worker,
        )
    )  # fmt: skip
    session.add(
        Consent(
            case_id=case.id, person_id=young.id, purpose="work", how_given="signed",
            given_on=referred + timedelta(days=3), recorded_by_id=worker,
        )
    )  # fmt: skip
    for kind, day, to in (("referral", referred, "referred"), ("activated", referred + timedelta(days=5), "active")):
        session.add(CaseEvent(case_id=case.id, kind=kind, to_status=to, occurred_at=_at(day), by_user_id=worker))
    session.add(
        CaseEvent(
            case_id=case.id, kind="closed", from_status="active", to_status="closed", reason=reason,
            occurred_at=_at(closed_on, 16), by_user_id=worker,
        )
    )  # fmt: skip
    day = referred + timedelta(days=1)
    while day < closed_on:
        attended = rng.random() > 0.12
        session.add(
            Contact(
                case_id=case.id, kind="visit" if rng.random() > 0.25 else "phone", occurred_on=day,
                duration_minutes=60 if attended else 0, attended=attended, young_person_seen=attended,
                seen_alone=attended and rng.random() > 0.5, direct_minutes=rng.choice([45, 60, 90]) if attended else 0,
                admin_minutes=rng.choice([15, 20, 30]) if attended else 0, by_user_id=worker,
            )
        )  # fmt: skip
        day += timedelta(days=rng.choice([6, 7, 9, 12]))
    stepped_up = reason == "stepped_up"
    session.add(
        Ending(
            case_id=case.id, outcome="closed", closure_reason=reason, recorded_at=_at(closed_on, 15),
            goals=[{"source": "worker", "ref": "", "goal": "Back in school", "rating": rng.choice(["met", "partly"]),
                    "evidence": "Attendance up"}],
            by_user_id=worker,
        )
    )  # fmt: skip
    common = {"case_id": case.id, "by_user_id": worker, "education": "full_time"}
    session.add(
        OutcomeRecord(
            point="baseline", taken_on=referred + timedelta(days=7), living="with_parents",
            care_status=["none", "cin", "cp"][n % 3], missing_episodes=rng.randint(0, 6),
            police_contacts=rng.randint(0, 4), counterfactual_worker=rng.choice(["entered_care", "entered_care",
            "stayed_same", "escalated"]), counterfactual_worker_reason="Family breakdown was close.",
            **common | {"education": rng.choice(["part_time", "excluded", "neet"])},
        )
    )  # fmt: skip
    end_home = not stepped_up or rng.random() > 0.5
    session.add(
        OutcomeRecord(
            point="ending", taken_on=closed_on, living="with_parents" if end_home else "in_care",
            placement="" if end_home else "foster", care_status="none" if end_home else "cla",
            care_status_since=None if end_home else closed_on - timedelta(days=7 + n % 30),
            missing_episodes=rng.randint(0, 2), police_contacts=rng.randint(0, 1), **common,
        )
    )  # fmt: skip
    for point, months in (("follow_up_3", 3), ("follow_up_6", 6), ("follow_up_12", 12)):
        on = add_months(closed_on, months)
        if on > demo.today:
            break
        home = end_home and rng.random() > 0.12
        living = rng.choice(["with_parents", "with_parents", "relatives_friends", "not_known"]) if home else "in_care"
        session.add(
            OutcomeRecord(
                point=point, taken_on=on, living=living, placement="" if home else "residential",
                care_status="none" if home else "cla",
                care_status_since=None if home else on - timedelta(days=20 + (n * 7) % 60), **common,
            )
        )  # fmt: skip
    # Feedback near the end of the work: the young person's, and a parent's for every other case.
    for perspective, rater in (("young_person", name), ("parent", "Parent")) if n % 2 else (("young_person", name),):
        questions = question_set(perspective)["questions"]
        session.add(
            BaseFeedback(
                case_id=case.id, perspective=perspective, rater_name=rater, about_worker_id=worker,
                question_set=feedback_sets()["version"], recorded_at=_at(closed_on - timedelta(days=5), 16),
                answers=[{"theme": q["theme"], "text": q["text"], "score": 2 + (n + i) % 4, "comment": ""}
                         for i, q in enumerate(questions)],
                recorded_by_id=worker,
            )
        )  # fmt: skip
    for person, by_worker in ((young, False), (None, True)):
        first = rng.randint(2, 5)
        for aim in ("wellbeing", "learning", "relationships", "empowerment"):
            for on, score in ((referred + timedelta(days=10), first), (closed_on - timedelta(days=3), None)):
                score = score if score is not None else max(1, min(10, first + rng.choice([-1, 0, 1, 2, 3, 3, 4])))
                session.add(
                    DiamondRating(
                        case_id=case.id, person_id=None if by_worker else person.id, user_id=worker if by_worker else None,
                        aim=aim, score=score, rated_on=on, recorded_at=_at(on, 18), recorded_by_user_id=worker,
                    )
                )  # fmt: skip
    first = rng.randint(2, 5)
    for on, score in (
        (referred + timedelta(days=12), first),
        (closed_on - timedelta(days=2), first + rng.randint(-1, 4)),
    ):
        session.add(
            ScaleRating(
                case_id=case.id, rater_role="key_worker", rater_name="Key worker", score=max(0, min(10, score)),
                anchor_low=ANCHOR_LOW, anchor_high=ANCHOR_HIGH, rated_at=_at(on, 17), created_at=_at(on, 17),
                recorded_by_id=worker,
            )
        )  # fmt: skip


def load(*, session: Session, demo) -> None:
    """Outcome records on the core cases and forty past cases' whole outcome story."""
    rng = random.Random(17)
    _core_records(session, demo)
    criteria = criteria_set("sefton")
    for n in range(40):
        _history_case(session, demo, rng, n, criteria)
    session.flush()
    _facts_on_the_cases(session)
    session.flush()


def _facts_on_the_cases(session: Session) -> None:
    """The case holds the facts its outcome records state (issue 18: one place for each fact), as if
    each record had been saved through the form: a differing living situation or education becomes
    an entry in the case's history from the record's date, and each missing episode counted is a
    dated episode in the record's period."""
    living: dict[int, list[tuple[date, str]]] = {}
    for entry in session.exec(select(LivingSituation).order_by(LivingSituation.since)).all():
        living.setdefault(entry.case_id, []).append((entry.since, entry.living))
    education: dict[int, list[tuple[date, str]]] = {}
    records = session.exec(
        select(OutcomeRecord)
        .where(OutcomeRecord.source == "form")
        .order_by(OutcomeRecord.case_id, OutcomeRecord.taken_on, OutcomeRecord.recorded_at)
    ).all()

    def on(history: list[tuple[date, str]], day: date) -> str:
        known = [code for since, code in history if since <= day]
        return known[-1] if known else "not_known"

    for record in records:
        by = record.by_user_id
        history = living.setdefault(record.case_id, [])
        if record.living != on(history, record.taken_on):
            history.append((record.taken_on, record.living))
            history.sort(key=lambda item: item[0])
            session.add(LivingSituation(case_id=record.case_id, living=record.living, since=record.taken_on,
                                        recorded_by_id=by))  # fmt: skip
        history = education.setdefault(record.case_id, [])
        if record.education != on(history, record.taken_on):
            history.append((record.taken_on, record.education))
            history.sort(key=lambda item: item[0])
            session.add(EducationStatus(case_id=record.case_id, education=record.education,
                                        attendance_percent=record.attendance_percent, since=record.taken_on,
                                        recorded_by_id=by))  # fmt: skip
        for k in range(record.missing_episodes or 0):
            went = record.taken_on - timedelta(days=k)
            session.add(MissingEpisode(case_id=record.case_id, went_missing_on=went,
                                       returned_on=went + timedelta(days=1) if k else went, recorded_by_id=by))  # fmt: skip
