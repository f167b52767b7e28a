"""Signed flash-message cookie, written by the middleware after a redirect."""

from __future__ import annotations

import json

from fastapi import Request
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.responses import Response

FLASH_COOKIE = "homeward_flash"


def _serializer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(request.app.state.settings.secret_key, salt="homeward.flash")


def read_flashes(request: Request) -> list[tuple[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        data = _serializer(request).loads(raw)
    except BadSignature:
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
