"""Static files as the tablet receives them: minified, precompressed and cached for good by version.

Scripts and stylesheets are our own readable sources in app/static; what is sent is that source
minified (rjsmin, rcssmin) and gzipped once, when first asked for, so a deployment with no proxy
in front still sends small files and spends no CPU compressing them per request. Every page links
a static file as `/static/<path>?v=<hash of what is sent>` (static_url), so a request carrying the
current hash may be cached for a year (`immutable`); any other request is answered `no-cache`
with an ETag. The page-weight budgets (tests/test_budgets.py) measure these shipped bytes.

What every page needs is sent as two bundles, one stylesheet and one script (BUNDLES): a page
asks for two static files instead of sixteen, which on a weak signal (each request a round trip of
hundreds of milliseconds) and through the service worker (each request a fetch event) is most of a
page's load. The files stay separate in app/static, one per feature; the bundle is their
concatenation, in order, built the first time it is asked for.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import rcssmin
import rjsmin
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

STATIC_DIR = Path(__file__).resolve().parent / "static"
YEAR = "public, max-age=31536000, immutable"
COMPRESSIBLE = {".js", ".css", ".svg", ".json", ".md"}


def minify(name: str, source: bytes) -> bytes:
    """The bytes a browser needs: comments and layout dropped; vendored `.min.` files kept as they are."""
    if ".min." in name:
        return source
    if name.endswith(".js"):
        return rjsmin.jsmin(source.decode("utf-8")).encode("utf-8")
    if name.endswith(".css"):
        return rcssmin.cssmin(source.decode("utf-8")).encode("utf-8")
    return source


def stylesheets() -> list[str]:
    """Every stylesheet under static/css, core (app.css) first; a feature adds its own file."""
    names = sorted(p.name for p in (STATIC_DIR / "css").glob("*.css") if f"css/{p.name}" not in BUNDLES)
    names.sort(key=lambda n: n != "app.css")
    return [f"css/{n}" for n in names]


# The scripts every page runs, in the order the page ran them as separate deferred scripts. Each is
# a self-contained function (htmx's `var htmx` is the only global it declares, as before), so one
# after another in one script behaves as the separate files did. Pages that need more (a feature's
# own form script) still link that file on its own.
PAGE_SCRIPTS = ("js/htmx-2.0.11.min.js", "js/app.js", "js/offline.js", "js/family.js")
BUNDLES = {"css/homeward.css": stylesheets, "js/homeward.js": lambda: list(PAGE_SCRIPTS)}


@dataclass(frozen=True)
class Shipped:
    body: bytes
    gzipped: bytes | None
    version: str
    media_type: str


@lru_cache(maxsize=256)
def shipped(path: str) -> Shipped | None:
    """The file at `path` (relative to app/static) as sent, or None when there is no such file."""
    if path in BUNDLES:
        parts = [shipped(part) for part in BUNDLES[path]()]
        if path.endswith(".css"):
            body = b"\n".join(part.body for part in parts if part)
        else:
            # Each script in its own try, as separate files were: one that throws (storage refused,
            # say) leaves the next to run, and its error still reaches the console. A `var` inside
            # a block is still the page's global, as htmx's is.
            body = b"\n".join(
                b"try {\n" + part.body + b"\n} catch (e) { setTimeout(function () { throw e; }); }"
                for part in parts
                if part
            )
        suffix = Path(path).suffix
    else:
        file = (STATIC_DIR / path).resolve()
        if not file.is_relative_to(STATIC_DIR) or not file.is_file():
            return None
        body = minify(file.name, file.read_bytes())
        suffix = file.suffix
    gzipped = gzip.compress(body, compresslevel=9, mtime=0) if suffix in COMPRESSIBLE else None
    if gzipped is not None and len(gzipped) >= len(body):
        gzipped = None
    media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    if media_type.startswith("text/") or media_type == "application/javascript":
        media_type += "; charset=utf-8"
    return Shipped(body, gzipped, hashlib.sha256(body).hexdigest()[:10], media_type)


def static_url(path: str) -> str:
    """A cache-busting URL for a static file: the service worker caches these cache-first."""
    found = shipped(path)
    if found is None:
        raise FileNotFoundError(STATIC_DIR / path)
    return f"/static/{path}?v={found.version}"


def accepts_gzip(request: Request) -> bool:
    return any(
        part.split(";")[0].strip() in {"gzip", "*"} for part in request.headers.get("accept-encoding", "").split(",")
    )


async def serve_static(scope: Scope, receive: Receive, send: Send) -> None:
    """An ASGI app mounted at /static."""
    request = Request(scope, receive)
    found = shipped(scope["path"].removeprefix(scope.get("root_path", "")).lstrip("/"))
    if request.method not in {"GET", "HEAD"}:
        response = Response("Method not allowed", status_code=405, headers={"Allow": "GET, HEAD"})
    elif found is None:
        response = Response("Not found", status_code=404, media_type="text/plain")
    else:
        etag = f'"{found.version}"'
        headers = {
            "ETag": etag,
            "Cache-Control": YEAR if request.query_params.get("v") == found.version else "no-cache",
            "Vary": "Accept-Encoding",
        }
        if request.headers.get("if-none-match") == etag:
            response = Response(status_code=304, headers=headers)
        elif found.gzipped is not None and accepts_gzip(request):
            headers["Content-Encoding"] = "gzip"
            response = Response(found.gzipped, headers=headers, media_type=found.media_type)
        else:
            response = Response(found.body, headers=headers, media_type=found.media_type)
        if request.method == "HEAD":
            response.body = b""
    await response(scope, receive, send)
