"""Demo: one conflict waiting for Sam on Kayla's case, and one already settled, so a newcomer can
see the side-by-side screen (Outbox → Conflicts to settle)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from app.sync.models import SyncConflict
from app.sync.rules import as_text
from app.timeutil import utcnow

LABELS = {
    "name": "Name",
    "relationship": "Relationship to the young person",
    "phone": "Phone",
    "address": "Address",
    "in_household": "Lives in the household",
}


def _conflict(*, demo, person, mine: dict, theirs: dict, hours_ago: int, settled: dict | None = None) -> SyncConflict:
    base = {f: as_text(getattr(person, f)) for f in LABELS}
    # The office's change is what the server holds now: one version on from the tablet's copy.
    for field, value in theirs.items():
        setattr(person, field, value)
    person.version += 1
    created = utcnow() - timedelta(hours=hours_ago)
    conflict = SyncConflict(
        op_id=str(uuid.uuid4()),
        user_id=demo.users["worker"].id,
        case_id=person.case_id,
        record_type="person",
        record_id=person.id,
        record_label=person.name,
        target=f"/cases/{person.case_id}/people/{person.id}",
        base_version=person.version - 1,
        server_version=person.version,
        mine=json.dumps({**base, **mine}),
        theirs=json.dumps({**base, **theirs}),
        labels=json.dumps({"labels": LABELS, "yes_no": ["in_household"]}),
        created_at=created,
        resolved_at=created + timedelta(minutes=20) if settled is not None else None,
        resolution=json.dumps({**base, **settled}) if settled is not None else None,
    )
    if settled is not None:  # the worker's choice became a new version
        for field, value in settled.items():
            setattr(person, field, value)
        person.version += 1
    return conflict


def load(*, session, demo) -> None:
    donna = next(p for p in demo.people["Kayla"] if p.name == "Donna Morgan")
    lisa = next(p for p in demo.people["Tyler"] if p.name == "Lisa Brooks")
    session.add(donna)
    session.add(lisa)
    session.add(
        _conflict(
            demo=demo,
            person=donna,
            mine={"phone": "07700 900777"},
            theirs={"address": "12 Larch Close, Bootle"},
            hours_ago=3,
        )
    )
    session.add(
        _conflict(
            demo=demo,
            person=lisa,
            mine={"phone": "07700 900555"},
            theirs={"phone": "07700 900444"},
            hours_ago=50,
            settled={"phone": "07700 900555"},
        )
    )
