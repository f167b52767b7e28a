"""Test set-up: a real database (SQLite by default, PostgreSQL when HOMEWARD_TEST_DATABASE_URL is
set), emptied before every test, and the real app served through httpx.

Tables are created once per run from the models (the migration test checks the migrations make the
same schema); each test starts from empty tables, which is much faster than re-creating them.
"""
from __future__ import annotations

import os

import pytest
from sqlalchemy import text
from sqlmodel import Session
from starlette.testclient import TestClient

from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.models import load_all_models

IN_CI = os.environ.get("CI", "").lower() == "true"


def test_database_url(tmp_path_factory) -> str:
    url = os.environ.get("HOMEWARD_TEST_DATABASE_URL")
    if url:
        return url
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
    metadata = load_all_models().metadata
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def settings(database_url) -> Settings:
    return Settings(homeward_env="test", database_url=database_url, secret_key="test-secret-key-long-enough-for-tests-0123456789")


@pytest.fixture
def db(engine):
    """A session on an empty database; commit what you create so the app's requests see it."""
    empty_all_tables(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def app(settings, engine, db):
    return create_app(settings, engine=engine)


@pytest.fixture
def client(app):
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client
