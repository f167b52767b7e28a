"""The caseload weights in use: an administrator's where set, the defaults otherwise."""

from __future__ import annotations

from sqlmodel import Session, select

from app.cases.models import PRACTICE_CONTEXT_LABELS
from app.review import rules
from app.review.models import CaseloadWeight

CONTEXT_WORDS = {str(k): v for k, v in PRACTICE_CONTEXT_LABELS.items()}


def caseload_weights(*, session: Session) -> dict[str, float]:
    """The weights in use: the administrator's where set, the defaults otherwise (one query)."""
    chosen = dict(session.exec(select(CaseloadWeight.key, CaseloadWeight.weight)).all())
    return {**rules.DEFAULT_WEIGHTS, **chosen}
