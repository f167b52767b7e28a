"""The case page's "On this device" section: Take offline and Remove from device."""

from __future__ import annotations


def context(*, session, case, actor) -> dict:
    """Only the worker's own caseload may be taken offline (DESIGN.md "Offline"); no queries."""
    return {"can_take_offline": actor.id in (case.key_worker_id, case.co_worker_id)}
