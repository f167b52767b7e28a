"""Alembic environment: the URL comes from our settings (or the caller), the models from app.models."""

from __future__ import annotations

from alembic import context

from app.config import get_settings
from app.db import make_engine
from app.models import load_all_models

config = context.config
target_metadata = load_all_models().metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.attributes.get("database_url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch mode copies a table and drops the old one; with SQLite's foreign keys enforced
            # (make_engine turns them on) the drop is refused while other tables' rows point at it.
            # Off for the run (outside any transaction, as SQLite requires), and checked after it (_run).
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        _run(connection)
        connection.commit()
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode rebuilds tables so one migration fits both.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    sqlite = connection.dialect.name == "sqlite"
    # Rows whose foreign keys did not hold before the run (a hand edit, an import) are not the run's
    # doing: only rows it broke stop it, named (SQLite's DDL is not undone: the migration that
    # broke them stands, and the message says which rows to put right).
    before = set(connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()) if sqlite else set()
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = set(connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()) - before
            if broken:
                raise RuntimeError(f"the migration left rows whose foreign keys do not hold: {sorted(broken)[:5]}")


run_migrations()
