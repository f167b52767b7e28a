"""Logging in and out."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import select

from app.accounts import second_factor, service, single_sign_on
from app.accounts.confirmation import fresh_single_sign_on, logged_out, password_ok
from app.accounts.models import Team, User
from app.accounts.second_factor import safe_next as _safe_next
from app.audit import service as audit
from app.db import SessionDep
from app.forms import Form, SentForm
from app.security import known_device, passwords, sessions, throttle, totp
from app.security.auth import CurrentActor, SettingsDep, client_address, refuse_family_mode
from app.security.secret_checks import SecretLocked
from app.templating import flash, redirect, render

router = APIRouter()
router.include_router(second_factor.router)
router.include_router(single_sign_on.router)

GENERIC_FAILURE = "That email and password do not match an active account."
PIN_CHANGE_DUE = (
    "Please set a new Worker PIN of at least 6 digits before you next hand the tablet to a family. "
    "Until then, your password hands over and back."
)


def _login_context(request: Request, form: Form, target: str) -> dict:
    settings = request.app.state.settings
    sso = f"Sign in with {settings.oidc_provider_name}" if settings.oidc_enabled else None
    return {"form": form, "next": target, "sso_label": sso}


@router.get("/login", dependencies=[Depends(refuse_family_mode)])
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "accounts/login.html", _login_context(request, Form(), _safe_next(next)))


@router.post("/login", dependencies=[Depends(refuse_family_mode)])
def login(request: Request, session: SessionDep, settings: SettingsDep, sent: SentForm) -> Response:
    form = Form(sent)
    email = form.text("email", required=True, max_length=254, label="Your email").lower()
    # Passwords are taken exactly as typed (spaces count), as they were when set.
    password = _secret(form, "password")
    if not password:
        form.error("password", "Your password is needed.")
    elif len(password) > 200:
        form.error("password", "Keep this to 200 characters or fewer.")
    target = _safe_next(form.values.get("next"))
    if not form.ok:
        return render(request, "accounts/login.html", _login_context(request, form, target), status_code=422)

    address = client_address(request)
    request_id = request.state.request_id
    agent = request.headers.get("user-agent", "")
    user = session.exec(select(User).where(User.email == email)).first()
    wait = throttle.wait_seconds(session=session, email=email, address=address, settings=settings)
    account_wait = throttle.account_wait_seconds(
        session=session,
        email=email,
        address=address,
        settings=settings,
        known_device=known_device.signed_in_here(request, user=user, settings=settings),
    )
    if wait or account_wait:
        # Not checked and not counted: a wait cannot be stretched by trying during it.
        audit.record_anonymous(
            session=session, action="login_refused_locked", request_id=request_id, user_agent=agent, address=address
        )
        if wait >= account_wait:
            form.error("email", throttle.refused_message(wait))
        else:
            form.error("email", throttle.account_refused_message(account_wait))
        wait = max(wait, account_wait)
        response = render(request, "accounts/login.html", _login_context(request, form, target), status_code=429)
        response.headers["Retry-After"] = str(wait)
        return response

    matches, new_hash = passwords.verify_password(password, user.password_hash if user else None)
    if not (user and matches and user.is_active):
        throttle.record_attempt(session=session, email=email, address=address, succeeded=False)
        audit.record_anonymous(
            session=session,
            action="login_failed",
            request_id=request_id,
            user_agent=agent,
            address=address,
            user_id=user.id if user else None,
        )
        form.error("email", GENERIC_FAILURE)
        return render(request, "accounts/login.html", _login_context(request, form, target), status_code=422)

    if new_hash:
        user.password_hash = new_hash
        session.add(user)
    enrolled = totp.confirmed_factor(session=session, user=user) is not None
    if enrolled or totp.is_required(user=user, settings=settings):
        # The password was right; the session starts only after the code (or setting one up).
        audit.record_anonymous(
            session=session,
            action="login_password_accepted",
            request_id=request_id,
            user_agent=agent,
            address=address,
            user_id=user.id,
        )
        return second_factor.pending_redirect(request, user=user, settings=settings, target=target, enrol=not enrolled)
    second_factor.tell_of_failures(request, session=session, email=email)
    throttle.record_attempt(session=session, email=email, address=address, succeeded=True)
    audit.record_anonymous(
        session=session, action="login", request_id=request_id, user_agent=agent, address=address, user_id=user.id
    )
    if user.pin_change_due:
        flash(request, PIN_CHANGE_DUE)
        target = "/profile#pin-h"
    response = redirect(request, target)
    second_factor.start_full_session(
        request, response, session=session, user=user, settings=settings, method="password"
    )
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    sessions.end_session(session=session, user_session=actor.user_session)
    audit.record(session=session, actor=actor, action="logout", object_type="session")
    flash(request, "You have logged out.")
    via_sso = actor.user_session.signed_in_with == "sso" and request.app.state.settings.oidc_enabled
    response = redirect(request, "/signed-out" if via_sso else "/login")
    response.delete_cookie(sessions.COOKIE_NAME, path="/")
    return response


# ---- Profile: every user changes their own password and sets their Worker PIN -------------


def _secret(form: Form, field: str) -> str:
    """A password field's value, taken out of the form so a re-rendered page never echoes it."""
    value = form.values.pop(field, "")
    return value if isinstance(value, str) else ""


def _profile(
    request: Request,
    session,
    actor,
    *,
    password_form: Form | None = None,
    pin_form: Form | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "account": actor.user,
        "team": session.get(Team, actor.user.team_id) if actor.user.team_id else None,
        "password_form": password_form or Form(),
        "pin_form": pin_form or Form(),
        "fresh_sso": fresh_single_sign_on(actor),
        "second_factor_on": totp.confirmed_factor(session=session, user=actor.user) is not None,
        "recovery_left": totp.recovery_codes_left(session=session, user=actor.user),
    }
    return render(request, "accounts/profile.html", context, status_code=status_code)


@router.get("/profile")
def profile_page(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    return _profile(request, session, actor)


@router.post("/profile/password")
def change_password(
    request: Request, session: SessionDep, actor: CurrentActor, settings: SettingsDep, sent: SentForm
) -> Response:
    form = Form(sent)
    current = _secret(form, "current_password")
    new = _secret(form, "new_password")
    confirm = _secret(form, "confirm_password")
    if not current:
        form.error("current_password", "Enter your current password.")
    if new != confirm:
        form.error("confirm_password", "The two new passwords are different.")
    try:
        checked = form.ok and password_ok(
            session=session,
            actor=actor,
            settings=settings,
            secret=current,
            form=form,
            field="current_password",
            where="profile_password",
        )
    except SecretLocked:
        return logged_out(request)
    if checked:
        try:
            service.change_password(
                session=session, user=actor.user, current=current, new=new, keep_session_id=actor.user_session.id
            )
        except service.AccountError as exc:
            form.error(exc.field, str(exc))
    if not form.ok:
        return _profile(request, session, actor, password_form=form, status_code=422)
    audit.record(
        session=session,
        actor=actor,
        action="change_password",
        object_type="user",
        object_id=actor.id,
        detail="other sessions ended",
    )
    flash(request, "Your password has been changed. Any other devices have been logged out.")
    return redirect(request, "/profile")


@router.post("/profile/pin")
def set_pin(
    request: Request, session: SessionDep, actor: CurrentActor, settings: SettingsDep, sent: SentForm
) -> Response:
    form = Form(sent)
    pin = _secret(form, "pin")
    confirm = _secret(form, "pin_password")
    try:
        service.check_pin(pin)
    except service.AccountError as exc:
        form.error(exc.field, str(exc))
    fresh_sso = fresh_single_sign_on(actor)
    if not confirm and not fresh_sso:
        form.error("pin_password", "Enter your password to confirm.")
    try:
        checked = form.ok and (
            fresh_sso
            or password_ok(
                session=session,
                actor=actor,
                settings=settings,
                secret=confirm,
                form=form,
                field="pin_password",
                where="profile_pin",
            )
        )
    except SecretLocked:
        return logged_out(request)
    if checked:
        service.set_pin(session=session, user=actor.user, pin=pin, iterations=settings.pin_kdf_iterations)
    if not form.ok:
        return _profile(request, session, actor, pin_form=form, status_code=422)
    audit.record(session=session, actor=actor, action="set_pin", object_type="user", object_id=actor.id)
    flash(request, "Your Worker PIN has been set. Use it to leave family mode.")
    return redirect(request, "/profile")
