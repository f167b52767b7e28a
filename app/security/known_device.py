"""A browser that has signed in to an account: a long-lived signed cookie, set at every sign-in.

A worker's tablet moves between the office, home and families' homes on mobile data, so its
address says little about who holds it. The account-wide wait on wrong passwords
(app/security/throttle.py) holds back new places; this cookie lets the worker's own tablet through
it wherever it is, while a guesser, who has never signed in, still waits. It proves only that this
browser signed in to this account within `KNOWN_DEVICE_DAYS`; it is no credential (the password and
second factor are still asked for), so whoever copied it off a tablet would escape only that wait.
This is the "familiar device" of Entra ID's smart lockout.
"""

from __future__ import annotations

import hashlib

from fastapi import Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.config import Settings

COOKIE_NAME = "homeward_known_browser"  # not the sync route's `homeward_device` (a device id, path /sync)
KNOWN_DEVICE_DAYS = 30
# Sent only where an account's sign-in is checked: the login form, the code after it, the
# single sign-on callback.
COOKIE_PATH = "/login"


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="homeward.known-device")


def _stamp(user) -> str:
    """Moves when the password does: a reset after a tablet is lost makes every browser new again."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def remember(response: Response, *, user, settings: Settings) -> None:
    """At a sign-in: this browser is known for this account (the last to sign in on it)."""
    response.set_cookie(
        COOKIE_NAME,
        _serializer(settings).dumps({"u": user.id, "p": _stamp(user)}),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=KNOWN_DEVICE_DAYS * 24 * 3600,
        path=COOKIE_PATH,
    )


def signed_in_here(request: Request, *, user, settings: Settings) -> bool:
    """Whether this browser signed in to the account `user` within `KNOWN_DEVICE_DAYS`, since its
    password last changed."""
    if user is None:
        return False
    try:
        data = _serializer(settings).loads(request.cookies.get(COOKIE_NAME, ""), max_age=KNOWN_DEVICE_DAYS * 24 * 3600)
    except BadSignature:
        return False
    return isinstance(data, dict) and data.get("u") == user.id and data.get("p") == _stamp(user)
