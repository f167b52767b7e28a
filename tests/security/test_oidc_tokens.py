"""ID token checks with keys made here: only a token signed by the provider, for us, now, for this sign-in."""

from __future__ import annotations

import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from app.security.oidc import SignInRefused, validate_id_token

# One worker runs this module: its module-scoped fixture starts a costly process (make test uses --dist loadgroup).
pytestmark = pytest.mark.xdist_group("oidc-tokens")

ISSUER = "https://login.council.example/tenant/v2.0"
CLIENT = "homeward-client"
NONCE = "n-0S6_WzA2Mj"


@pytest.fixture(scope="module")
def provider_key():
    return RSAKey.generate_key(2048, parameters={"kid": "provider-1", "alg": "RS256", "use": "sig"})


@pytest.fixture(scope="module")
def published(provider_key):
    return KeySet([provider_key]).as_dict(private=False)


def _token(key, **overrides) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": "248289761001",
        "aud": CLIENT,
        "exp": now + 300,
        "iat": now,
        "nonce": NONCE,
        "email": "sam@council.example",
        "email_verified": True,
        **overrides,
    }
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def _check(token, keys, **overrides):
    return validate_id_token(token, keys=keys, **{"issuer": ISSUER, "client_id": CLIENT, "nonce": NONCE, **overrides})


def test_a_good_token_gives_its_claims(provider_key, published):
    claims = _check(_token(provider_key), published)
    assert claims["sub"] == "248289761001" and claims["email"] == "sam@council.example"


def test_a_tampered_token_is_refused(provider_key, published):
    header, payload, signature = _token(provider_key).split(".")
    other = _token(provider_key, email="admin@council.example").split(".")[1]
    with pytest.raises(SignInRefused):
        _check(f"{header}.{other}.{signature}", published)
    assert payload != other


def test_a_token_signed_by_another_key_is_refused(published):
    impostor = RSAKey.generate_key(2048, parameters={"kid": "provider-1", "alg": "RS256"})
    with pytest.raises(SignInRefused):
        _check(_token(impostor), published)


def test_a_token_for_another_client_is_refused(provider_key, published):
    with pytest.raises(SignInRefused):
        _check(_token(provider_key, aud="some-other-app"), published)


def test_a_token_from_another_issuer_is_refused(provider_key, published):
    with pytest.raises(SignInRefused):
        _check(_token(provider_key, iss="https://evil.example/"), published)


def test_a_token_with_the_wrong_nonce_is_refused(provider_key, published):
    with pytest.raises(SignInRefused):
        _check(_token(provider_key, nonce="from-another-sign-in"), published)


def test_a_token_without_a_nonce_is_refused(provider_key, published):
    token = _token(provider_key)
    claims = jwt.decode(token, KeySet.import_key_set(published)).claims
    claims.pop("nonce")
    with pytest.raises(SignInRefused):
        _check(jwt.encode({"alg": "RS256", "kid": "provider-1"}, claims, provider_key), published)


def test_an_expired_token_is_refused(provider_key, published):
    past = int(time.time()) - 3600
    with pytest.raises(SignInRefused):
        _check(_token(provider_key, iat=past - 300, exp=past), published)


def test_an_unsigned_or_secret_signed_token_is_refused(provider_key, published):
    from joserfc.jwk import OctKey

    with pytest.raises(SignInRefused):
        _check(jwt.encode({"alg": "HS256"}, {"iss": ISSUER, "aud": CLIENT}, OctKey.import_key("x" * 32)), published)
