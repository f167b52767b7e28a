"""Outbox items sealed on the device to Homeward's public key (DESIGN.md "Offline", at rest).

An item waiting on a tablet holds what the worker typed about a family. The offline script seals
it before it is stored: ECDH on P-256 with a fresh key for every item, HKDF-SHA256, AES-256-GCM,
all in WebCrypto. Only the server can open it; the device keeps the op id, target, label and
base version in the clear (the outbox needs them to replay in order), and the content sealed.
The additional data binds a sealed item to its op id, target and user, so an envelope cannot be
moved onto another operation or opened for another account.

The key pair is derived from SECRET_KEY, so every server process agrees without storing a key,
and it changes when SECRET_KEY does (items sealed to the old key then come back as refused, with
a message, and stay on the device for the worker to enter again).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

INFO = b"homeward outbox v1"
# The order of the P-256 group: a private scalar must lie in [1, N - 1].
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


class SealError(ValueError):
    """A sealed item that cannot be opened: the wrong key, a damaged envelope, or tampering."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        raise SealError("damaged envelope") from None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@lru_cache(maxsize=4)
def private_key(secret_key: str) -> ec.EllipticCurvePrivateKey:
    seed = HKDF(algorithm=hashes.SHA256(), length=48, salt=b"homeward outbox key", info=b"p-256").derive(
        secret_key.encode()
    )
    return ec.derive_private_key(int.from_bytes(seed, "big") % (N - 1) + 1, ec.SECP256R1())


def _point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


@lru_cache(maxsize=4)
def key_id(secret_key: str) -> str:
    """A short id of the key pair, to tell keys apart (asked of every sealed item)."""
    return hashlib.sha256(_point(private_key(secret_key).public_key())).hexdigest()[:16]


def public_key(secret_key: str) -> dict:
    """The public half as WebCrypto imports it (a JWK), with a short id to tell keys apart."""
    point = _point(private_key(secret_key).public_key())
    return {
        "kid": key_id(secret_key),
        "jwk": {"kty": "EC", "crv": "P-256", "x": _b64url(point[1:33]), "y": _b64url(point[33:]), "ext": True},
    }


def additional_data(*, op_id: str, target: str, user_id: str) -> bytes:
    return f"{op_id}\n{target}\n{user_id}".encode()


def _aes_key(shared: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(shared)


def open_sealed(secret_key: str, sealed: dict, *, aad: bytes) -> list[list[str]]:
    """The form fields inside `sealed`, as [name, value] pairs; SealError if it cannot be opened."""
    if not isinstance(sealed, dict):
        raise SealError("damaged envelope")
    if sealed.get("kid") != key_id(secret_key):
        raise SealError("sealed for another key")
    try:
        epk = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64(str(sealed.get("epk", ""))))
    except ValueError:
        raise SealError("damaged envelope") from None
    shared = private_key(secret_key).exchange(ec.ECDH(), epk)
    iv, data = _unb64(str(sealed.get("iv", ""))), _unb64(str(sealed.get("data", "")))
    try:
        plain = AESGCM(_aes_key(shared)).decrypt(iv, data, aad)
    except (InvalidTag, ValueError):
        raise SealError("the envelope does not open with this key and item") from None
    fields = json.loads(plain)
    if not isinstance(fields, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(v, str) for v in p) for p in fields
    ):
        raise SealError("damaged envelope")
    return fields


def seal(secret_key: str, fields: list[list[str]], *, aad: bytes) -> dict:
    """What offline.js does, in Python: for tests and tools (the server itself never seals)."""
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    shared = ephemeral.exchange(ec.ECDH(), private_key(secret_key).public_key())
    iv = os.urandom(12)
    data = AESGCM(_aes_key(shared)).encrypt(iv, json.dumps(fields).encode(), aad)
    return {
        "kid": public_key(secret_key)["kid"],
        "epk": _b64(_point(ephemeral.public_key())),
        "iv": _b64(iv),
        "data": _b64(data),
    }


# ---- the device key: pages, cases and labels kept on a tablet (docs/offline.md "Locked at rest") ----


def device_key(secret_key: str, user_id: int) -> bytes:
    """The AES-256 key a worker's device encrypts what it keeps with; one per user, from SECRET_KEY."""
    return hmac.new(secret_key.encode(), f"homeward device key v1|{user_id}".encode(), hashlib.sha256).digest()


def device_key_for(
    secret_key: str, *, user_id: int, wrap_key_hex: str | None, salt: str | None, iterations: int | None
) -> dict:
    """What an unlocked page is given: the key itself (memory only) and the key wrapped under the
    Worker PIN (stored on the device, so the PIN alone unlocks it without a signal). `wrap` is None
    for a worker without a PIN wrapping key: their kept pages then open only while unlocked online."""
    key = device_key(secret_key, user_id)
    wrap = None
    if wrap_key_hex and salt and iterations:
        iv = os.urandom(12)
        data = AESGCM(bytes.fromhex(wrap_key_hex)).encrypt(iv, key, str(user_id).encode())
        wrap = {"salt": salt + b"wrap".hex(), "iterations": iterations, "iv": _b64(iv), "data": _b64(data)}
    return {"user": str(user_id), "key": _b64(key), "wrap": wrap}
