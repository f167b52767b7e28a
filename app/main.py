"""create_app(): middleware, routers, static files, error handlers; nothing else."""

from __future__ import annotations

import gc
import logging
from collections.abc import Sequence

from fastapi import Depends, FastAPI
from starlette.middleware.gzip import GZipMiddleware

from app.accounts import feature as accounts
from app.admin import feature as admin
from app.assets import serve_static
from app.audit import feature as audit
from app.base import feature as base
from app.cases import feature as cases
from app.cases import page_cache
from app.config import Settings, get_settings
from app.core import feature as core
from app.db import make_engine
from app.diamond import feature as diamond
from app.endings import feature as endings
from app.errors import install_error_handlers, unexpected_error
from app.family import feature as family
from app.features import Feature, install
from app.forms import bounded_parameters
from app.network import feature as network
from app.outcomes import feature as outcomes
from app.pwa import feature as pwa
from app.review import feature as review
from app.security import passwords
from app.security.middleware import HomewardMiddleware
from app.signs_of_safety import feature as signs_of_safety
from app.sync import feature as sync
from app.sync.ledger import ledger
from app.templating import add_template_folder, templates
from app.timing import ServerTiming, count_statements

# Every feature, as an object: a typo or a missing hook fails at import, never silently. The
# order decides route precedence and the order of the case page's parts (docs/architecture.md).
FEATURES: tuple[Feature, ...] = (
    core.feature,
    accounts.feature,
    admin.feature,
    audit.feature,
    cases.feature,
    pwa.feature,
    sync.feature,
    signs_of_safety.feature,
    diamond.feature,
    family.feature,
    base.feature,
    network.feature,
    endings.feature,
    outcomes.feature,
    review.feature,
)


def configure(settings: Settings, features: Sequence[Feature] = FEATURES) -> None:
    """What an app sets for the whole process, apart from the app object: the hashing costs, the
    case-page cache's size, the installed features and their template folders (create_app calls
    it; a test that serves one app to many tests calls it again for each)."""
    passwords.configure(memory_kib=settings.argon2_memory_kib, time_cost=settings.argon2_time_cost)
    page_cache.pages.size = settings.case_page_cache_pages
    # Jinja checks each template file's time on disk every time it is used, so an edit shows at
    # once: wanted while developing, a wasted system call per template per page everywhere else.
    templates.env.auto_reload = settings.homeward_env == "development"
    install(features)
    for feature in features:
        if feature.templates is not None:
            add_template_folder(feature.templates)


def create_app(settings: Settings | None = None, engine=None, features: Sequence[Feature] = FEATURES) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = FastAPI(title="Homeward", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    configure(settings, features)
    app.state.engine = engine or make_engine(settings.database_url, connections=settings.database_connections)
    app.add_middleware(
        HomewardMiddleware,
        max_body_bytes=settings.max_body_bytes,
        hsts=settings.is_production,
        error_page=unexpected_error,
    )
    if settings.server_timing:  # statement counts for `make bench` and the browser's network panel
        count_statements(app.state.engine)
        app.add_middleware(ServerTiming)
    # Outermost: pages, scripts and styles go compressed even with no proxy in front (a tablet
    # on a weak signal downloads about a quarter of the bytes). No page carries a secret token
    # that a compression side channel could reveal: cross-site posts are refused by fetch metadata.
    # Level 1, as nginx's default: a 21.6 KB case page compresses to 5.6 KB in 0.48 ms of CPU
    # against 4.9 KB in 4.6 ms at Starlette's default of 9 (one run, load 13: the ratio is what
    # counts), the largest single cost of a cached case page. Static files are compressed once,
    # at level 9, by app/assets.py.
    app.add_middleware(GZipMiddleware, minimum_size=500, compresslevel=1)
    install_error_handlers(app)
    app.mount("/static", serve_static, name="static")
    # Starlette tries routes in the order they were included, one by one: the case page, the page a
    # worker opens most, is tried before the other features' routes rather than after some forty of
    # them (0.15-0.2 ms of a repeat view's 2.3, issue 21). No path two features serve could match
    # both: tests/test_routes.py checks that every route is reached by its own paths.
    for feature in sorted(features, key=lambda feature: feature.name != "cases"):
        if feature.router is not None:
            # The offline ledger applies to every route, so every data-offline form is applied once.
            # Integer parameters are bounded first, so an impossible id is a 404, never a 500.
            app.include_router(feature.router, dependencies=[Depends(bounded_parameters), ledger])
    return app


class _FreezeAfterWarmUp:
    """Python's full garbage collection walks every object the process keeps (the app, its
    modules, templates and compiled statements: 170,000-290,000 of them in a served worker after
    its first pages), 50-100 ms with the request waiting, about once in twenty page views in
    `make bench`: the p95 of the pages a supervisor opens. gc.freeze() moves what exists into a
    generation the collector never walks: once when the worker has built the app, and again after
    its first requests have built what is made on first use (each route's dependencies, each
    template, each statement). Objects freed by reference counting are still freed as before; only
    a cycle among objects alive at a freeze would be kept, once."""

    def __init__(self, app, after: int = 200) -> None:
        self.app, self.left = app, after
        gc.freeze()

    async def __call__(self, scope, receive, send):
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http" and self.left > 0:
                self.left -= 1
                if self.left == 0:
                    gc.collect()
                    gc.freeze()


def serve_app() -> _FreezeAfterWarmUp:
    """The app as `homeward serve` runs it in each worker process (app/cli.py)."""
    return _FreezeAfterWarmUp(create_app())
