"""Handing the tablet to the family and back (DESIGN.md "Family mode").

While a session is in family mode the server opens only the family screens for that one case
(app.security.auth.CurrentActor refuses everything else), and only the screens of the person whose
turn it is (`family_person_id`); "Someone else's turn" changes it, and each turn is recorded.
Leaving needs the worker's PIN or password; five wrong tries end the session, so a curious sibling
cannot guess their way out, and every check counts towards the login lockout too
(app.security.secret_checks).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import bindparam, literal_column
from sqlmodel import Session, select

from app import i18n
from app.audit import service as audit
from app.audit.models import OFFLINE_WRONG_PINS, AuditEntry
from app.cases import reads
from app.cases.models import Case, Person, called_on
from app.config import Settings
from app.family.models import FamilyHandover
from app.i18n import N_
from app.refused import Refused
from app.security.auth import Actor
from app.security.secret_checks import SecretLocked, check_worker_secret
from app.security.sessions import end_session
from app.timeutil import utcnow

MAX_TRIES = 5
TURN = "family_turn"
# The audit action the supervisor's oversight looks for: wrong PINs typed on a tablet offline.
OFFLINE_FAILURES = OFFLINE_WRONG_PINS
# The partial index's own condition, the name written out in the statement rather than a parameter,
# so that a prepared statement's kept plan can still use ix_audit_entry_offline_pins (app/audit/models.py).
IS_OFFLINE_FAILURE = AuditEntry.action == literal_column(f"'{OFFLINE_WRONG_PINS}'")
# Marked for the catalog: the locked page shows it in the family's language (`_(message)`).
LOCKED_MESSAGE = N_("Too many wrong tries. For safety, your worker must log in again.")


class HandoverError(Refused):
    def __init__(self, message: str, field: str = "pin") -> None:
        self.message = message
        self.field = field


def _pbkdf2(secret: str, salt_hex: str, iterations: int) -> str:
    return hashlib.pbkdf2_hmac("sha256", secret.encode(), bytes.fromhex(salt_hex), iterations).hex()


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def start(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    case: Case,
    person: Person,
    secret: str,
    rated_on: date | None = None,
) -> FamilyHandover:
    """Enter family mode for `case` with `person` rating; the worker confirms with their PIN or password.

    Confirming first proves the worker can get the tablet back, and lets us hand the browser salted
    checks for the offline lock: the page never sees the PIN itself. Raises SecretLocked when the
    wrong tries reach the login lockout (the session has ended).
    """
    if person.case_id != case.id:
        raise HandoverError("Please choose someone from this family.", field="person")
    ok, how = check_worker_secret(session=session, actor=actor, settings=settings, secret=secret, where="hand_over")
    if not ok:
        raise HandoverError("That is not your PIN or password.")
    iterations = settings.pin_kdf_iterations
    pin_salt, token_salt = secrets.token_hex(16), secrets.token_hex(16)
    # The offline checks are made from the PIN only: a check of the password on the family's
    # screen would let whoever holds the tablet guess the worker's login offline. Confirmed with
    # the password, the hand-back needs a signal (the tablet stays locked without one).
    offline = how == "pin"
    handover = FamilyHandover(
        user_session_id=actor.user_session.id,
        case_id=case.id,
        pin_salt=pin_salt,
        pin_check=_pbkdf2(secret, pin_salt, iterations) if offline else "",
        token_salt=token_salt,
        token_hash=_sha256(_pbkdf2(secret, token_salt, iterations)) if offline else "",
        iterations=iterations,
        rated_on=rated_on,
    )
    session.add(handover)
    user_session = actor.user_session
    user_session.family_case_id = case.id
    user_session.family_person_id = person.id
    user_session.family_pin_failures = 0
    session.add(user_session)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="family_mode_start",
        object_type="family_handover",
        object_id=handover.id,
        case_id=case.id,
    )
    _record_turn(session=session, actor=actor, case=case, person=person)
    return handover


def _record_turn(*, session: Session, actor: Actor, case: Case, person: Person) -> None:
    audit.record(
        session=session,
        actor=actor,
        action=TURN,
        object_type="person",
        object_id=person.id,
        case_id=case.id,
        detail=f"session {actor.user_session.id}",
    )


@dataclass(frozen=True)
class Turn:
    name: str
    at: datetime


def turns(*, session: Session, actor: Actor, case: Case) -> list[Turn]:
    """Who had the tablet during this hand-over, in order, for the hand-back summary (two queries)."""
    handover = current(session=session, actor=actor)
    if handover is None:
        return []
    rows = session.exec(
        select(AuditEntry.object_id, AuditEntry.at)
        .where(
            AuditEntry.case_id == case.id,
            AuditEntry.action == TURN,
            AuditEntry.detail == f"session {actor.user_session.id}",
            AuditEntry.at >= handover.started_at,
        )
        .order_by(AuditEntry.id)
    ).all()
    people = {p.id: p for p in session.exec(select(Person).where(Person.case_id == case.id)).all()}
    return [Turn(name=called_on(people[pid], case), at=at) for pid, at in rows if pid in people]


def turn_began(*, session: Session, actor: Actor, case: Case) -> datetime | None:
    """When the present turn began if someone in the room took it ("Someone else's turn", which
    anyone holding the tablet can pick); None if it is the turn the worker handed over with their
    PIN, the one turn the worker vouched for (two queries)."""
    handover = current(session=session, actor=actor)
    if handover is None:
        return None
    began = session.exec(
        select(AuditEntry.at)
        .where(
            AuditEntry.case_id == case.id,
            AuditEntry.action == TURN,
            AuditEntry.detail == f"session {actor.user_session.id}",
            AuditEntry.at >= handover.started_at,
        )
        .order_by(AuditEntry.id.desc())
        .limit(2)
    ).all()
    return began[0] if len(began) > 1 else None


def current(*, session: Session, actor: Actor) -> FamilyHandover | None:
    """The open hand-over of this session, if any."""
    return session.exec(
        select(FamilyHandover)
        .where(FamilyHandover.user_session_id == actor.user_session.id, FamilyHandover.ended_at.is_(None))
        .order_by(FamilyHandover.id.desc())
    ).first()


def choose_rater(*, session: Session, actor: Actor, case: Case, person: Person) -> None:
    """Someone else's turn: the tablet passes to another member of the family, who rates for themselves.

    From now on only their screens answer. Outside family mode (a hand-over made offline, the
    tablet online again) only the audit entry is written: the screens' URLs say who is rating.
    """
    if person.case_id != case.id:
        raise HandoverError("Please choose someone from this family.", field="person")
    if actor.in_family_mode:
        actor.user_session.family_person_id = person.id
        session.add(actor.user_session)
        _record_turn(session=session, actor=actor, case=case, person=person)
    else:
        audit.record(
            session=session,
            actor=actor,
            action="family_rater_chosen",
            object_type="person",
            object_id=person.id,
            case_id=case.id,
        )


def end_turn(*, session: Session, actor: Actor, case: Case) -> None:
    """End the present turn ("Someone else's turn"): it ends before the tablet passes on, so no screen of
    the person who had it opens again (not from the who screen, a typed address or "Back to my
    screens") until someone picks their own name. Outside family mode nothing changes."""
    user_session = actor.user_session
    if not actor.in_family_mode or user_session.family_person_id is None:
        return
    person_id = user_session.family_person_id
    user_session.family_person_id = None
    session.add(user_session)
    audit.record(
        session=session,
        actor=actor,
        action="family_turn_end",
        object_type="person",
        object_id=person_id,
        case_id=case.id,
        detail=f"session {user_session.id}",
    )


def _end(*, session: Session, actor: Actor, how: str) -> int | None:
    user_session = actor.user_session
    case_id = user_session.family_case_id
    handover = current(session=session, actor=actor)
    if handover is not None:
        handover.ended_at = utcnow()
        handover.ended_how = how
        handover.pin_check = handover.token_hash = ""
        session.add(handover)
    user_session.family_case_id = None
    user_session.family_person_id = None
    user_session.family_pin_failures = 0
    session.add(user_session)
    audit.record(
        session=session,
        actor=actor,
        action="family_mode_end",
        object_type="family_handover",
        object_id=handover.id if handover else "",
        case_id=case_id,
        detail=f"how={how}",
    )
    return case_id


def record_offline_failures(*, session: Session, actor: Actor, count: int) -> None:
    """Wrong PINs the tablet counted without a signal: they count here too, and the supervisor is told.

    The offline check on the page is the one secret a person holding the tablet can attack at
    leisure, so each wrong try there is as serious as one here (docs/family-mode.md).
    """
    count = max(0, min(count, MAX_TRIES))
    if not count:
        return
    actor.user_session.family_pin_failures += count
    session.add(actor.user_session)
    audit.record(
        session=session,
        actor=actor,
        action=OFFLINE_FAILURES,
        object_type="session",
        object_id=actor.user_session.id,
        case_id=actor.user_session.family_case_id,
        detail=f"{count} wrong PIN{'s' if count != 1 else ''} on the tablet without a signal",
    )


# Most cases never have one: the case page asks along with its other presence checks (app/cases/reads.py).
WRONG_PINS_REPORTED = reads.Some("offline_wrong_pins", AuditEntry, IS_OFFLINE_FAILURE)
reads.per_case(WRONG_PINS_REPORTED)


def offline_wrong_pins(*, session: Session, case: Case, limit: int = 5) -> list[AuditEntry]:
    """The latest reports of wrong PINs typed on a tablet offline, for the case page (one query,
    none on a case page when the case has no report)."""
    if reads.none(session=session, model=WRONG_PINS_REPORTED, case_id=case.id):
        return []
    return list(session.exec(_wrong_pins_statement(limit), params={"case_id": case.id}).all())


@cache
def _wrong_pins_statement(limit: int):
    """Built once (for each `limit`), the case a bound parameter (issue 21)."""
    return (
        select(AuditEntry)
        .where(AuditEntry.case_id == bindparam("case_id"), IS_OFFLINE_FAILURE)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )


def lock_out(*, session: Session, actor: Actor) -> None:
    """End family mode and the whole session: the worker must log in again."""
    _end(session=session, actor=actor, how="lockout")
    end_session(session=session, user_session=actor.user_session)


def tries_left(actor: Actor) -> int:
    return max(0, MAX_TRIES - actor.user_session.family_pin_failures)


def hand_back(
    *, session: Session, actor: Actor, settings: Settings, secret: str = "", token: str = "", offline_failures: int = 0
) -> int:
    """Leave family mode with the worker's PIN or password (or an offline hand-back token).

    Returns the case id; raises HandoverError on a wrong try. The fifth wrong try (counting
    `offline_failures`, the wrong PINs the tablet saw without a signal) ends the session, so the
    worker must log in again (the error's field is then "locked"); a token no longer hands back then.
    """
    if offline_failures:
        record_offline_failures(session=session, actor=actor, count=offline_failures)
    if tries_left(actor) == 0:
        lock_out(session=session, actor=actor)
        raise HandoverError(LOCKED_MESSAGE, field="locked")
    ok, how = False, "pin"
    try:
        if token:
            handover = current(session=session, actor=actor)
            ok = bool(handover and handover.token_hash) and hmac.compare_digest(_sha256(token), handover.token_hash)
            how = "offline_pin"
            audit.record(
                session=session,
                actor=actor,
                action="secret_check" if ok else "secret_check_failed",
                object_type="session",
                object_id=actor.user_session.id,
                case_id=actor.user_session.family_case_id,
                detail="hand_back: offline token",
            )
        elif secret:
            ok, how = check_worker_secret(
                session=session, actor=actor, settings=settings, secret=secret, where="hand_back"
            )
    except SecretLocked:
        _end(session=session, actor=actor, how="lockout")
        raise HandoverError(LOCKED_MESSAGE, field="locked") from None
    if ok:
        return _end(session=session, actor=actor, how=how)  # type: ignore[return-value]
    actor.user_session.family_pin_failures += 1
    session.add(actor.user_session)
    audit.record(
        session=session,
        actor=actor,
        action="family_hand_back_failed",
        object_type="session",
        case_id=actor.user_session.family_case_id,
    )
    if tries_left(actor) == 0:
        lock_out(session=session, actor=actor)
        raise HandoverError(LOCKED_MESSAGE, field="locked")
    left = tries_left(actor)
    # In the family's language: the hand-back page is a family screen (family.js says the same
    # words, in English, when it checks the PIN itself without a signal).
    wrong = i18n.ngettext(
        "That is not the right PIN. %(num)s try left.", "That is not the right PIN. %(num)s tries left.", left
    )
    raise HandoverError(wrong % {"num": left})
