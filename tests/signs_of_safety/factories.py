"""Factories for Signs of Safety tests: plain functions with keyword overrides."""

from __future__ import annotations

from sqlmodel import Session, select

from app.accounts.models import User
from app.cases.models import Case, Person, new_id
from app.signs_of_safety import service
from app.signs_of_safety.models import Category
from app.signs_of_safety.service import ItemFields


def make_person(session: Session, *, case: Case, **overrides) -> Person:
    person = Person(
        **{
            "case_id": case.id,
            "name": "Donna Morgan",
            "relationship": "Mother",
            "in_household": True,
            "knows_the_worries": True,
            **overrides,
        }
    )
    session.add(person)
    session.flush()
    return person


def young_person(session: Session, case: Case) -> Person:
    return session.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person == True)).one()  # noqa: E712


def add_item(
    session: Session,
    *,
    case: Case,
    by: User,
    category: Category = Category.strength,
    base_version: int | None = None,
    **fields,
):
    if base_version is None:
        latest = service.latest_version(session=session, case=case)
        base_version = latest.number if latest else 0
    values = {"text": "Kayla walks her brother to school every morning.", "by_key_worker": True, **fields}
    if category is Category.pair:
        values.setdefault("goal", "Mum keeps Kayla safe when she is upset.")
    item, _ = service.add_item(
        session=session,
        case=case,
        item_id=new_id(),
        base_version=base_version,
        category=category,
        fields=ItemFields(**values),
        by=by,
    )
    return item
