"""The Diamond on the case page: everyone's latest shape, conversation points, and the way in (one query)."""

from __future__ import annotations

from app.diamond import charts, service
from app.security.permissions import can_change_case


def context(*, session, case, actor) -> dict:
    summary = service.summary(session=session, case=case)
    return {
        "summary": summary,
        "latest": charts.latest_diamond(summary) if not summary.empty else None,
        "can_rate": can_change_case(actor.user, case),
    }
