"""Request-wide protections as one plain ASGI middleware (cheaper than a stack of BaseHTTPMiddleware).

- a request id on every request, echoed in `X-Request-ID` and shown on error pages;
- request bodies over `max_body_bytes` refused with 413, whether or not Content-Length is honest;
- cross-site request protection for unsafe methods from Sec-Fetch-Site, falling back to Origin
  (https://datasette.io/ and https://web.dev/articles/fetch-metadata): no token to expire, so
  requests replayed from the offline outbox still pass;
- security headers on every response, including a strict Content-Security-Policy;
- `Cache-Control: no-store` on every response that does not set its own caching (static files
  and the service worker do): pages show a family's details, and the browser's HTTP disk cache
  would keep them after logout (static files excepted). Pages for offline use are kept by the service worker in its own
  cache, which Cache-Control does not govern (docs/offline.md "At rest").
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.headers import SECURITY_HEADERS

access_log = logging.getLogger("homeward.access")

ErrorPage = Callable[[Request, Exception], Awaitable[Response]]

# Static files carry a hash of their content in the URL: they may be cached, and hold no personal data.
STATIC = "/static/"

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class BodyTooLarge(Exception):
    pass


def is_cross_site(method: str, headers: Headers, host: str) -> bool:
    """Whether an unsafe request came from another site (pure function, tested on its own)."""
    if method not in UNSAFE_METHODS:
        return False
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        # "none" is a user-initiated navigation (typed URL, bookmark); same-origin is our pages.
        return fetch_site not in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None or origin == "null":
        # No browser metadata at all: not a browser form post (curl, tests). A browser old enough
        # to send neither header is outside what we support.
        return origin == "null"
    return urlsplit(origin).netloc != host


class HomewardMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, hsts: bool, error_page: ErrorPage | None = None) -> None:
        self.app = app
        self.error_page = error_page
        self.max_body_bytes = max_body_bytes
        self.extra_headers = list(SECURITY_HEADERS)
        if hsts:
            self.extra_headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
        headers = Headers(scope=scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                present = {k.lower() for k, _ in raw}
                raw.extend((k, v) for k, v in self.extra_headers if k not in present)
                if b"cache-control" not in present and not scope["path"].startswith(STATIC):
                    raw.append((b"cache-control", b"no-store"))
                raw.append((b"x-request-id", request_id.encode()))
                message["headers"] = raw
            await send(message)

        if is_cross_site(scope["method"], headers, headers.get("host", "")):
            response = HTMLResponse(
                "<!doctype html><title>Refused</title><h1>Refused</h1>"
                "<p>This request came from another site, so Homeward refused it.</p>",
                status_code=403,
            )
            await response(scope, receive, send_with_headers)
            return

        declared = headers.get("content-length")
        if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > self.max_body_bytes:
            await PlainTextResponse("Request body too large (limit 2 MB).", status_code=413)(
                scope, receive, send_with_headers
            )
            return

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge()
            return message

        began = time.perf_counter()

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                # Our access log replaces uvicorn's: the path without its query string, which can
                # hold a searched-for name (no personal data in logs).
                access_log.info(
                    "%s %s %s %.1fms request_id=%s",
                    scope["method"],
                    scope["path"],
                    message["status"],
                    (time.perf_counter() - began) * 1000,
                    request_id,
                )
            await send_with_headers(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await PlainTextResponse("Request body too large (limit 2 MB).", status_code=413)(
                    scope, receive, send_with_headers
                )
        except Exception as exc:
            if started or self.error_page is None:
                raise
            response = await self.error_page(Request(scope, receive), exc)
            await response(scope, receive, send_with_headers)
