"""The second factor for password sign-ins: time-based one-time codes (RFC 6238) and recovery codes.

Administrators and managers must have one (they see every team's cases); others may choose it,
and SECOND_FACTOR_FOR_EVERYONE requires it for all. The secret is stored encrypted with a key
derived from SECRET_KEY, so a copy of the database alone does not give codes; each code is
accepted once (its time step is remembered), and recovery codes are kept only as keyed hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from sqlmodel import Session, delete, select, update

from app.accounts.models import Role, User
from app.config import Settings
from app.refused import Refused
from app.security.models import RecoveryCode, SecondFactor
from app.timeutil import utcnow

ISSUER = "Homeward"
RECOVERY_CODE_COUNT = 10
# One step either side: a phone clock a little off, or a code typed as it changed.
VALID_WINDOW = 1
STEP_SECONDS = 30


class WrongCode(Refused):
    """The code typed is not a current, unused code for this person."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="code")


def _fernet(settings: Settings) -> Fernet:
    key = hashlib.sha256(b"homeward.second-factor:" + settings.secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal_secret(secret: str, settings: Settings) -> str:
    return _fernet(settings).encrypt(secret.encode()).decode()


def _secret(factor: SecondFactor, settings: Settings) -> str:
    try:
        return _fernet(settings).decrypt(factor.secret_sealed.encode()).decode()
    except InvalidToken as exc:  # SECRET_KEY changed: the person enrols again after an admin reset
        raise WrongCode("This second factor can no longer be read; ask an administrator to reset it.") from exc


def is_required(*, user: User, settings: Settings) -> bool:
    """Whether this person's password sign-in needs a code."""
    return settings.second_factor_for_everyone or Role(user.role) in (Role.admin, Role.manager)


def confirmed_factor(*, session: Session, user: User) -> SecondFactor | None:
    return session.exec(
        select(SecondFactor).where(SecondFactor.user_id == user.id, SecondFactor.confirmed_at.is_not(None))
    ).first()


def pending_secret(*, session: Session, user: User, settings: Settings) -> str:
    """The secret being enrolled: made once, kept until confirmed (a reload shows the same code)."""
    factor = session.exec(select(SecondFactor).where(SecondFactor.user_id == user.id)).first()
    if factor is not None and factor.confirmed_at is None:
        return _secret(factor, settings)
    if factor is not None:
        raise WrongCode("A second factor is already set up.")
    secret = pyotp.random_base32()
    session.add(SecondFactor(user_id=user.id, secret_sealed=seal_secret(secret, settings)))
    session.flush()
    return secret


def provisioning_uri(*, secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG, drawn here: no script, no image service."""
    return segno.make(uri, error="m").svg_inline(scale=4, border=4, dark="#000", light="#fff", omitsize=False)


def _matching_step(secret: str, code: str, now: float) -> int | None:
    code = "".join(code.split())
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now) // STEP_SECONDS
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _use_step(*, session: Session, factor: SecondFactor, step: int) -> bool:
    """Mark the step used; False when it (or a later one) was used already, even by a racing request."""
    result = session.exec(
        update(SecondFactor)
        .where(SecondFactor.id == factor.id, SecondFactor.last_used_step < step)
        .values(last_used_step=step)
    )
    session.expire(factor)
    return result.rowcount == 1


def confirm_enrolment(
    *, session: Session, user: User, settings: Settings, code: str, now: float | None = None
) -> list[str]:
    """Confirm the authenticator with a code from it; returns ten new recovery codes, shown once."""
    factor = session.exec(
        select(SecondFactor).where(SecondFactor.user_id == user.id, SecondFactor.confirmed_at.is_(None))
    ).first()
    if factor is None:
        raise WrongCode("Start setting up again: open the set-up page.")
    step = _matching_step(_secret(factor, settings), code, time.time() if now is None else now)
    if step is None or not _use_step(session=session, factor=factor, step=step):
        raise WrongCode("That code is not right. Type the 6 digits your app shows now.")
    factor.confirmed_at = utcnow()
    session.add(factor)
    return new_recovery_codes(session=session, user=user, settings=settings)


def _code_hash(code: str, settings: Settings) -> str:
    normalised = "".join(code.split()).replace("-", "").lower()
    return hmac.new(settings.secret_key.encode(), b"recovery:" + normalised.encode(), hashlib.sha256).hexdigest()


def new_recovery_codes(*, session: Session, user: User, settings: Settings) -> list[str]:
    """Ten fresh one-use codes (any earlier ones stop working)."""
    session.exec(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = base64.b32encode(secrets.token_bytes(5)).decode().lower()
        code = f"{raw[:4]}-{raw[4:]}"
        codes.append(code)
        session.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(code, settings)))
    session.flush()
    return codes


def check_code(
    *, session: Session, user: User, settings: Settings, code: str, now: float | None = None, app_codes: bool = True
) -> str:
    """Accept a current authenticator code (unless `app_codes` is off) or an unused recovery code;
    returns which ("code" or "recovery code")."""
    factor = confirmed_factor(session=session, user=user)
    if factor is None:
        raise WrongCode("No second factor is set up for this account.")
    step = _matching_step(_secret(factor, settings), code, time.time() if now is None else now) if app_codes else None
    if step is not None:
        if _use_step(session=session, factor=factor, step=step):
            return "code"
        raise WrongCode("That code has been used already. Wait for the next one.")
    result = session.exec(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _code_hash(code, settings),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    if result.rowcount == 1:
        return "recovery code"
    raise WrongCode("That code is not right. Type the 6 digits your app shows now, or a recovery code.")


def recovery_codes_left(*, session: Session, user: User) -> int:
    return len(
        session.exec(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def reset(*, session: Session, user: User) -> None:
    """An administrator removes a lost factor; the person sets up a new one at their next sign-in."""
    session.exec(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.exec(delete(SecondFactor).where(SecondFactor.user_id == user.id))


def enrol_with_secret(*, session: Session, user: User, settings: Settings, secret: str) -> None:
    """A confirmed factor with a known secret (the demo accounts; docs in README)."""
    reset(session=session, user=user)
    session.add(SecondFactor(user_id=user.id, secret_sealed=seal_secret(secret, settings), confirmed_at=utcnow()))
    session.flush()
