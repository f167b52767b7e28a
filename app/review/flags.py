"""Review's oversight flag: work waiting for a supervisor too long (issue 10), one query."""

from __future__ import annotations

from sqlmodel import select

from app.cases.models import Case
from app.features import FlagRule, FlagScope
from app.review import rules
from app.review.models import Submission, SubmissionStatus
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


FLAGS = (
    FlagRule(
        "waiting",
        lambda s: f"Waiting for review over {s.review_wait_working_days} working days",
        _waiting,
    ),
)
