"""Single sign-on with the council's OpenID Connect provider: authorization code flow with PKCE.

OpenID Connect Core 1.0 (https://openid.net/specs/openid-connect-core-1_0.html) and RFC 7636:
the browser carries state, nonce and the PKCE verifier in a short signed cookie between our
redirect and the provider's; the code is exchanged server to server, and the ID token is checked
in full (signature by the provider's published keys, issuer, audience, expiry, nonce) before its
claims are believed. Role and team stay in Homeward: an unknown person is refused, never created.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from sqlmodel import Session, select

from app.accounts.models import User
from app.config import Settings
from app.refused import Refused

# A provider's clock and ours may differ a little (OpenID Connect Core 3.1.3.7).
LEEWAY_SECONDS = 60
# Asymmetric algorithms only: a token "signed" with our client secret or with none is refused.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
DISCOVERY_SECONDS = 3600


class SignInRefused(Refused):
    """The sign-in cannot go on; the message is for the person, never the token's contents."""


@dataclass
class _Cached:
    at: float
    value: dict


_metadata: dict[str, _Cached] = {}
_keys: dict[str, _Cached] = {}


def _get_json(url: str) -> dict:
    try:
        response = httpx.get(url, timeout=10)
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SignInRefused("The council's sign-in service could not be reached. Try again in a minute.") from exc


def metadata(settings: Settings) -> dict:
    """The provider's discovery document (endpoints, keys URL), cached for an hour."""
    issuer = settings.oidc_issuer.rstrip("/")
    cached = _metadata.get(issuer)
    if cached and time.monotonic() - cached.at < DISCOVERY_SECONDS:
        return cached.value
    document = _get_json(f"{issuer}/.well-known/openid-configuration")
    if document.get("issuer", "").rstrip("/") != issuer:
        raise SignInRefused("The council's sign-in service is not configured as Homeward expects.")
    _metadata[issuer] = _Cached(time.monotonic(), document)
    return document


def _key_set(settings: Settings, *, refresh: bool = False) -> dict:
    uri = metadata(settings)["jwks_uri"]
    cached = _keys.get(uri)
    if cached and not refresh and time.monotonic() - cached.at < DISCOVERY_SECONDS:
        return cached.value
    keys = _get_json(uri)
    _keys[uri] = _Cached(time.monotonic(), keys)
    return keys


@dataclass(frozen=True)
class Started:
    url: str
    state: str
    nonce: str
    verifier: str


def authorization_request(*, settings: Settings, redirect_uri: str) -> Started:
    """Where to send the browser, and the secrets the callback must see again."""
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    params = {
        "response_type": "code",
        "client_id": settings.oidc_client_id,
        "redirect_uri": redirect_uri,
        "scope": settings.oidc_scopes,
        "state": state,
        "nonce": nonce,
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    endpoint = metadata(settings)["authorization_endpoint"]
    return Started(url=f"{endpoint}?{urlencode(params)}", state=state, nonce=nonce, verifier=verifier)


def validate_id_token(
    id_token: str, *, keys: dict, issuer: str, client_id: str, nonce: str, now: float | None = None
) -> dict:
    """The ID token's claims after every check OpenID Connect asks of a client; raises SignInRefused."""
    try:
        token = jwt.decode(id_token, KeySet.import_key_set(keys), registry=JWSRegistry(algorithms=ALGORITHMS))
        claims = CodeIDToken(
            token.claims,
            token.header,
            {
                "iss": {"essential": True, "value": issuer},
                "aud": {"essential": True, "value": client_id},
                "exp": {"essential": True},
                "nonce": {"essential": True, "value": nonce},
            },
            {"nonce": nonce, "client_id": client_id},
        )
        claims.validate(now=int(time.time() if now is None else now), leeway=LEEWAY_SECONDS)
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise SignInRefused("The council's sign-in could not be confirmed. Please try again.") from exc
    return dict(claims)


def finish(*, settings: Settings, code: str, redirect_uri: str, verifier: str, nonce: str) -> dict:
    """Exchange the code (with the PKCE verifier) for tokens and return the checked ID token's claims."""
    document = metadata(settings)
    try:
        response = httpx.post(
            document["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
            auth=(settings.oidc_client_id, settings.oidc_client_secret),
            timeout=10,
        )
        response.raise_for_status()
        tokens = response.json()
        id_token = tokens["id_token"]
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise SignInRefused("The council's sign-in could not be completed. Please try again.") from exc
    issuer = document["issuer"]
    try:
        claims = validate_id_token(
            id_token, keys=_key_set(settings), issuer=issuer, client_id=settings.oidc_client_id, nonce=nonce
        )
    except SignInRefused:
        # The provider may have rotated its keys since we fetched them: fetch once more, then refuse.
        claims = validate_id_token(
            id_token,
            keys=_key_set(settings, refresh=True),
            issuer=issuer,
            client_id=settings.oidc_client_id,
            nonce=nonce,
        )
    if "email" not in claims and tokens.get("access_token") and document.get("userinfo_endpoint"):
        claims.update(_userinfo_email(document["userinfo_endpoint"], tokens["access_token"], claims["sub"]))
    return claims


def _userinfo_email(endpoint: str, access_token: str, subject: str) -> dict:
    """Some providers put the email only in UserInfo; it counts only for the same subject (Core 5.3.2)."""
    try:
        response = httpx.get(endpoint, headers={"Authorization": f"Bearer {access_token}"}, timeout=10)
        response.raise_for_status()
        info = response.json()
    except (httpx.HTTPError, ValueError):
        return {}
    if info.get("sub") != subject:
        return {}
    return {key: info[key] for key in ("email", "email_verified") if key in info}


def match_account(*, session: Session, settings: Settings, claims: dict) -> User | None:
    """The Homeward account for these claims: by linked subject, else by verified email (then linked)."""
    subject = str(claims.get("sub") or "")
    if not subject:
        return None
    user = session.exec(select(User).where(User.oidc_subject == subject)).first()
    if user is not None:
        return user if user.is_active else None
    email = str(claims.get("email") or "").strip().lower()
    if not email or not _email_verified(claims):
        return None
    domains = settings.oidc_domains
    if domains and email.rsplit("@", 1)[-1] not in domains:
        return None
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None or not user.is_active or user.oidc_subject is not None:
        return None
    user.oidc_subject = subject
    session.add(user)
    return user


def _email_verified(claims: dict) -> bool:
    # Entra ID sends no `email_verified`; its optional claim `xms_edov` says the email's domain is
    # verified by the tenant (docs/single-sign-on.md), which is the same assurance for staff accounts.
    return claims.get("email_verified") is True or claims.get("xms_edov") in (True, 1, "1", "true")


def end_session_url(*, settings: Settings, after: str) -> str | None:
    """The provider's sign-out page (RP-initiated logout), if it has one."""
    try:
        endpoint = metadata(settings).get("end_session_endpoint")
    except SignInRefused:
        return None
    if not endpoint:
        return None
    return f"{endpoint}?{urlencode({'client_id': settings.oidc_client_id, 'post_logout_redirect_uri': after})}"
