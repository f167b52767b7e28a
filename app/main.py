"""create_app(): middleware, routers, static files, error handlers; nothing else."""

from __future__ import annotations

import importlib
import logging

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware

from app.config import Settings, get_settings
from app.db import make_engine
from app.errors import install_error_handlers, unexpected_error
from app.security.middleware import HomewardMiddleware
from app.sync.ledger import ledger
from app.templating import STATIC_DIR

# Each feature package may have routes.py with a `router`; order decides route precedence.
FEATURES = [
    "core",
    "accounts",
    "admin",
    "audit",
    "cases",
    "pwa",
    "sync",
    "signs_of_safety",
    "diamond",
    "family",
    "base",
    "network",
    "endings",
    "review",
    "outcomes",
]


def create_app(settings: Settings | None = None, engine=None) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = FastAPI(title="Homeward", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url)
    app.add_middleware(
        HomewardMiddleware,
        max_body_bytes=settings.max_body_bytes,
        hsts=settings.is_production,
        error_page=unexpected_error,
    )
    # Outermost: pages, scripts and styles go compressed even with no proxy in front (a tablet
    # on a weak signal downloads about a quarter of the bytes). No page carries a secret token
    # that a compression side channel could reveal: cross-site posts are refused by fetch metadata.
    app.add_middleware(GZipMiddleware, minimum_size=500)
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for feature in FEATURES:
        try:
            module = importlib.import_module(f"app.{feature}.routes")
        except ModuleNotFoundError as exc:
            if exc.name in (f"app.{feature}", f"app.{feature}.routes"):
                continue
            raise
        # The offline ledger applies to every route, so every data-offline form is applied once.
        app.include_router(module.router, dependencies=[ledger])
    return app
