"""What every family screen shares, whichever feature draws it: who may open it, who can rate, and
the layout's context (docs/family-mode.md).

Family mode sits below the frameworks (docs/architecture.md): the Diamond's, Signs of Safety's
and BASE's family screens import these helpers, and family mode imports none of them. These were
in app/family/routes.py, moved unchanged so no feature imports another feature's routes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import HTTPException, Request
from sqlmodel import Session, select

from app import i18n
from app.audit import service as audit
from app.cases.models import Case, Person, called_on
from app.family import languages, service
from app.security.auth import Actor
from app.security.permissions import get_case
from app.templating import render


def people_who_can_rate(*, session: Session, case: Case) -> list[Person]:
    """The case's people, the young person first."""
    return list(
        session.exec(
            select(Person).where(Person.case_id == case.id).order_by(Person.is_young_person.desc(), Person.name)
        ).all()
    )


NOT_THEIR_TURN = "another person's screen"


def refuse(*, session: Session, actor: Actor, request: Request | None = None, status_code: int = 404, why: str) -> None:
    """Refuse a family request that names a person, rater or case it may not: audited, nothing stored.

    The audit entry is committed on its own (the request's transaction rolls back with the
    refusal), and the family sees the "hand the tablet back" page, not a worker's error page.
    """
    session.rollback()
    audit.record(
        session=session,
        actor=actor,
        action="family_refused",
        object_type="session",
        object_id=actor.user_session.id,
        case_id=actor.user_session.family_case_id,
        detail=why[:300],
    )
    session.commit()
    exc = HTTPException(status_code=status_code)
    if request is not None and actor.in_family_mode:
        exc.response = render(request, "errors/family_locked.html", {}, block="content", status_code=status_code)  # type: ignore[attr-defined]
        if why == NOT_THEIR_TURN:
            # An answer given on a screen of the tablet's person while Homeward still holds another
            # turn (one changed without a signal, not yet told): offline.js keeps it in the Outbox,
            # sent under the person in its address after the hand-back, instead of losing it.
            exc.response.headers["X-Homeward-Not-Their-Turn"] = "true"  # type: ignore[attr-defined]
    raise exc


def family_access(
    *, session: Session, actor: Actor, case_id: int, person_id: str | None = None, request: Request | None = None
) -> tuple[Case, Person | None]:
    """The case of a family screen, and the person rating when the URL names one (else 404).

    In family mode get_case answers 404 for any case but the handed-over one, and a person other
    than the one whose turn it is answers 404 too; outside it, only those who may change the case
    (its workers and their supervisor) open its family screens.
    """
    if actor.in_family_mode and actor.user_session.family_case_id != case_id:
        refuse(session=session, actor=actor, request=request, why=f"family screen of another case ({case_id})"[:60])
    # No early turn (`case_for_change`): a family screen's answers are appended, checked against no
    # version, and a hand-back checks a PIN (slow on purpose) before it writes; the writers' turn,
    # one for the whole service, is taken at the first write as before.
    case = get_case(session=session, actor=actor, case_id=case_id, write=True, turn=False)
    person = None
    if person_id is not None:
        person = session.get(Person, person_id) if len(person_id) <= 36 else None
        if person is None or person.case_id != case.id:
            refuse(session=session, actor=actor, request=request, why="a person not of this case")
        elif actor.in_family_mode and person.id != actor.user_session.family_person_id:
            refuse(session=session, actor=actor, request=request, why=NOT_THEIR_TURN)
    speaker = person
    if speaker is None and actor.in_family_mode and actor.user_session.family_person_id:
        speaker = session.get(Person, actor.user_session.family_person_id)
    # The rest of the request (templates, questions, errors) in the rater's language, or, before
    # anyone has chosen their name, in the language of the person whose turn it was.
    i18n.use(languages.screen_language(session=session, person=speaker))
    return case, person


def shows_private_words(actor: Actor, person: Person | None) -> bool:
    """Whether a family screen may show any of `person`'s words they did not agree to share.

    Only to the author, on their own turn, in a session in family mode: never in a copy kept on
    the device (the worker's session renders those), which anyone holding the tablet could open.
    Which of them: `private_words_since`.
    """
    return bool(person and actor.in_family_mode and actor.user_session.family_person_id == person.id)


# `private_words_since` on the turn the worker handed over: every private word of theirs shows.
ALL_OF_THEM = datetime.min.replace(tzinfo=UTC)


def private_words_since(*, session: Session, actor: Actor, case: Case, person: Person | None) -> datetime | None:
    """From when `person`'s private words may be shown on this screen (None: none of them).

    On the turn the worker handed over with their PIN, all of them: the worker saw who took the
    tablet. On a turn someone took with "Someone else's turn", only what was written since it
    began: anyone in the room can pick a name there, so a parent picking the young person's name
    must not read what she wrote before (DESIGN.md: "shown to nobody else in the room").
    """
    if not shows_private_words(actor, person):
        return None
    return service.turn_began(session=session, actor=actor, case=case) or ALL_OF_THEM


def young_name(*, session: Session, case: Case) -> str:
    """The name the young person goes by: the case's preferred name, else their own given name."""
    if case.preferred_name:
        return case.preferred_name
    young = session.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person)).first()
    return young.called if young else case.young_person_name


def family_context(*, session: Session, actor: Actor, case: Case, rater: Person | None = None, **extra) -> dict:
    """What every family screen's layout needs; in server family mode, the hand-over's salted checks."""
    handover = service.current(session=session, actor=actor) if actor.in_family_mode else None
    return {
        "case": case,
        "rater": rater,
        "rater_name": called_on(rater, case) if rater else "",
        "young_name": young_name(session=session, case=case),
        "called": lambda person: called_on(person, case),
        "handover": handover,
        "family_screen": True,
        "languages": languages.offered(session=session),
        **extra,
    }
