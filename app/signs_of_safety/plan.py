"""Signs of Safety next steps in the case's one plan (app/cases/plan.py)."""

from __future__ import annotations

import copy

from sqlmodel import Session, select

from app.cases.models import Case, Person
from app.core.plan_rules import PlanItem
from app.signs_of_safety import service
from app.signs_of_safety.models import Category, MapItem
from app.signs_of_safety.service import ItemFields

KIND = "Signs of Safety next step"


def items(*, session: Session, case: Case) -> list[PlanItem]:
    """The next steps of the newest map version (two queries)."""
    version = service.latest_version(session=session, case=case)
    if version is None:
        return []
    rows = session.exec(
        select(MapItem, Person.name)
        .join(Person, Person.id == MapItem.person_id, isouter=True)
        .where(MapItem.map_version_id == version.id, MapItem.category == Category.next_step)
    ).all()
    return [
        PlanItem(
            source="signs_of_safety",
            ref=item.item_key,
            kind=KIND,
            what=item.text,
            who=name or ("Key worker" if item.by_key_worker else "No one named"),
            due_on=item.due_on,
            status="done" if item.done else "open",
            href=f"/cases/{case.id}/signs-of-safety#next_step",
        )
        for item, name in rows
    ]


def set_status(*, session: Session, case: Case, actor, ref: str, status: str) -> None:
    """Mark the next step done or not done in the map's working draft (a submitted map is copied first)."""
    latest = service.latest_version(session=session, case=case)
    item = service.find_item(session=session, map_version=latest, item_key=ref)
    fields = ItemFields(**{name: copy.copy(getattr(item, name)) for name in ItemFields.__dataclass_fields__})
    fields.done = status == "done"
    service.edit_item(
        session=session, case=case, item_key=ref, base_version=latest.number, fields=fields, by=actor.user
    )
