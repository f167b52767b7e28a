"""Installable app: the web app manifest, the service worker and the offline page.

The service worker's source is app/static/js/sw.js; it is served here, from the root, because a
worker only controls pages at or below its own path (https://w3c.github.io/ServiceWorker/#scope).
It is served with `Cache-Control: no-cache` so browsers check for a new version on every load
instead of trusting the HTTP cache for up to 24 hours.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from app.assets import BUNDLES, PAGE_SCRIPTS, STATIC_DIR, minify, static_url
from app.headers import SECURITY_HEADERS
from app.templating import APP_DIR, render

router = APIRouter()

ICONS = [
    {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
    {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
    {"src": "/static/icons/icon-maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
]


def shell_urls() -> list[str]:
    """What the service worker precaches: the two bundles every page links and every other script
    (features' own, so a form kept for offline use finds its script), the icons and the offline page."""
    bundled = {"js/sw.js", *PAGE_SCRIPTS}
    scripts = sorted(f"js/{p.name}" for p in (STATIC_DIR / "js").glob("*.js") if f"js/{p.name}" not in bundled)
    return [
        "/offline",
        "/unlock",
        "/manifest.webmanifest",
        *(static_url(p) for p in [*BUNDLES, *scripts]),
        static_url("icons/icon.svg"),
        *(i["src"] for i in ICONS),
    ]


# A page opened from the device carries the headers Homeward sends with it (a strict CSP above
# all), and is never kept by the browser's back-forward cache after the device locks.
KEPT_PAGE_HEADERS = {
    **{name.decode(): value.decode() for name, value in SECURITY_HEADERS},
    "Cache-Control": "no-store",
}


# The templates of the pages in the shell (kept by URL, not by a versioned name).
SHELL_TEMPLATES = ("base.html", "pwa/offline.html", "pwa/unlock.html")


@lru_cache(maxsize=4)
def service_worker_source(max_age_hours: int, idle_minutes: float = 30) -> str:
    """sw.js with its constants filled in; the version changes whenever any shell file does."""
    template = minify("sw.js", (STATIC_DIR / "js" / "sw.js").read_bytes()).decode("utf-8")
    template = re.sub(r'\{"__HEADERS__":\s*""\}', lambda _: json.dumps(KEPT_PAGE_HEADERS), template)
    shell = shell_urls()
    # The offline and PIN pages are kept by URL, so their templates' words count in the version.
    pages = "".join((APP_DIR / "templates" / name).read_text(encoding="utf-8") for name in SHELL_TEMPLATES)
    mixed = template + json.dumps(shell) + pages + f"{max_age_hours}/{idle_minutes}"
    version = hashlib.sha256(mixed.encode()).hexdigest()[:12]
    return (
        template.replace('"__VERSION__"', json.dumps(version))
        .replace('["__SHELL__"]', json.dumps(shell))
        .replace('"__MAX_AGE_HOURS__"', str(max_age_hours))
        .replace('"__IDLE_MINUTES__"', str(idle_minutes))
    )


@router.get("/manifest.webmanifest", include_in_schema=False)
def manifest() -> Response:
    body = {
        "name": "Homeward",
        "short_name": "Homeward",
        "description": "Recording and reviewing work with families, with or without a signal.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": "#ffffff",
        "theme_color": "#1d4f63",
        "icons": ICONS,
    }
    return JSONResponse(body, media_type="application/manifest+json")


@router.get("/sw.js", include_in_schema=False)
def service_worker(request: Request) -> Response:
    settings = request.app.state.settings
    source = service_worker_source(settings.offline_cache_hours, settings.offline_lock_minutes)
    return Response(source, media_type="application/javascript", headers={"Cache-Control": "no-cache"})


@router.get("/offline", include_in_schema=False)
def offline_page(request: Request) -> Response:
    """The page the service worker shows for a page that is not kept on the device.

    It is precached once for everyone, so it carries no user's details, and it leaves any flash
    message for the page the person is about to see (the worker fetches it in the background).
    """
    request.state.flashes_read = True
    return render(request, "pwa/offline.html", {"user": None})


@router.api_route("/unlock", methods=["GET", "POST"], include_in_schema=False)
def unlock_page(request: Request) -> Response:
    """The PIN screen the service worker shows, offline, for a kept page while the device is locked.

    Precached for everyone like the offline page: it carries no user's details. The PIN never
    leaves the device (offline.js unwraps the device key with it); a post here (the form without
    its script) only explains that.
    """
    request.state.flashes_read = True
    status = 200 if request.method == "GET" else 400
    return render(request, "pwa/unlock.html", {"user": None}, status_code=status)
