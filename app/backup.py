"""Backups that restore: `homeward backup PATH` and `homeward restore PATH`.

SQLite is copied with its online backup API (a consistent copy while the app keeps serving, unlike
copying the file, which can catch a write half-done and misses the WAL). PostgreSQL uses pg_dump's
custom format and pg_restore, which must be installed where the command runs (the same major
version as the server, or newer).

The database password never goes on the tools' command line, where every user of the machine can
read it in the process list (`ps`), nor into a failure's message, which ends up in cron mail and
logs: the tools get it in PGPASSWORD (https://www.postgresql.org/docs/current/libpq-envars.html).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import make_url


def _sqlite_path(database_url: str) -> str:
    return make_url(database_url).database or ""


def _libpq(database_url: str) -> tuple[str, str | None]:
    """The URL as pg_dump reads it (no SQLAlchemy driver name) without its password, and the password."""
    url = make_url(database_url).set(drivername="postgresql")
    password = None if url.password is None else str(url.password)
    # URL.set() skips a None, so the password is dropped with the named tuple's own _replace.
    return url._replace(password=None).render_as_string(hide_password=False), password


def _run(tool: str, arguments: list[str], *, password: str | None) -> None:
    """Run a PostgreSQL client tool; a failure says how it ended and what the tool said, never the password."""
    env = {**os.environ, "PGPASSWORD": password} if password is not None else None
    result = subprocess.run([_pg_tool(tool), *arguments], env=env, capture_output=True, text=True, check=False)
    said = result.stderr.strip()
    if password:
        said = said.replace(password, "***")
    if result.returncode != 0:
        raise RuntimeError(f"{tool} exited with code {result.returncode}" + (f": {said}" if said else "."))
    if said:
        print(said, file=sys.stderr)


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
    url, password = _libpq(database_url)
    _run("pg_dump", ["--format=custom", "--no-owner", f"--file={path}", url], password=password)


def restore(*, database_url: str, path: Path) -> None:
    """Replace the database's contents with the backup at `path` (stop the app servers first)."""
    if not path.is_file():
        raise RuntimeError(f"There is no backup at {path}.")
    if database_url.startswith("sqlite"):
        with sqlite3.connect(path) as source, sqlite3.connect(_sqlite_path(database_url)) as target:
            source.backup(target)
        return
    url, password = _libpq(database_url)
    _run(
        "pg_restore",
        ["--clean", "--if-exists", "--no-owner", "--single-transaction", f"--dbname={url}", str(path)],
        password=password,
    )
