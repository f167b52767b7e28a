"""Routes for signing in with the council's account (app/security/oidc.py has the protocol)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.accounts.second_factor import safe_next, start_full_session, tell_of_failures
from app.audit import service as audit
from app.config import Settings
from app.db import SessionDep
from app.security import oidc, throttle
from app.security.auth import SettingsDep, client_address, refuse_family_mode
from app.templating import redirect, render

router = APIRouter()

FLOW_COOKIE = "homeward_oidc"
FLOW_SECONDS = 600


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="homeward.oidc-flow")


def _redirect_uri(request: Request) -> str:
    return str(request.url_for("oidc_callback"))


def _refused(request: Request, message: str, status_code: int = 400) -> Response:
    response = render(request, "accounts/sso_refused.html", {"message": message}, status_code=status_code)
    response.delete_cookie(FLOW_COOKIE, path="/login/oidc")
    return response


def _audit(request: Request, session, action: str, user_id: int | None = None, detail: str = "") -> None:
    audit.record_anonymous(
        session=session,
        action=action,
        request_id=request.state.request_id,
        user_agent=request.headers.get("user-agent", "")[:300],
        address=client_address(request),
        user_id=user_id,
        detail=detail,
    )


@router.get("/login/oidc", dependencies=[Depends(refuse_family_mode)])
def start(request: Request, settings: SettingsDep, next: str = "/") -> Response:
    if not settings.oidc_enabled:
        raise HTTPException(status_code=404)
    try:
        started = oidc.authorization_request(settings=settings, redirect_uri=_redirect_uri(request))
    except oidc.SignInRefused as exc:
        return _refused(request, str(exc), status_code=502)
    response = RedirectResponse(started.url, status_code=303)
    response.set_cookie(
        FLOW_COOKIE,
        _serializer(settings).dumps(
            {"s": started.state, "n": started.nonce, "v": started.verifier, "t": safe_next(next)}
        ),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=FLOW_SECONDS,
        path="/login/oidc",
    )
    return response


@router.get("/login/oidc/callback", name="oidc_callback", dependencies=[Depends(refuse_family_mode)])
def callback(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    if not settings.oidc_enabled:
        raise HTTPException(status_code=404)
    try:
        flow = _serializer(settings).loads(request.cookies.get(FLOW_COOKIE, ""), max_age=FLOW_SECONDS)
    except BadSignature:
        flow = None
    params = request.query_params
    if flow is None or params.get("state") != flow.get("s"):
        _audit(request, session, "sso_refused", detail="state missing or different")
        return _refused(request, "That sign-in link has expired or was not started here. Please start again.")
    if params.get("error") or not params.get("code"):
        # The error code comes from the query string: only its plain letters reach the audit log.
        code = "".join(c for c in params.get("error", "nothing")[:60] if c.isascii() and (c.isalnum() or c == "_"))
        _audit(request, session, "sso_refused", detail=f"provider said {code}")
        return _refused(request, "The council's sign-in did not finish. Please start again.")
    try:
        claims = oidc.finish(
            settings=settings,
            code=params["code"],
            redirect_uri=_redirect_uri(request),
            verifier=flow["v"],
            nonce=flow["n"],
        )
    except oidc.SignInRefused as exc:
        _audit(request, session, "sso_refused", detail="token refused")
        return _refused(request, str(exc))
    user = oidc.match_account(session=session, settings=settings, claims=claims)
    if user is None:
        # No personal data from the token in the audit log: the person is unknown to Homeward.
        _audit(request, session, "sso_unknown_person")
        response = render(
            request, "accounts/sso_unknown.html", {"provider": settings.oidc_provider_name}, status_code=403
        )
        response.delete_cookie(FLOW_COOKIE, path="/login/oidc")
        return response
    # Signed in at the council's provider: tell of failed Homeward logins since the last one, and
    # clear this address's failures as a password login would.
    tell_of_failures(request, session=session, email=user.email)
    throttle.record_attempt(session=session, email=user.email, address=client_address(request), succeeded=True)
    _audit(request, session, "login", user_id=user.id, detail="single sign-on")
    response = redirect(request, flow.get("t") or "/")
    start_full_session(request, response, session=session, user=user, settings=settings, method="sso")
    response.delete_cookie(FLOW_COOKIE, path="/login/oidc")
    return response


@router.get("/signed-out")
def signed_out(request: Request, settings: SettingsDep) -> Response:
    """After logging out of a single sign-on session: offer the provider's sign-out too."""
    provider_url = None
    if settings.oidc_enabled:
        provider_url = oidc.end_session_url(settings=settings, after=str(request.url_for("login_page")))
    return render(
        request, "accounts/signed_out.html", {"provider": settings.oidc_provider_name, "provider_url": provider_url}
    )
