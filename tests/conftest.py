"""Test set-up: a real database (SQLite by default, PostgreSQL when HOMEWARD_TEST_DATABASE_URL is
set), emptied before every test, and the real app served through httpx.

Tables are created once per run from the models (the migration test checks the migrations make the
same schema); each test starts from empty tables, which is much faster than re-creating them.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import traceback

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session
from starlette.testclient import TestClient

from app.config import Settings
from app.db import make_engine
from app.features import install
from app.main import FEATURES, configure, create_app
from app.models import load_all_models
from app.security import passwords

IN_CI = os.environ.get("CI", "").lower() == "true"

# Hashing costs a test does not measure: at production costs one Argon2 password or PIN hash takes
# about half a second of a shared core, and the suite hashes and checks hundreds. Lowered through
# the environment, so every Settings() a test makes (and a command it runs) has them, before
# tests.factories hashes its shared password; tests/test_configuration.py checks the defaults.
os.environ.setdefault("ARGON2_MEMORY_KIB", "2048")
os.environ.setdefault("ARGON2_TIME_COST", "1")
passwords.configure(memory_kib=Settings().argon2_memory_kib, time_cost=Settings().argon2_time_cost)


def worker_database_url(url: str) -> str:
    """The PostgreSQL database this pytest-xdist worker owns (test_gw0, test_gw1…), created if new.

    Workers run in parallel and each empties every table before each test, so they cannot share one
    database. Without xdist the named database itself is used.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base, _, rest = url.rpartition("/")
    name, _, query = rest.partition("?")
    own = f"{name}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": own}).first()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{own}"'))
    finally:
        admin.dispose()
    return f"{base}/{own}" + (f"?{query}" if query else "")


def test_database_url(tmp_path_factory) -> str:
    url = os.environ.get("HOMEWARD_TEST_DATABASE_URL")
    if url:
        return worker_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return test_database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def engine(database_url):
    metadata = load_all_models().metadata
    engine = make_engine(database_url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def empty_all_tables(engine) -> None:
    """Delete every row, children first, and start the id sequences again.

    DELETE, not TRUNCATE, on PostgreSQL too: TRUNCATE makes new files for every table, about 0.7 s
    a test on this machine against 0.03 s for deleting the few rows a test made.
    """
    for attempt in range(5):
        try:
            _delete_every_row(engine)
            return
        except (IntegrityError, OperationalError) as error:
            # A request the previous browser test's page sent just before its tab closed can still
            # be committing on the shared live server (a device's key or sync call): a row it adds
            # between two of the DELETEs breaks a foreign key, or its row locks and the DELETEs'
            # meet in a deadlock PostgreSQL ends by refusing the DELETEs (seen once in CI). Once
            # it has finished, start again.
            deadlock = getattr(error.orig, "sqlstate", None) == "40P01"  # PostgreSQL's deadlock_detected
            if attempt == 4 or (isinstance(error, OperationalError) and not deadlock):
                raise
            time.sleep(0.2)


def _delete_every_row(engine) -> None:
    metadata = load_all_models().metadata
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(";".join(f'DELETE FROM "{t.name}"' for t in reversed(metadata.sorted_tables))))
            sequences = connection.execute(text("SELECT schemaname || '.' || sequencename FROM pg_sequences")).all()
            if sequences:
                connection.execute(text("SELECT " + ", ".join(f"setval('{s}', 1, false)" for (s,) in sequences)))
        else:
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def settings(database_url) -> Settings:
    return Settings(
        homeward_env="test",
        database_url=database_url,
        secret_key="test-secret-key-long-enough-for-tests-0123456789",
        pin_kdf_iterations=1_000,
    )


@pytest.fixture
def db(engine):
    """A session on an empty database; commit what you create so the app's requests see it."""
    empty_all_tables(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session


# One app per test process for each settings, handed to every test that asks for `app` with the
# same settings: FastAPI builds each router's routes (their dependencies and parameter models) on
# an app's first requests, 0.1-0.3 s of CPU that every test paid again on a new app. The app holds
# no state of its own beyond its settings and engine (the database is emptied before each test);
# a test that changes the app (its settings, routes, middleware or overrides) gets a new one after.
_APPS: dict[tuple[str, int], object] = {}


def _fingerprint(app) -> tuple:
    return (
        tuple((k, id(v)) for k, v in sorted(vars(app.state)["_state"].items())),
        len(app.router.routes),
        len(app.user_middleware),
        bool(app.dependency_overrides),
    )


@pytest.fixture
def app(settings, engine, db):
    key = (settings.model_dump_json(), id(engine))
    app = _APPS.get(key)
    if app is None:
        app = _APPS[key] = create_app(settings, engine=engine)
    else:
        app.state.settings = settings  # this test's own object, equal to the one it was made with
        configure(settings, FEATURES)  # what create_app sets for the whole process
    before = _fingerprint(app)
    yield app
    if _fingerprint(app) != before:
        _APPS.pop(key, None)


@pytest.fixture
def client(app):
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client


@pytest.fixture(autouse=True)
def features():
    """The app's own features, installed for services used without an app (create_app installs them too)."""
    install(FEATURES)
    yield FEATURES
    install(FEATURES)


# ---------------------------------------------------------------- no database work on the event loop
#
# A statement run on a thread where an event loop is running blocks every request of the process
# while it runs, and one waiting there for a lock another request holds (the case writers' lock,
# app/locks.py) waits for ever: that request's commit needs the same loop. Every route does its
# database work in the thread pool (a plain `def` route or dependency, or `in_one_hop`); this
# catches any statement that does not, in every test that serves the app. The main thread is left
# out: no test serves the app there (TestClient, the browser tests' server and the served-app
# tests run their loops in threads of their own), and after a browser test Playwright's loop stays
# "running" in it while the test's own code sets data up.

_ON_THE_LOOP: list[str] = []
_ALLOW_ON_THE_LOOP = False  # tests/test_event_loop.py's test of the safety net, alone


@event.listens_for(Engine, "before_cursor_execute")
def _refuse_statements_on_the_event_loop(_connection, _cursor, statement, *_args) -> None:
    if _ALLOW_ON_THE_LOOP or threading.current_thread() is threading.main_thread():
        return
    if asyncio._get_running_loop() is None:
        return
    ours = [f for f in traceback.extract_stack()[:-1] if "site-packages" not in f.filename]
    where = "".join(traceback.format_list(ours[-8:]))
    _ON_THE_LOOP.append(f"{statement[:200]}\n{where}")
    raise AssertionError(f"a database statement ran on the event loop: {statement[:200]}")


@pytest.fixture(autouse=True)
def _no_statements_on_the_event_loop():
    _ON_THE_LOOP.clear()
    yield
    found, _ON_THE_LOOP[:] = list(_ON_THE_LOOP), []
    assert not found, "database statements ran on the event loop:\n\n" + "\n\n".join(found[:3])
