"""Review's oversight flag: work waiting for a supervisor too long (issue 10), one query."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from app.cases.models import Case
from app.features import FlagRule, FlagScope
from app.review import rules
from app.review.models import NoteKind, Submission, SubmissionStatus, SupervisionNote
from app.timeutil import local


def _waiting(scope: FlagScope) -> list[Case]:
    # With the case itself: a reopen request waits on a closed case, which is not among scope.cases.
    waiting = scope.session.exec(
        select(Submission.submitted_at, Case)
        .join(Case, Case.id == Submission.case_id)
        .where(Submission.team_id.in_(scope.team_ids), Submission.status == SubmissionStatus.waiting)
    ).all()
    return [
        c
        for submitted_at, c in waiting
        if rules.waiting_too_long(
            submitted_on=local(submitted_at).date(),
            today=scope.today,
            working_days=scope.settings.review_wait_working_days,
        )
    ]


def _supervision_due(scope: FlagScope) -> list[Case]:
    # The latest case supervision note per case: one aggregate statement for the whole scope.
    last = dict(
        scope.session.exec(
            select(SupervisionNote.case_id, func.max(SupervisionNote.at))
            .join(Case, Case.id == SupervisionNote.case_id)
            .where(scope.in_scope, SupervisionNote.kind == NoteKind.case)
            .group_by(SupervisionNote.case_id)
        ).all()
    )
    return [
        c
        for c in scope.cases
        if rules.case_supervision_due(
            status=c.status,
            last_supervised_on=local(last[c.id]).date() if c.id in last else None,
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
    ),
    FlagRule(
        "supervision_due",
        lambda s: f"No case supervision for {s.case_supervision_weeks} weeks",
        _supervision_due,
    ),
)
