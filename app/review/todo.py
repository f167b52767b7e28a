"""Review's part of the case page's "Needs doing": why oversight flags the case (in the same words,
the same rules scoped to this case) and work a supervisor returned that has not been sent again."""

from __future__ import annotations

from sqlmodel import Session

from app.cases import reads
from app.cases.models import Case
from app.features import ToDo
from app.review import registry
from app.review.case_section import flags_for
from app.review.models import Submission, SubmissionStatus

reads.per_case(Submission)  # read whole per case page (app/cases/reads.py)


def items(*, session: Session, case: Case, actor) -> list[ToDo]:
    found = [ToDo("flag", words, source="Team oversight") for words in flags_for(session=session, case=case)]
    # Submissions of each item's newest version number that the supervisor returned.
    submissions = reads.rows(session=session, model=Submission, case_id=case.id)
    newest: dict[tuple[str, str], int] = {}
    for s in submissions:
        newest[(s.kind, s.item_id)] = max(s.version_number, newest.get((s.kind, s.item_id), 0))
    returned = [
        s
        for s in submissions
        if s.status == SubmissionStatus.returned and s.version_number == newest[(s.kind, s.item_id)]
    ]
    settled: set[str] = set()
    for key in {s.kind for s in returned}:
        kind = registry.kind(key)
        if kind is not None and kind.settled is not None:
            settled |= kind.settled(session, [s.item_id for s in returned if s.kind == key])
    found += [
        ToDo(
            "returned", f"{registry.label(s.kind)}, version {s.version_number}", url=f"/review/{s.id}", source="Review"
        )
        for s in returned
        if s.item_id not in settled
    ]
    return found
