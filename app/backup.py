"""Backups that restore: `homeward backup PATH` and `homeward restore PATH`.

SQLite is copied with its online backup API (a consistent copy while the app keeps serving, unlike
copying the file, which can catch a write half-done and misses the WAL). PostgreSQL uses pg_dump's
custom format and pg_restore, which must be installed where the command runs (the same major
version as the server, or newer).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


def _sqlite_path(database_url: str) -> str:
    return make_url(database_url).database or ""


def _libpq_url(database_url: str) -> str:
    """The URL as pg_dump reads it (no SQLAlchemy driver name)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} is not installed; install the PostgreSQL client tools to back up PostgreSQL.")
    return found


def backup(*, database_url: str, path: Path) -> None:
    """Write a consistent copy of the database to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if database_url.startswith("sqlite"):
        with sqlite3.connect(_sqlite_path(database_url)) as source, sqlite3.connect(path) as target:
            source.backup(target)
        return
    subprocess.run(
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={path}", _libpq_url(database_url)],
        check=True,
    )


def restore(*, database_url: str, path: Path) -> None:
    """Replace the database's contents with the backup at `path` (stop the app servers first)."""
    if not path.is_file():
        raise RuntimeError(f"There is no backup at {path}.")
    if database_url.startswith("sqlite"):
        with sqlite3.connect(path) as source, sqlite3.connect(_sqlite_path(database_url)) as target:
            source.backup(target)
        return
    subprocess.run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_libpq_url(database_url)}",
            str(path),
        ],
        check=True,
    )
