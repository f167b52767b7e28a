"""Reading the Signs of Safety map (no writes here): its versions, a version's items, the safety
plan's rules, which items are statement pairs, and the case's people."""

from __future__ import annotations

from sqlmodel import Session, select

from app.cases.models import Case, Person
from app.signs_of_safety.models import Category, MapItem, MapVersion


def latest_version(*, session: Session, case: Case) -> MapVersion | None:
    """The newest version of the case's map, draft or submitted."""
    return session.exec(
        select(MapVersion).where(MapVersion.case_id == case.id).order_by(MapVersion.number.desc()).limit(1)
    ).first()


def get_version(*, session: Session, case: Case, number: int) -> MapVersion | None:
    """Version `number` of the case's map."""
    return session.exec(select(MapVersion).where(MapVersion.case_id == case.id, MapVersion.number == number)).first()


def versions(*, session: Session, case: Case) -> list[MapVersion]:
    """Every version of the case's map, newest first."""
    return list(
        session.exec(select(MapVersion).where(MapVersion.case_id == case.id).order_by(MapVersion.number.desc())).all()
    )


def items(*, session: Session, map_version: MapVersion) -> list[MapItem]:
    """The items of one version in the order they were added."""
    return list(
        session.exec(
            select(MapItem)
            .where(MapItem.map_version_id == map_version.id)
            .order_by(MapItem.position, MapItem.created_at)
        ).all()
    )


def safety_plan_rules(*, session: Session, case: Case) -> list[str]:
    """The rules of the case's latest safety plan, in the plan's words (network commitments link to them)."""
    latest = latest_version(session=session, case=case)
    if latest is None:
        return []
    return [item.text for item in items(session=session, map_version=latest) if item.category == Category.rule]


def pair_keys(*, session: Session, case: Case, among: set[str]) -> set[str]:
    """Which of `among` are statement pairs in some version of the case's map (one query)."""
    rows = session.exec(
        select(MapItem.item_key)
        .join(MapVersion, MapVersion.id == MapItem.map_version_id)
        .where(MapVersion.case_id == case.id, MapItem.category == Category.pair, MapItem.item_key.in_(among))
    ).all()
    return set(rows)


def people(*, session: Session, case: Case) -> list[Person]:
    """The case's people, young person first."""
    return list(
        session.exec(
            select(Person)
            .where(Person.case_id == case.id)
            .order_by(Person.is_young_person.desc(), Person.created_at, Person.name)
        ).all()
    )
