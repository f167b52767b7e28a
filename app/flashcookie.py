"""Encrypted flash-message cookie, written by the middleware after a redirect.

Messages name people ("Jane Privatename added."), and a cookie sits in the browser's store and
in any proxy log, so it is encrypted and authenticated (Fernet), not only signed: no personal
data in cookies (DESIGN.md "Security", issue 20).
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken
from fastapi import Request
from starlette.responses import Response

FLASH_COOKIE = "homeward_flash"


class _Sealer:
    """dumps/loads through Fernet with a key derived from the secret key, for the flash only."""

    def __init__(self, secret_key: str) -> None:
        digest = hashlib.sha256(f"homeward.flash:{secret_key}".encode()).digest()
        self.fernet = Fernet(base64.urlsafe_b64encode(digest))

    def dumps(self, data) -> str:
        return self.fernet.encrypt(json.dumps(data).encode()).decode()

    def loads(self, raw: str):
        return json.loads(self.fernet.decrypt(raw.encode()))


def _serializer(request: Request) -> _Sealer:
    return _Sealer(request.app.state.settings.secret_key)


def read_flashes(request: Request) -> list[tuple[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        data = _serializer(request).loads(raw)
    except (InvalidToken, ValueError):
        return []
    request.state.clear_flash_cookie = True
    return [(str(k), str(m)) for k, m in data][:5]


def write_flashes(request: Request, response: Response) -> None:
    new = getattr(request.state, "new_flashes", None)
    settings = request.app.state.settings
    if new:
        response.set_cookie(
            FLASH_COOKIE,
            _serializer(request).dumps(json.loads(json.dumps(new))),
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
            max_age=60,
        )
    elif getattr(request.state, "clear_flash_cookie", False):
        response.delete_cookie(FLASH_COOKIE)
