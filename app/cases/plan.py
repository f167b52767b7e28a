"""One plan per case: every framework's next steps, plan steps and tasks in one list.

Signs of Safety next steps, BASE plan steps, network meeting tasks and the tasks prompted on a
return from dormancy each live in their own feature; each feature declares a `PlanSource`
(app/features.py) and this module only asks the installed ones, so the cases package imports no
feature. A status set here is recorded where the item lives, so it changes everywhere at once.
The ending review (app/endings) reads `open_items` to go through everything still open.
"""

from __future__ import annotations

from sqlmodel import Session

from app.audit import service as audit
from app.cases.models import Case
from app.core.plan_rules import PLAN_STATUSES, PlanItem
from app.features import installed
from app.refused import Refused
from app.security.auth import Actor


def items(*, session: Session, case: Case) -> list[PlanItem]:
    """The whole plan: open items first, soonest due first, then finished ones."""
    found = [
        item
        for feature in installed()
        if feature.plan is not None
        for item in feature.plan.items(session=session, case=case)
    ]
    return sorted(found, key=lambda i: (i.finished, i.due_on is None, i.due_on or 0, i.kind, i.what))


def open_items(*, session: Session, case: Case) -> list[PlanItem]:
    """What is still to do (neither done nor dropped): the ending reviews each of these."""
    return [i for i in items(session=session, case=case) if not i.finished]


def set_status(*, session: Session, case: Case, actor: Actor, key: str, status: str) -> PlanItem:
    """Record `status` for the item `key` ("<source>:<ref>") where it lives; audited here."""
    source, _, ref = key.partition(":")
    feature = next((f for f in installed() if f.name == source and f.plan is not None), None)
    item = next((i for i in feature.plan.items(session=session, case=case) if i.ref == ref), None) if feature else None
    if item is None:
        raise Refused("That item is not in this case's plan.", field="key")
    if status not in item.statuses or status not in PLAN_STATUSES:
        raise Refused(
            f"A {item.kind.lower()} can be: {', '.join(PLAN_STATUSES[s] for s in item.statuses)}.", field="status"
        )
    if status != item.status:
        feature.plan.set_status(session=session, case=case, actor=actor, ref=ref, status=status)
        audit.record(
            session=session,
            actor=actor,
            action="update",
            object_type="plan_item",
            object_id=key[:80],
            case_id=case.id,
            detail=f"{item.kind}: {PLAN_STATUSES[item.status].lower()} -> {PLAN_STATUSES[status].lower()}",
        )
    session.flush()
    return item
