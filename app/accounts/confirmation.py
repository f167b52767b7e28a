"""A signed-in person shows it is still them before changing how they sign in or hand over.

An unlocked session is not proof enough for a change that outlasts it (a new password, a Worker
PIN, an authenticator app on someone's phone): whoever sits at it could make the change. So the
current password is asked for, counted like a login (app.security.secret_checks), or nothing when
the person signed in at the council's provider a few minutes ago.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app.config import Settings
from app.forms import Form
from app.security import sessions
from app.security.auth import Actor
from app.security.secret_checks import check_worker_secret
from app.templating import flash, redirect
from app.timeutil import utcnow

LOCKED = "Too many wrong tries. For your security, please log in again."
# Someone who signs in with the council's account may never have used a Homeward password; a
# sign-in at the provider a few minutes ago confirms it is them, as the password would.
FRESH_SIGN_IN = timedelta(minutes=15)


def fresh_single_sign_on(actor: Actor) -> bool:
    """Whether this session began at the council's provider within FRESH_SIGN_IN."""
    user_session = actor.user_session
    return user_session.signed_in_with == "sso" and utcnow() - user_session.created_at < FRESH_SIGN_IN


def password_ok(
    *, session: Session, actor: Actor, settings: Settings, secret: str, form: Form, field: str, where: str
) -> bool:
    """Checks of the user's own password count like logins and are audited, so a taken-over session
    cannot guess it; at the limit the session ends (raises SecretLocked: answer with `logged_out`)."""
    ok, _ = check_worker_secret(
        session=session, actor=actor, settings=settings, secret=secret, where=where, pin_allowed=False
    )
    if not ok:
        form.error(field, "That is not your current password.")
    return ok


def logged_out(request: Request) -> Response:
    """The answer once too many wrong passwords have ended the session."""
    flash(request, LOCKED)
    response = redirect(request, "/login")
    response.delete_cookie(sessions.COOKIE_NAME, path="/")
    return response
