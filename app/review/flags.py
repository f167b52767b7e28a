"""Review's oversight flag: work waiting for a supervisor too long (issue 10), one query."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from app.cases.models import Case
from app.features import FlagRule, FlagScope
from app.review import rules
from app.review.models import NoteKind, Submission, SupervisionNote, waiting_for_review
from app.timeutil import local


def _oldest_waiting(scope: FlagScope):
    # By team, not in_scope: a reopen request waits on a closed case, which is not among scope.cases.
    return (
        select(Submission.case_id, func.min(Submission.submitted_at))
        .where(Submission.team_id.in_(scope.team_ids), waiting_for_review())
        .group_by(Submission.case_id)
    )


def _waiting(scope: FlagScope) -> list[Case]:
    oldest = scope.figures("oldest waiting", _oldest_waiting)
    late = {
        case_id
        for case_id, submitted_at in oldest.values()
        if rules.waiting_too_long(
            submitted_on=local(submitted_at).date(),
            today=scope.today,
            working_days=scope.settings.review_wait_working_days,
        )
    }
    known = [c for c in scope.cases if c.id in late]
    others = late - {c.id for c in known}  # closed cases with a reopen request waiting
    if others:
        known += scope.session.exec(select(Case).where(Case.id.in_(others))).all()
    return known


def _last_supervised(scope: FlagScope):
    # The latest case supervision note per case: one aggregate statement for the whole scope.
    return (
        select(SupervisionNote.case_id, func.max(SupervisionNote.at))
        .join(Case, Case.id == SupervisionNote.case_id)
        .where(scope.in_scope, SupervisionNote.kind == NoteKind.case)
        .group_by(SupervisionNote.case_id)
    )


def _supervision_due(scope: FlagScope) -> list[Case]:
    last = scope.figures("last case supervision", _last_supervised)
    return [
        c
        for c in scope.cases
        if rules.case_supervision_due(
            status=c.status,
            last_supervised_on=local(last[c.id][1]).date() if c.id in last else None,
            opened_on=local(c.opened_at).date(),
            today=scope.today,
            weeks=scope.settings.case_supervision_weeks,
        )
    ]


FLAGS = (
    FlagRule(
        "waiting",
        lambda s: f"Waiting for review over {s.review_wait_working_days} working days",
        _waiting,
        lambda: {"oldest waiting": _oldest_waiting},
    ),
    FlagRule(
        "supervision_due",
        lambda s: f"No case supervision for {s.case_supervision_weeks} weeks",
        _supervision_due,
        lambda: {"last case supervision": _last_supervised},
    ),
)
