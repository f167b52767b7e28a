"""Logging in and out."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import select

from app.accounts.models import User
from app.audit import service as audit
from app.db import SessionDep
from app.forms import Form
from app.security import passwords, sessions, throttle
from app.security.auth import CurrentActor, FamilyActor, SettingsDep, client_address, refuse_family_mode
from app.templating import flash, redirect, render

router = APIRouter()

GENERIC_FAILURE = "That email and password do not match an active account."
LOCKED = "Too many attempts. For your security, logging in is paused for 15 minutes."


def _safe_next(target: str | None) -> str:
    """Only local paths, so the login page cannot be used to bounce people to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login", dependencies=[Depends(refuse_family_mode)])
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "accounts/login.html", {"form": Form(), "next": _safe_next(next)})


@router.post("/login", dependencies=[Depends(refuse_family_mode)])
async def login(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    form = Form(await request.form())
    email = form.text("email", required=True, max_length=254, label="Your email").lower()
    password = form.text("password", required=True, max_length=200, label="Your password")
    target = _safe_next(form.values.get("next"))
    if not form.ok:
        return render(request, "accounts/login.html", {"form": form, "next": target}, status_code=422)

    address = client_address(request)
    request_id = request.state.request_id
    agent = request.headers.get("user-agent", "")
    if throttle.is_locked(session=session, email=email, address=address, settings=settings):
        audit.record_anonymous(session=session, action="login_refused_locked", request_id=request_id, user_agent=agent, address=address)
        form.error("email", LOCKED)
        return render(request, "accounts/login.html", {"form": form, "next": target}, status_code=429)

    user = session.exec(select(User).where(User.email == email)).first()
    matches, new_hash = passwords.verify_password(password, user.password_hash if user else None)
    if not (user and matches and user.is_active):
        throttle.record_attempt(session=session, email=email, address=address, succeeded=False)
        audit.record_anonymous(session=session, action="login_failed", request_id=request_id, user_agent=agent, address=address, user_id=user.id if user else None)
        form.error("email", GENERIC_FAILURE)
        return render(request, "accounts/login.html", {"form": form, "next": target}, status_code=422)

    if new_hash:
        user.password_hash = new_hash
        session.add(user)
    throttle.record_attempt(session=session, email=email, address=address, succeeded=True)
    audit.record_anonymous(session=session, action="login", request_id=request_id, user_agent=agent, address=address, user_id=user.id)
    cookie = sessions.start_session(session=session, user=user, settings=settings, user_agent=agent)
    response = redirect(request, target)
    response.set_cookie(
        sessions.COOKIE_NAME,
        cookie,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=settings.session_absolute_hours * 3600,
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    sessions.end_session(session=session, user_session=actor.user_session)
    audit.record(session=session, actor=actor, action="logout", object_type="session")
    flash(request, "You have logged out.")
    response = redirect(request, "/login")
    response.delete_cookie(sessions.COOKIE_NAME, path="/")
    return response
