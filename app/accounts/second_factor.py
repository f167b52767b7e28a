"""The second step of a password sign-in, setting up an authenticator app, and an admin's reset.

Between the password and the code the browser holds a short signed "pending" cookie naming the
account; no session exists until the code is right. An administrator or manager without an
authenticator is taken to set one up straight after the password, not locked out.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.accounts.confirmation import fresh_single_sign_on, logged_out, password_ok
from app.accounts.models import Role, User
from app.audit import service as audit
from app.config import Settings
from app.db import SessionDep
from app.forms import Form, SentForm
from app.security import known_device, sessions, throttle, totp
from app.security.auth import CurrentActor, SettingsDep, client_address, refuse_family_mode, require_role
from app.security.secret_checks import SecretLocked
from app.templating import flash, redirect, render
from app.timeutil import local

router = APIRouter()

PENDING_COOKIE = "homeward_pending"
PENDING_SECONDS = 300
# Beside the code field once the account's wrong codes, from every address, reach the limit
# (app/security/throttle.py): whoever typed them knew the password.
CODES_LOCKED = (
    "Too many wrong codes have been typed for this account, so codes from the authenticator app are "
    "turned off for now. Type one of your recovery codes, or ask an administrator to clear the failed "
    "log-ins, and tell them: someone else may know your password."
)


def safe_next(target: str | None) -> str:
    """Only local paths, so the login page cannot be used to bounce people to another site. No
    whitespace or control characters either: a browser drops a tab or newline from a link, so
    "/\t/evil.example" in a page's href is followed as "//evil.example", another site."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target)
    ):
        return target
    return "/"


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="homeward.second-factor-pending")


def pending_redirect(request: Request, *, user: User, settings: Settings, target: str, enrol: bool) -> Response:
    """After a right password: on to the code (or to set one up), holding the account in a short cookie."""
    response = redirect(request, "/login/second-factor/setup" if enrol else "/login/code")
    response.set_cookie(
        PENDING_COOKIE,
        _serializer(settings).dumps({"u": user.id, "n": target}),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=PENDING_SECONDS,
        path="/login",
    )
    return response


def _pending(request: Request, session, settings: Settings) -> tuple[User, str] | None:
    try:
        data = _serializer(settings).loads(request.cookies.get(PENDING_COOKIE, ""), max_age=PENDING_SECONDS)
    except BadSignature:
        return None
    user = session.get(User, data.get("u"))
    if user is None or not user.is_active:
        return None
    return user, data.get("n") or "/"


def start_full_session(
    request: Request, response: Response, *, session, user: User, settings: Settings, method: str
) -> None:
    cookie = sessions.start_session(
        session=session, user=user, settings=settings, user_agent=request.headers.get("user-agent", ""), method=method
    )
    response.set_cookie(
        sessions.COOKIE_NAME,
        cookie,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=settings.session_absolute_hours * 3600,
        path="/",
    )
    response.delete_cookie(PENDING_COOKIE, path="/login")
    known_device.remember(response, user=user, settings=settings)


def tell_of_failures(request: Request, *, session, email: str) -> None:
    """At a login, tell the account owner of failed attempts since their last one (call before
    recording this login's success)."""
    missed = throttle.failures_since_last_login(session=session, email=email)
    if not missed.count:
        return
    tries = "1 attempt" if missed.count == 1 else f"{missed.count} attempts"
    when = f"on {local(missed.latest):%-d %b at %H:%M}"
    # No addresses: a flash travels in a cookie, and carries only our own wording and figures.
    flash(
        request,
        f"Since you last logged in, {tries} to log in to your account failed (the latest {when}). "
        "If that was not you, tell your administrator: they can see where the attempts came from.",
        kind="warning",
    )


def _audit(request: Request, session, action: str, user: User, detail: str = "") -> None:
    audit.record_anonymous(
        session=session,
        action=action,
        request_id=request.state.request_id,
        user_agent=request.headers.get("user-agent", "")[:300],
        address=client_address(request),
        user_id=user.id,
        detail=detail,
    )


def _expired(request: Request) -> Response:
    flash(request, "That sign-in took too long. Please log in again.", kind="error")
    return redirect(request, "/login")


@router.get("/login/code", dependencies=[Depends(refuse_family_mode)])
def code_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    if _pending(request, session, settings) is None:
        return _expired(request)
    return render(request, "accounts/second_factor_code.html", {"form": Form()})


@router.post("/login/code", dependencies=[Depends(refuse_family_mode)])
def check_code(request: Request, session: SessionDep, settings: SettingsDep, sent: SentForm) -> Response:
    pending = _pending(request, session, settings)
    if pending is None:
        return _expired(request)
    user, target = pending
    form = Form(sent)
    code = str(form.values.pop("code", ""))[:40]
    address = client_address(request)
    wait = throttle.wait_seconds(session=session, email=user.email, address=address, settings=settings)
    if wait:
        _audit(request, session, "second_factor_refused_locked", user)
        form.error("code", throttle.refused_message(wait))
        response = render(request, "accounts/second_factor_code.html", {"form": form}, status_code=429)
        response.headers["Retry-After"] = str(wait)
        return response
    if not code.strip():
        form.error("code", "Type the code from your authenticator app.")
        return render(request, "accounts/second_factor_code.html", {"form": form}, status_code=422)
    locked = throttle.codes_locked(session=session, email=user.email, settings=settings)
    try:
        kind = totp.check_code(session=session, user=user, settings=settings, code=code, app_codes=not locked)
    except totp.WrongCode as exc:
        throttle.record_attempt(
            session=session, email=user.email, address=address, succeeded=False, kind=throttle.SECOND_FACTOR
        )
        _audit(request, session, "second_factor_failed", user, detail="codes turned off" if locked else "")
        session.flush()
        if locked or throttle.codes_locked(session=session, email=user.email, settings=settings):
            form.error("code", CODES_LOCKED)
            return render(request, "accounts/second_factor_code.html", {"form": form}, status_code=429)
        form.error("code", str(exc))
        return render(request, "accounts/second_factor_code.html", {"form": form}, status_code=422)
    tell_of_failures(request, session=session, email=user.email)
    throttle.record_attempt(session=session, email=user.email, address=address, succeeded=True)
    _audit(request, session, "login", user, detail=f"password and {kind}")
    if kind == "recovery code":
        throttle.clear_code_failures(session=session, email=user.email)
        left = totp.recovery_codes_left(session=session, user=user)
        flash(request, f"You used a recovery code; {left} left. Each works once.", kind="warning")
        if locked:
            flash(
                request,
                "Codes from your authenticator app work again. Many wrong codes were typed for your "
                "account: change your password now, and tell your administrator.",
                kind="warning",
            )
    response = redirect(request, target)
    start_full_session(request, response, session=session, user=user, settings=settings, method="password")
    return response


def _setup_context(session, user: User, settings: Settings, form: Form, action: str) -> dict:
    secret = totp.pending_secret(session=session, user=user, settings=settings)
    uri = totp.provisioning_uri(secret=secret, email=user.email)
    # The key is shown as text too, for people who type it into the app instead of scanning.
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return {"form": form, "qr": totp.qr_svg(uri), "setup_key": grouped, "action": action}


@router.get("/login/second-factor/setup", dependencies=[Depends(refuse_family_mode)])
def setup_at_sign_in_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    pending = _pending(request, session, settings)
    if pending is None:
        return _expired(request)
    if totp.confirmed_factor(session=session, user=pending[0]) is not None:
        return redirect(request, "/login/code")
    context = _setup_context(session, pending[0], settings, Form(), "/login/second-factor/setup")
    return render(request, "accounts/second_factor_setup.html", {**context, "at_sign_in": True})


@router.post("/login/second-factor/setup", dependencies=[Depends(refuse_family_mode)])
def setup_at_sign_in(request: Request, session: SessionDep, settings: SettingsDep, sent: SentForm) -> Response:
    pending = _pending(request, session, settings)
    if pending is None:
        return _expired(request)
    user, target = pending
    form = Form(sent)
    code = str(form.values.pop("code", ""))[:40]
    address = client_address(request)
    wait = throttle.wait_seconds(session=session, email=user.email, address=address, settings=settings)
    if wait:
        form.error("code", throttle.refused_message(wait))
        context = _setup_context(session, user, settings, form, "/login/second-factor/setup")
        return render(request, "accounts/second_factor_setup.html", {**context, "at_sign_in": True}, status_code=429)
    try:
        codes = totp.confirm_enrolment(session=session, user=user, settings=settings, code=code)
    except totp.WrongCode as exc:
        throttle.record_attempt(
            session=session, email=user.email, address=address, succeeded=False, kind=throttle.SECOND_FACTOR
        )
        _audit(request, session, "second_factor_failed", user, detail="setting up")
        form.error("code", str(exc))
        context = _setup_context(session, user, settings, form, "/login/second-factor/setup")
        return render(request, "accounts/second_factor_setup.html", {**context, "at_sign_in": True}, status_code=422)
    tell_of_failures(request, session=session, email=user.email)
    throttle.record_attempt(session=session, email=user.email, address=address, succeeded=True)
    _audit(request, session, "second_factor_enrolled", user)
    _audit(request, session, "login", user, detail="password and new second factor")
    response = render(request, "accounts/recovery_codes.html", {"codes": codes, "next": target})
    start_full_session(request, response, session=session, user=user, settings=settings, method="password")
    response.headers["Cache-Control"] = "no-store"
    return response


def _profile_setup(
    request: Request, session, actor, settings: Settings, form: Form, status_code: int = 200
) -> Response:
    context = _setup_context(session, actor.user, settings, form, "/profile/second-factor")
    context.update(at_sign_in=False, fresh_sso=fresh_single_sign_on(actor))
    return render(request, "accounts/second_factor_setup.html", context, status_code=status_code)


@router.get("/profile/second-factor")
def setup_page(request: Request, session: SessionDep, actor: CurrentActor, settings: SettingsDep) -> Response:
    if totp.confirmed_factor(session=session, user=actor.user) is not None:
        flash(request, "Your authenticator app is already set up.")
        return redirect(request, "/profile")
    return _profile_setup(request, session, actor, settings, Form())


@router.post("/profile/second-factor")
def setup(
    request: Request, session: SessionDep, actor: CurrentActor, settings: SettingsDep, sent: SentForm
) -> Response:
    """Turn on an authenticator from the profile. Whoever holds the phone then holds the account's
    second factor, so the password is asked for (as for a Worker PIN), not only the unlocked session."""
    form = Form(sent)
    confirm = form.values.pop("password", "")
    confirm = confirm if isinstance(confirm, str) else ""
    fresh_sso = fresh_single_sign_on(actor)
    if not confirm and not fresh_sso:
        form.error("password", "Enter your password to confirm.")
    try:
        checked = form.ok and (
            fresh_sso
            or password_ok(
                session=session,
                actor=actor,
                settings=settings,
                secret=confirm,
                form=form,
                field="password",
                where="profile_second_factor",
            )
        )
    except SecretLocked:
        return logged_out(request)
    # Until the password is right the code is neither checked nor used up, and stays in the form:
    # the set-up key is kept too, so the app already scanned still works.
    if checked:
        code = str(form.values.pop("code", ""))[:40]
        wait = throttle.wait_seconds(session=session, email=actor.user.email, address=actor.address, settings=settings)
        if wait:
            form.error("code", throttle.refused_message(wait))
        else:
            try:
                codes = totp.confirm_enrolment(session=session, user=actor.user, settings=settings, code=code)
            except totp.WrongCode as exc:
                throttle.record_attempt(
                    session=session,
                    email=actor.user.email,
                    address=actor.address,
                    succeeded=False,
                    kind=throttle.SECOND_FACTOR,
                )
                audit.record(
                    session=session, actor=actor, action="second_factor_failed", object_type="user", object_id=actor.id
                )
                form.error("code", str(exc))
    if not form.ok:
        return _profile_setup(request, session, actor, settings, form, status_code=422)
    audit.record(session=session, actor=actor, action="second_factor_enrolled", object_type="user", object_id=actor.id)
    response = render(request, "accounts/recovery_codes.html", {"codes": codes, "next": "/profile"})
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/admin/users/{user_id}/second-factor/reset")
def reset_second_factor(request: Request, user_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    """An administrator removes a lost authenticator; the person sets up a new one at next sign-in."""
    require_role(actor, Role.admin)
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=404)
    totp.reset(session=session, user=user)
    audit.record(session=session, actor=actor, action="second_factor_reset", object_type="user", object_id=user.id)
    # Whose account it is, the page the redirect opens says; the flash travels in a cookie
    # (app/admin/routes.py: flash messages say what happened, never whose account).
    flash(request, "Second factor removed. They set up a new one when they next log in.")
    return redirect(request, f"/admin/users/{user.id}")
