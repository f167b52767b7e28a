"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from app.cli import _alembic_config
from app.models import load_all_models
from tests.conftest import worker_database_url


@pytest.fixture
def empty_database_url(tmp_path):
    url = os.environ.get("HOMEWARD_TEST_DATABASE_URL")
    if url:
        url = worker_database_url(url)
    if not url:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    # A database of its own, so the suite's tables are not disturbed.
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    # Named after the suite's database, so parallel runs on one server do not collide.
    name = url.rsplit("/", 1)[1].split("?")[0] + "_migration_check"
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    yield url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_upgrade_head_matches_models_with_no_autogenerate_difference(empty_database_url):
    config = _alembic_config()
    config.attributes["database_url"] = empty_database_url
    command.upgrade(config, "head")
    engine = create_engine(empty_database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, load_all_models().metadata)
        tables = set(connection.dialect.get_table_names(connection))
    engine.dispose()
    assert differences == []
    assert {"user", "team", "case", "audit_entry", "user_session"} <= tables


def test_downgrade_to_base_and_up_again(empty_database_url):
    config = _alembic_config()
    config.attributes["database_url"] = empty_database_url
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")
