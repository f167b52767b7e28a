"""Review's part of the case page's "Needs doing": why oversight flags the case (in the same words,
the same rules scoped to this case) and work a supervisor returned that has not been sent again."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from app.cases.models import Case
from app.features import ToDo
from app.review import registry
from app.review.case_section import flags_for
from app.review.models import Submission, SubmissionStatus


def items(*, session: Session, case: Case, actor) -> list[ToDo]:
    found = [ToDo("flag", words, source="Team oversight") for words in flags_for(session=session, case=case)]
    newest = (
        select(Submission.kind, Submission.item_id, func.max(Submission.version_number).label("n"))
        .where(Submission.case_id == case.id)
        .group_by(Submission.kind, Submission.item_id)
        .subquery()
    )
    returned = session.exec(
        select(Submission)
        .join(
            newest,
            (newest.c.kind == Submission.kind)
            & (newest.c.item_id == Submission.item_id)
            & (newest.c.n == Submission.version_number),
        )
        .where(Submission.case_id == case.id, Submission.status == SubmissionStatus.returned)
    ).all()
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
