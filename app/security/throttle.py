"""Login throttling that cannot be turned against the people it protects.

Failures are counted per pair of account and client address. The first few are free; after that
each further try from that pair must wait, the wait doubling with every failure up to a ceiling
(`login_max_delay_minutes`). A client address also gets a larger allowance over every account (one
address guessing many accounts), which never applies to an account already signed in from that
address.

Counted only per address, someone holding many addresses (a botnet, an IPv6 /48 from a tunnel
broker) could guess one account without end, so each account has limits across every address too:

- Wrong passwords for one account from anywhere since its owner last signed in
  (`login_max_failures_per_account`) make further tries wait, growing as above, except from
  addresses the account has signed in from lately and from browsers that have signed in to it
  (app/security/known_device.py). The owner's own sign-in, anywhere and by any means, starts the
  count again, so a guesser cannot keep a worker out: until it did, anyone knowing a worker's email
  kept them out of every new place for as long as they liked (a worker on mobile data at a
  family's home, with the right password, was refused). The price: a guesser gets the allowance
  afresh after each of the owner's sign-ins (docs/permissions.md "Failed log-ins").
- Wrong authenticator codes for one account from anywhere (`second_factor_max_failures`) turn
  its authenticator codes off until a recovery code is used or an administrator clears the
  failures. Only someone who already has the password reaches the code, so strangers cannot use
  this to lock anyone out; the owner is told of the failures at their next login.

A success clears the pair's failures, as does an administrator's unlock. Failures are rows in the
database (`login_attempt`), so several app processes count together; the account owner is told of
the failures at their next login. The same counting covers the authenticator code and the
Worker PIN or password checks (app.security.secret_checks), which end the session at
`login_max_failures` instead of waiting.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, select

from app.config import Settings
from app.security.models import LoginAttempt
from app.timeutil import utcnow

# What an attempt was: the login page's password, the authenticator code after it, or a check of
# the worker's PIN or password inside a session (hand-over, hand-back, profile).
LOGIN = "login"
SECOND_FACTOR = "second_factor"
SECRET_CHECK = "secret_check"
# Failures an account owner is told about at their next login (secret checks happen inside their
# own session, so they are not news to them).
NOTICED_KINDS = (LOGIN, SECOND_FACTOR)
# An address the account has signed in from recently is not held back by the address's allowance.
KNOWN_ADDRESS_DAYS = 30


def delay_after(failures: int, *, free: int, settings: Settings) -> int:
    """Seconds to wait after the last of `failures`: none for the first `free`, then doubling."""
    if failures < free:
        return 0
    ceiling = settings.login_max_delay_minutes * 60
    # Cap the exponent: the doubling passes any sane ceiling long before 2**30.
    return min(ceiling, settings.login_first_delay_seconds * 2 ** min(failures - free, 30))


def _window_start(now: datetime, settings: Settings) -> datetime:
    return now - timedelta(minutes=settings.login_window_minutes)


def _open_failures(*conditions, since: datetime):
    return select(func.count(), func.max(LoginAttempt.at)).where(
        *conditions,
        LoginAttempt.succeeded.is_(False),
        LoginAttempt.cleared_at.is_(None),
        LoginAttempt.at >= since,
    )


# The IPv6 network one customer holds: RIPE-690 recommends a /56 or /48 for every household and
# business, and a cloud machine or tunnel broker hands out at least a /64 and often a /48. Counted
# by /64, one /56 was 256 fresh addresses, each with its own free failures.
IPV6_CLIENT_PREFIX = 56


def client_key(address: str) -> str:
    """Where a try comes from, as the throttle counts it: an IPv4 address, or an IPv6 address's
    /56 network, which one customer holds whole (counted by address, anyone with such a network
    could try one account's password from a new address every time, without a wait)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(ip)


def pair_failures(*, session: Session, email: str, address: str, settings: Settings) -> int:
    """Failures for this account from this address not yet cleared, within the window."""
    since = _window_start(utcnow(), settings)
    count, _ = session.exec(
        _open_failures(LoginAttempt.email == email, LoginAttempt.address == client_key(address), since=since)
    ).one()
    return count


def _known_address(*, session: Session, email: str, address: str, now: datetime) -> bool:
    return (
        session.exec(
            select(LoginAttempt.id)
            .where(
                LoginAttempt.email == email,
                LoginAttempt.address == address,
                LoginAttempt.succeeded.is_(True),
                LoginAttempt.at >= now - timedelta(days=KNOWN_ADDRESS_DAYS),
            )
            .limit(1)
        ).first()
        is not None
    )


def wait_seconds(*, session: Session, email: str, address: str, settings: Settings) -> int:
    """How long this account must wait before its next try from this address (0: go ahead)."""
    now = utcnow()
    since = _window_start(now, settings)
    address = client_key(address)
    waits = [0]
    count, last = session.exec(
        _open_failures(LoginAttempt.email == email, LoginAttempt.address == address, since=since)
    ).one()
    if last is not None:
        delay = delay_after(count, free=settings.login_free_failures, settings=settings)
        waits.append(_seconds_until(last, delay, now))
    count, last = session.exec(_open_failures(LoginAttempt.address == address, since=since)).one()
    free = settings.login_max_failures_per_address
    if (
        last is not None
        and count >= free
        and not _known_address(session=session, email=email, address=address, now=now)
    ):
        waits.append(_seconds_until(last, delay_after(count, free=free, settings=settings), now))
    return max(waits)


def _last_sign_in(*, session: Session, email: str) -> datetime | None:
    """When this account last signed in (password and any second factor, or single sign-on)."""
    return session.exec(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True), LoginAttempt.kind == LOGIN
        )
    ).one()


def account_wait_seconds(
    *, session: Session, email: str, address: str, settings: Settings, known_device: bool = False
) -> int:
    """How long a password try at this account must wait because of wrong passwords from every
    address since its owner last signed in (0: go ahead). An address the account signed in from
    lately, or a browser that signed in to it (app/security/known_device.py), never waits for this."""
    if known_device:
        return 0
    now = utcnow()
    conditions = [LoginAttempt.email == email, LoginAttempt.kind == LOGIN]
    last_sign_in = _last_sign_in(session=session, email=email)
    if last_sign_in is not None:
        # Counted from the owner's own sign-in: a guesser cannot keep the count up for ever.
        conditions.append(LoginAttempt.at > last_sign_in)
    count, last = session.exec(_open_failures(*conditions, since=_window_start(now, settings))).one()
    free = settings.login_max_failures_per_account
    if (
        last is None
        or count < free
        or _known_address(session=session, email=email, address=client_key(address), now=now)
    ):
        return 0
    return _seconds_until(last, delay_after(count, free=free, settings=settings), now)


def codes_locked(*, session: Session, email: str, settings: Settings) -> bool:
    """Whether wrong authenticator codes for this account, from every address, have reached
    `second_factor_max_failures`: its codes are refused until a recovery code or an administrator."""
    count, _ = session.exec(
        _open_failures(
            LoginAttempt.email == email, LoginAttempt.kind == SECOND_FACTOR, since=_window_start(utcnow(), settings)
        )
    ).one()
    return count >= settings.second_factor_max_failures


def clear_code_failures(*, session: Session, email: str) -> None:
    """A recovery code was used: the account's wrong codes, from every address, stop counting."""
    session.exec(
        update(LoginAttempt)
        .where(
            LoginAttempt.email == email,
            LoginAttempt.kind == SECOND_FACTOR,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.cleared_at.is_(None),
        )
        .values(cleared_at=utcnow())
    )


def _seconds_until(last: datetime, delay: int, now: datetime) -> int:
    if last.tzinfo is None:
        last = last.replace(tzinfo=now.tzinfo)
    return max(0, math.ceil((last + timedelta(seconds=delay) - now).total_seconds()))


def wait_words(seconds: int) -> str:
    """'30 seconds', '2 minutes': how long, for the message beside the field."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def refused_message(seconds: int) -> str:
    return (
        f"Too many wrong attempts from here. For your security, please wait {wait_words(seconds)} before trying again."
    )


def account_refused_message(seconds: int) -> str:
    # Said of any email, known or not (failures are counted for both), so it reveals no account.
    return (
        "Too many wrong attempts at this account from other places. For your security, please wait "
        f"{wait_words(seconds)} before trying again from here."
    )


def record_attempt(*, session: Session, email: str, address: str, succeeded: bool, kind: str = LOGIN) -> None:
    """Store the attempt; a success clears this account's failures from this address."""
    address = client_key(address)
    now = utcnow()
    if succeeded:
        session.exec(
            update(LoginAttempt)
            .where(
                LoginAttempt.email == email,
                LoginAttempt.address == address,
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.cleared_at.is_(None),
            )
            .values(cleared_at=now)
        )
    session.add(LoginAttempt(email=email, address=address, succeeded=succeeded, kind=kind, at=now))


def unlock(*, session: Session, email: str) -> int:
    """An administrator clears every waiting failure of this account, from any address."""
    result = session.exec(
        update(LoginAttempt)
        .where(LoginAttempt.email == email, LoginAttempt.succeeded.is_(False), LoginAttempt.cleared_at.is_(None))
        .values(cleared_at=utcnow())
    )
    return result.rowcount or 0


@dataclass(frozen=True)
class FailureGroup:
    email: str
    address: str
    failures: int
    latest: datetime
    wait_seconds: int


def recent_failures(
    *, session: Session, settings: Settings, email: str | None = None, limit: int = 200
) -> list[FailureGroup]:
    """Failed attempts within the window not yet cleared, by account and address, latest first."""
    now = utcnow()
    query = (
        select(LoginAttempt.email, LoginAttempt.address, func.count(), func.max(LoginAttempt.at))
        .where(
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.cleared_at.is_(None),
            LoginAttempt.at >= _window_start(now, settings),
        )
        .group_by(LoginAttempt.email, LoginAttempt.address)
        .order_by(func.max(LoginAttempt.at).desc())
        .limit(limit)
    )
    if email is not None:
        query = query.where(LoginAttempt.email == email)
    return [
        FailureGroup(
            email=row_email,
            address=address,
            failures=count,
            latest=latest,
            wait_seconds=_seconds_until(
                latest, delay_after(count, free=settings.login_free_failures, settings=settings), now
            ),
        )
        for row_email, address, count, latest in session.exec(query).all()
    ]


@dataclass(frozen=True)
class MissedFailures:
    count: int
    latest: datetime | None


def failures_since_last_login(*, session: Session, email: str) -> MissedFailures:
    """Failed logins for this account since its last successful one (call before recording this one)."""
    previous = session.exec(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True), LoginAttempt.kind == LOGIN
        )
    ).one()
    conditions = [
        LoginAttempt.email == email,
        LoginAttempt.succeeded.is_(False),
        LoginAttempt.kind.in_(NOTICED_KINDS),
    ]
    if previous is not None:
        conditions.append(LoginAttempt.at > previous)
    count, latest = session.exec(select(func.count(), func.max(LoginAttempt.at)).where(*conditions)).one()
    return MissedFailures(count, latest if count else None)
