"""Supervision's part of the case page: the latest review decisions and supervision notes."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, select

from app.cases import reads
from app.cases.models import Case, CaseStatus
from app.config import get_settings
from app.features import FlagScope, flag_rules
from app.review import registry
from app.review.models import NoteKind, Submission, SupervisionNote
from app.timeutil import today, utcnow

reads.per_case(Submission, SupervisionNote)  # read whole, or not read when the case has none (app/cases/reads.py)

_LATEST_NOTE = (  # built once, the case a bound parameter (issue 21)
    select(SupervisionNote)
    .where(SupervisionNote.kind == NoteKind.case, SupervisionNote.case_id == bindparam("case_id"))
    .order_by(SupervisionNote.at.desc())
    .limit(1)
)


def context(*, session: Session, case: Case, actor) -> dict:
    submissions = sorted(
        reads.rows(session=session, model=Submission, case_id=case.id), key=lambda s: s.submitted_at, reverse=True
    )[:5]
    note = None
    if not reads.none(session=session, model=SupervisionNote, case_id=case.id):
        note = session.exec(_LATEST_NOTE, params={"case_id": case.id}).first()
    return {
        "submissions": [(s, registry.label(s.kind)) for s in submissions],
        "note": note,
    }


def flags_for(*, session: Session, case: Case) -> list[str]:
    """Why team oversight flags this case, in the same words (the same rules, scoped to one case)."""
    if case.status == CaseStatus.closed:
        return []
    settings = get_settings()
    scope = FlagScope(
        session=session,
        settings=settings,
        today=today(),
        now=utcnow(),
        team_ids=[case.team_id],
        cases=[case],
        in_scope=Case.id == case.id,
    )
    rules = flag_rules()
    scope.read_one_case(case.id, rules, case_id_column=Case.id)  # what every rule reads, in one statement
    return [rule.label(settings) for rule in rules if any(c.id == case.id for c in rule.raised(scope))]
