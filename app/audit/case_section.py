"""A link to the case's audit trail on the case page, for those who may see it (no queries)."""

from __future__ import annotations


def context(*, session, case, actor) -> dict:
    from app.audit.routes import may_see_trail

    return {"show_trail_link": may_see_trail(actor)}
