"""Signs of Safety's part of the case page's "Needs doing": the map's open next steps (two queries)."""

from __future__ import annotations

from sqlmodel import Session, select

from app.cases.models import Case, Person
from app.features import ToDo
from app.signs_of_safety.models import Category, MapItem, MapVersion


def items(*, session: Session, case: Case, actor) -> list[ToDo]:
    version = session.exec(
        select(MapVersion.id).where(MapVersion.case_id == case.id).order_by(MapVersion.number.desc()).limit(1)
    ).first()
    if version is None:
        return []
    rows = session.exec(
        select(MapItem.text, MapItem.due_on, MapItem.by_key_worker, Person.name)
        .join(Person, Person.id == MapItem.person_id, isouter=True)
        .where(MapItem.map_version_id == version, MapItem.category == Category.next_step, MapItem.done == False)  # noqa: E712
    ).all()
    return [
        ToDo(
            "task",
            text,
            due_on=due,
            url=f"/cases/{case.id}/signs-of-safety#next_step",
            who=name or ("Key worker" if by_key_worker else ""),
            source="Signs of Safety next step",
        )
        for text, due, by_key_worker, name in rows
    ]
