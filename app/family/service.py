"""Handing the tablet to the family and back (DESIGN.md "Family mode").

While a session is in family mode the server opens only the family screens for that one case
(app.security.auth.CurrentActor refuses everything else). Leaving needs the worker's PIN or
password; five wrong tries end the session, so a curious sibling cannot guess their way out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlmodel import Session, select

from app.audit import service as audit
from app.cases.models import Case, Person
from app.family.models import FamilyHandover
from app.refused import Refused
from app.security import passwords
from app.security.auth import Actor
from app.security.sessions import end_session
from app.timeutil import utcnow

MAX_TRIES = 5
# PBKDF2 in the browser (WebCrypto) must stay quick on an old tablet; the PIN is short anyway,
# so this guards against a casual look at the page, not a determined attacker with the device.
ITERATIONS = 100_000


class HandoverError(Refused):
    def __init__(self, message: str, field: str = "pin") -> None:
        self.message = message
        self.field = field


def _pbkdf2(secret: str, salt_hex: str, iterations: int) -> str:
    return hashlib.pbkdf2_hmac("sha256", secret.encode(), bytes.fromhex(salt_hex), iterations).hex()


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def secret_matches(actor: Actor, secret: str) -> tuple[bool, str]:
    """Whether `secret` is the worker's PIN (when set) or password, and which one it was."""
    user = actor.user
    if secret.isdigit() and 4 <= len(secret) <= 6 and user.pin_hash:
        ok, _ = passwords.verify_password(secret, user.pin_hash)
        if ok:
            return True, "pin"
    ok, _ = passwords.verify_password(secret, user.password_hash)
    return ok, "password"


def start(*, session: Session, actor: Actor, case: Case, person: Person, secret: str) -> FamilyHandover:
    """Enter family mode for `case` with `person` rating; the worker confirms with their PIN or password.

    Confirming first proves the worker can get the tablet back, and lets us hand the browser salted
    checks for the offline lock: the page never sees the PIN itself.
    """
    if person.case_id != case.id:
        raise HandoverError("Please choose someone from this family.", field="person")
    ok, _ = secret_matches(actor, secret)
    if not ok:
        raise HandoverError("That is not your PIN or password.")
    pin_salt, token_salt = secrets.token_hex(16), secrets.token_hex(16)
    handover = FamilyHandover(
        user_session_id=actor.user_session.id,
        case_id=case.id,
        pin_salt=pin_salt,
        pin_check=_pbkdf2(secret, pin_salt, ITERATIONS),
        token_salt=token_salt,
        token_hash=_sha256(_pbkdf2(secret, token_salt, ITERATIONS)),
        iterations=ITERATIONS,
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
    return handover


def current(*, session: Session, actor: Actor) -> FamilyHandover | None:
    """The open hand-over of this session, if any."""
    return session.exec(
        select(FamilyHandover)
        .where(FamilyHandover.user_session_id == actor.user_session.id, FamilyHandover.ended_at.is_(None))
        .order_by(FamilyHandover.id.desc())
    ).first()


def choose_rater(*, session: Session, actor: Actor, case: Case, person: Person) -> None:
    """Pass the tablet to another member of the family: they rate for themselves.

    Outside family mode (a hand-over made offline, the tablet online again) only the audit entry
    is written: the screens' URLs say who is rating.
    """
    if person.case_id != case.id:
        raise HandoverError("Please choose someone from this family.", field="person")
    if actor.in_family_mode:
        actor.user_session.family_person_id = person.id
        session.add(actor.user_session)
    audit.record(
        session=session,
        actor=actor,
        action="family_rater_chosen",
        object_type="person",
        object_id=person.id,
        case_id=case.id,
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


def lock_out(*, session: Session, actor: Actor) -> None:
    """End family mode and the whole session: the worker must log in again."""
    _end(session=session, actor=actor, how="lockout")
    end_session(session=session, user_session=actor.user_session)


def tries_left(actor: Actor) -> int:
    return max(0, MAX_TRIES - actor.user_session.family_pin_failures)


def hand_back(*, session: Session, actor: Actor, secret: str = "", token: str = "") -> int:
    """Leave family mode with the worker's PIN or password (or an offline hand-back token).

    Returns the case id; raises HandoverError on a wrong try. The fifth wrong try ends the
    session, so the worker must log in again (the error's field is then "locked").
    """
    ok, how = False, "pin"
    if token:
        handover = current(session=session, actor=actor)
        ok = bool(handover and handover.token_hash) and hmac.compare_digest(_sha256(token), handover.token_hash)
        how = "offline_pin"
    elif secret:
        ok, how = secret_matches(actor, secret)
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
        raise HandoverError("Too many wrong tries. For safety, your worker must log in again.", field="locked")
    left = tries_left(actor)
    raise HandoverError(f"That is not the right PIN. {left} {'try' if left == 1 else 'tries'} left.")
