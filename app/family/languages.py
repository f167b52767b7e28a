"""Which languages the family screens offer, and each person's (issue 22, docs/i18n.md).

English is always offered. Any other language is offered unless an administrator has switched it
off (FamilyLanguage), typically until a qualified translator has checked a drafted catalog; a
person whose language is switched off sees English.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app import i18n
from app.audit import service as audit
from app.cases.models import Person
from app.family.models import FamilyLanguage
from app.security.auth import Actor
from app.timeutil import utcnow


def switched_off(*, session: Session) -> set[str]:
    return set(session.exec(select(FamilyLanguage.code).where(FamilyLanguage.enabled.is_(False))).all())


def offered(*, session: Session) -> list[i18n.Language]:
    off = switched_off(session=session)
    return [lang for code, lang in i18n.LANGUAGES.items() if code not in off]


def screen_language(*, session: Session, person: Person | None) -> str:
    """The language a person's family screens open in: theirs if offered, else English."""
    code = person.preferred_language if person is not None else i18n.DEFAULT
    if code not in i18n.LANGUAGES or code == i18n.DEFAULT:
        return i18n.DEFAULT
    return i18n.DEFAULT if code in switched_off(session=session) else code


def set_preferred(*, session: Session, actor: Actor, person: Person, code: str) -> None:
    before = person.preferred_language
    person.preferred_language = code
    person.version += 1
    person.updated_at = utcnow()
    session.add(person)
    audit.record(
        session=session,
        actor=actor,
        action="update",
        object_type="person",
        object_id=person.id,
        case_id=person.case_id,
        detail=f"language {before} -> {code}{' on the family screens' if actor.in_family_mode else ''}",
    )


@dataclass(frozen=True)
class Row:
    language: i18n.Language
    status: str
    enabled: bool


def table(*, session: Session) -> list[Row]:
    off = switched_off(session=session)
    return [
        Row(lang, i18n.review_status(code), code not in off) for code, lang in i18n.LANGUAGES.items() if code != "en"
    ]


def switch(*, session: Session, actor: Actor, code: str, enabled: bool) -> None:
    row = session.get(FamilyLanguage, code) or FamilyLanguage(code=code)
    row.enabled = enabled
    row.changed_by_id = actor.id
    row.changed_at = utcnow()
    session.add(row)
    audit.record(
        session=session,
        actor=actor,
        action="update",
        object_type="family_language",
        object_id=code,
        detail="offered" if enabled else "switched off",
    )
