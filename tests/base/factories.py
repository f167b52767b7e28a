"""Factories for BASE tests: a worker's case with a family, and a form-filled BASE assessment."""

from __future__ import annotations

import uuid

from app.cases.models import Person
from tests.factories import make_case, make_user


def case_with_family(db, **overrides):
    worker = make_user(db, full_name="Sam Okafor", email=f"sam-{uuid.uuid4().hex[:6]}@example.org")
    case = make_case(db, worker=worker, young_person_name="Amira Hassan", **overrides)
    mother = Person(
        case_id=case.id, name="Samira Hassan", given_name="Samira", relationship="Mother", in_household=True
    )
    db.add(mother)
    db.flush()
    return worker, case, mother


def uid() -> str:
    return str(uuid.uuid4())


ENGAGEMENT = {
    "expectations": "Wants less arguing",
    "aspirations": "Go to college",
    "motivation": "4",
    "motivation_evidence": "Came to every session",
    "capacity": "3",
    "capacity_evidence": "",
    "involvement": "Wants to help write the plan",
}
RISK = {"hazard": "Going missing overnight", "likelihood": "3", "imminence": "3", "impact": "3"}
