"""The endings pages "Take offline" keeps on the device for a case (app/cases/extensions.py).

What the case's status allows now, as the case page offers it: the guided ending while the case is
in active work; reactivation and the dormant review while it is dormant. A status changed offline
is not on the device until it has synced and the case is taken offline again, so a case ended
offline cannot be reactivated offline in the same visit (its pages still show it active, and the
ending moves the case's version on). No queries.
"""

from __future__ import annotations

from sqlmodel import Session

from app.accounts.models import Role
from app.cases.models import Case, CaseStatus
from app.security.permissions import can_change_case


def pages(*, session: Session, case: Case, actor) -> list[str]:
    if not can_change_case(actor.user, case):
        return []
    base = f"/cases/{case.id}"
    if case.status == CaseStatus.active:
        return [f"{base}/end"]
    if case.status == CaseStatus.dormant:
        # Reactivation is the key worker's (or a supervisor's), as on the case page.
        reactivate = actor.user.id == case.key_worker_id or actor.user.role == Role.supervisor
        return ([f"{base}/reactivate"] if reactivate else []) + [f"{base}/dormant-review"]
    return []
