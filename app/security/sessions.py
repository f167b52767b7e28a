"""Server-side sessions referenced by a signed, HttpOnly, SameSite=Lax cookie.

The cookie carries a random token signed with SECRET_KEY; the table stores only the token's
SHA-256, so a copy of the database cannot be replayed as cookies. Idle and absolute expiry are
checked on every request; logout ends one session, disabling a user ends all of theirs.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from itsdangerous import BadSignature, Signer
from sqlalchemy import Select, bindparam
from sqlmodel import Session, select, update

from app.accounts.models import User
from app.audit import chain
from app.config import Settings
from app.security.models import UserSession
from app.timeutil import utcnow
from app.transaction_memos import remember_for_transaction

COOKIE_NAME = "homeward_session"
# Writing last_seen_at on every request would turn each read into a write; a minute is precise
# enough for a 30-minute idle limit.
TOUCH_INTERVAL = timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _signer(settings: Settings) -> Signer:
    return Signer(settings.secret_key, salt="homeward.session")


def start_session(
    *, session: Session, user: User, settings: Settings, user_agent: str = "", method: str = "password"
) -> str:
    """Create a session for `user` and return the signed cookie value."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        UserSession(
            token_hash=_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
            user_agent=user_agent[:300],
            signed_in_with=method,
        )
    )
    session.flush()
    return _signer(settings).sign(token.encode()).decode()


# Built once (building the select was about a third of the lookup's CPU); the request's first
# statement also reads the end of the connection's audit lane when it has one (app/audit/chain.py
# LANE_END), which the read's audit entry links to: one statement fewer per audited request.
_SESSION_AND_USER = (
    select(UserSession, User)
    .join(User, User.id == UserSession.user_id)
    .where(UserSession.token_hash == bindparam("token_hash"))
)
_WITH_LANE_END = _SESSION_AND_USER.add_columns(chain.LANE_END)
_LOADED_ALONG: dict[tuple[bool, type], Select] = {}


def _lookup(lane: bool, along: type | None) -> Select:
    """The lookup, with the lane's end if `lane`, and with the row of `along` whose id is
    :along_id (outer joined: absent, the session is still found)."""
    if along is None:
        return _WITH_LANE_END if lane else _SESSION_AND_USER
    statement = _LOADED_ALONG.get((lane, along))
    if statement is None:
        base = _WITH_LANE_END if lane else _SESSION_AND_USER
        statement = base.add_columns(along).outerjoin(along, along.id == bindparam("along_id"))
        _LOADED_ALONG[(lane, along)] = statement
    return statement


def load_session(
    *, session: Session, cookie: str | None, settings: Settings, along: tuple[type, int] | None = None
) -> tuple[UserSession, User] | None:
    """The live session and its user for a cookie, or None when absent, forged, ended or expired.

    `along` (a model and an id) loads that row in the same statement, into the session's identity
    map, where the route's own `session.get` finds it without a query: the case page's case
    (issue 21). Nothing is decided by it here; whoever asks for the row still checks access."""
    if not cookie:
        return None
    try:
        token = _signer(settings).unsign(cookie.encode()).decode()
    except BadSignature:
        return None
    lane = chain.lane_to_read_along(session)
    params = {"token_hash": _hash(token)}
    if along is not None:
        params["along_id"] = along[1]
    if lane is None:
        row = session.exec(_lookup(False, along and along[0]), params=params).first()
    else:
        row = session.exec(_lookup(True, along and along[0]), params={**params, "audit_lane": lane}).first()
        if row is not None:
            chain.lane_end_read_along(session, row[2])
    if row is None:
        return None
    if along is not None:
        # The identity map holds its objects weakly: kept here, or gone before the route asks.
        remember_for_transaction(session, "loaded_along", row[-1])
    user_session, user = row[0], row[1]
    now = utcnow()
    idle_limit = user_session.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    if user_session.ended_at or not user.is_active or now >= user_session.expires_at or now >= idle_limit:
        if not user_session.ended_at:
            user_session.ended_at = now
            session.add(user_session)
        return None
    if now - user_session.last_seen_at >= TOUCH_INTERVAL:
        user_session.last_seen_at = now
        session.add(user_session)
    return user_session, user


def end_session(*, session: Session, user_session: UserSession) -> None:
    """Log out this device."""
    user_session.ended_at = utcnow()
    session.add(user_session)


def end_all_sessions(*, session: Session, user_id: int, except_session_id: int | None = None) -> None:
    """Log a user out everywhere (account disabled, password reset), optionally keeping one device."""
    query = update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    if except_session_id is not None:
        query = query.where(UserSession.id != except_session_id)
    session.exec(query.values(ended_at=utcnow()))


def end_every_session(*, session: Session) -> int:
    """Log everyone out everywhere; returns how many sessions were open. After a restore, sessions
    ended since the backup was taken (logouts, disabled accounts, reset passwords) would live again."""
    result = session.exec(update(UserSession).where(UserSession.ended_at.is_(None)).values(ended_at=utcnow()))
    return result.rowcount or 0


def live_session_count(*, session: Session, user_id: int) -> int:
    """How many devices the user is logged in on (not yet ended or expired)."""
    from sqlalchemy import func

    now = utcnow()
    return session.exec(
        select(func.count()).where(
            UserSession.user_id == user_id, UserSession.ended_at.is_(None), UserSession.expires_at > now
        )
    ).one()
