"""The BASE assessment's part of the case page: stage progress, supervisor flags and open plan steps.

Two queries whatever the case holds: the newest version, and the feedback (shared with its
timeline items).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.base import rules, service, timeline
from app.cases.models import Case


def context(*, session: Session, case: Case, actor) -> dict[str, Any]:
    version = service.current_version(session=session, case_id=case.id)
    feedback_count = len(timeline.feedback(session=session, case=case))
    if version is None:
        return {"version": None, "feedback_count": feedback_count}
    content = version.content
    return {
        "version": version,
        "summary": service.summary(content),
        "stage_labels": rules.STAGE_LABELS,
        "status_labels": rules.STATUS_LABELS,
        "stages": rules.STAGES,
        "overall_risk": content["risk_judgement"].get("level"),
        "tasks": [s for s in content["steps"] if not s.get("done")],
        "review_on": content["plan"].get("review_on"),
        "feedback_count": feedback_count,
    }
