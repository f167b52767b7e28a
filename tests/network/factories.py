"""Factories for the network's tests: a case with a family, and meeting form data as a person fills it."""

from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import Session

from app.cases.models import Consent, Person
from tests.factories import make_case, make_user


def make_family_case(session: Session, **overrides):
    """A worker and a case with a young person, mother, nan, brother, uncle and family friend."""
    network_consent = overrides.pop("network_consent", True)
    worker = overrides.pop("worker", None) or make_user(
        session, email=f"w{uuid.uuid4().hex[:6]}@example.org", full_name="Sam Okafor"
    )
    case = make_case(session, worker=worker, young_person_name="Kayla Morgan", preferred_name="Kay", **overrides)
    people = {}
    for name, relationship, household, knows in [
        ("Donna Morgan", "Mother", True, True),
        ("Pat Morgan", "Grandmother", False, True),
        ("Jordan Morgan", "Brother", True, False),
        ("Yusuf Ali", "Uncle", False, True),
        ("Leanne Carter", "Family friend", False, True),
    ]:
        person = Person(
            case_id=case.id,
            name=name,
            relationship=relationship,
            in_household=household,
            knows_the_worries=knows,
            phone="07700 900123",
        )
        session.add(person)
        people[name.split()[0]] = person
    session.flush()
    if network_consent:  # Donna agreed to a network meeting with agencies (asked before one is recorded)
        session.add(
            Consent(
                case_id=case.id,
                person_id=people["Donna"].id,
                purpose="network_meeting",
                how_given="verbal",
                given_on=date(2026, 9, 1),
                recorded_by_id=worker.id,
            )
        )
        session.flush()
    return worker, case, people


def meeting_form(people, *, meeting_id: str | None = None, **overrides) -> dict:
    """Form fields for a first network meeting: six attendees (two apologies), advocate, four tasks."""
    data = {
        "id": meeting_id or str(uuid.uuid4()),
        "kind": "network",
        "held_on": "2026-10-01",
        "venue": "Nan's house",
        "chair": "Sam Okafor",
        "young_person_attended": "1",
        "views_given": "advocate",
        "young_person_views": "I want to stay at home.",
        "private_family_time": "1",
        "plan_agreed": "1",
        "next_meeting_on": "2026-11-12",
        f"attend-{people['Donna'].id}": "present",
        f"attend-{people['Pat'].id}": "present",
        f"attend-{people['Yusuf'].id}": "present",
        f"attend-{people['Leanne'].id}": "present",
        f"attend-{people['Jordan'].id}": "apologies",
        "extra-count": "2",
        "extra-0-name": "Ms Achebe",
        "extra-0-role": "Head of Year",
        "extra-0-attendance": "apologies",
        "decision-count": "1",
        "decision-0": "Kayla stays at home",
        "decision-0-why": "Everyone wants it",
        "task-count": "5",
        "support-count": "1",
        "support-0-agency": "School",
        "support-0-what": "Daily check-in",
        "support-0-agreed": "agreed",
        "cont-count": "1",
        "cont-0-if": "Kayla goes missing",
        "cont-0-then": "Donna rings the police on 101 and then Nan",
    }
    tasks = [
        ("Pick Kayla up from school on Tuesdays", "Pat Morgan", "2026-10-14", "Donna Morgan"),
        ("Text Nan when Kayla is home by 10pm", "Donna Morgan", "2026-10-08", "Pat Morgan"),
        ("Share phone location every evening", "Kayla Morgan", "2026-10-08", "Donna Morgan"),
        ("Find a Friday youth club", "Sam Okafor", "2026-10-22", "Pat Morgan"),
    ]
    for i, (what, who, due, checker) in enumerate(tasks):
        data.update(
            {
                f"task-{i}-id": str(uuid.uuid4()),
                f"task-{i}-what": what,
                f"task-{i}-who": who,
                f"task-{i}-due": due,
                f"task-{i}-checker": checker,
            }
        )
    data["task-4-id"] = str(uuid.uuid4())
    data.update(overrides)
    return data
