"""Code lists shared by the case record and the outcome records, so both speak the same codes.

They sit in the platform layer because the case (app/cases) is below the outcomes (app/outcomes)
and neither may import the other's models for them (docs/architecture.md).
"""

from __future__ import annotations

NOT_KNOWN = ("not_known", "Not known")

# Where the young person lives: on the case (with its history) and in each outcome record.
LIVING = [
    ("with_parents", "At home with parents or carers"),
    ("relatives_friends", "With relatives or family friends"),
    ("sofa_surfing", "Sofa-surfing"),
    ("supported", "Supported accommodation"),
    ("homeless", "Homeless"),
    ("in_care", "In care"),
    NOT_KNOWN,
]

# Education, training or employment: on the case (with its history) and in each outcome record.
EDUCATION = [
    ("full_time", "Full-time education"),
    ("part_time", "Part-time education or timetable"),
    ("excluded", "Excluded"),
    ("neet", "Not in education, employment or training"),
    ("employed", "Employed or in training"),
    NOT_KNOWN,
]
