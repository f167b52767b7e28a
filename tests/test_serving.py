"""The app as `homeward serve` runs it in each worker (app.main.serve_app): what the worker has
built is frozen out of Python's full garbage collections, which otherwise walked it all with a
request waiting (docs/performance.md, "Garbage collection"). tests/test_two_servers.py runs the
real `homeward serve` processes."""

from __future__ import annotations

import gc

from starlette.testclient import TestClient

from app.main import _FreezeAfterWarmUp, configure
from app.templating import templates


def test_a_worker_freezes_the_app_at_start_and_what_its_first_requests_built(app, db):
    gc.unfreeze()
    try:
        served = _FreezeAfterWarmUp(app, after=3)
        at_start = gc.get_freeze_count()
        assert at_start > 10_000  # the app, its modules and templates
        with TestClient(served, follow_redirects=False) as client:
            for _ in range(2):
                assert client.get("/login").status_code == 200
            # Nothing is added before the third request (frozen objects that die still go).
            before = gc.get_freeze_count()
            assert before <= at_start
            assert client.get("/login").status_code == 200
            warmed = gc.get_freeze_count()
            assert warmed > before
            # Once only: later requests are served as before and freeze nothing more.
            for _ in range(3):
                assert client.get("/login").status_code == 200
            assert gc.get_freeze_count() <= warmed
    finally:
        gc.unfreeze()


def test_templates_are_read_again_when_changed_only_while_developing(settings):
    try:
        configure(settings.model_copy(update={"homeward_env": "production"}))
        assert templates.env.auto_reload is False
        configure(settings.model_copy(update={"homeward_env": "development"}))
        assert templates.env.auto_reload is True
    finally:
        configure(settings)
    assert templates.env.auto_reload is False  # tests, as production: no check on every use


def test_a_served_app_works_on_as_many_requests_at_once_as_it_keeps_database_connections(settings):
    # More threads than connections made the rest wait for one, or open one of the pool's overflow
    # and close it again: a new PostgreSQL server process per such request (docs/performance.md).
    from anyio import to_thread

    from app.main import create_app

    served = create_app(settings.model_copy(update={"database_connections": 7}))
    try:
        with TestClient(served) as client:
            assert client.portal.call(lambda: to_thread.current_default_thread_limiter().total_tokens) == 7
            assert client.get("/healthz").status_code == 200
        if served.state.engine.dialect.name == "postgresql":
            assert served.state.engine.pool.size() == 7
    finally:
        served.state.engine.dispose()
