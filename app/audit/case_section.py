"""A link to the case's audit trail on the case page, for those who may see it (no queries)."""

from __future__ import annotations

from app.audit.routes import may_see_trail


def context(*, session, case, actor) -> dict:
    return {"show_trail_link": may_see_trail(actor)}
