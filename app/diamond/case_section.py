"""The Diamond on the case page: everyone's latest shape, conversation points, the way in, and any
wrong Worker PINs typed on the tablet offline during family mode, for the worker and supervisor
(two queries)."""

from __future__ import annotations

from app.diamond import charts, service
from app.family.service import offline_wrong_pins
from app.security.permissions import can_change_case


def context(*, session, case, actor) -> dict:
    summary = service.summary(session=session, case=case)
    return {
        "summary": summary,
        "latest": charts.latest_diamond(summary) if not summary.empty else None,
        "can_rate": can_change_case(actor.user, case),
        "offline_wrong_pins": offline_wrong_pins(session=session, case=case),
    }
