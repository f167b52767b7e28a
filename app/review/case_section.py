"""Supervision's part of the case page: the latest review decisions and supervision notes."""

from __future__ import annotations

from sqlmodel import Session, select

from app.cases.models import Case
from app.review import registry
from app.review.models import NoteKind, Submission, SupervisionNote


def context(*, session: Session, case: Case, actor) -> dict:
    submissions = session.exec(
        select(Submission).where(Submission.case_id == case.id).order_by(Submission.submitted_at.desc()).limit(5)
    ).all()
    note = session.exec(
        select(SupervisionNote)
        .where(SupervisionNote.kind == NoteKind.case, SupervisionNote.case_id == case.id)
        .order_by(SupervisionNote.at.desc())
        .limit(1)
    ).first()
    return {"submissions": [(s, registry.label(s.kind)) for s in submissions], "note": note}
