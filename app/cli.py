"""The `homeward` command: serve, migrate, demo, create-user, tick, backup, restore, audit verify."""

from __future__ import annotations

import argparse
import fcntl
import getpass
import sqlite3
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from app.accounts import service as accounts_service
from app.accounts.models import Team, User
from app.audit.chain import verify as verify_audit_chain
from app.backup import backup, restore
from app.config import ROOT, get_settings
from app.db import make_engine
from app.demo import DEMO_PASSWORD, load_demo
from app.endings.scheduled import tick as endings_tick
from app.locks import try_lock
from app.outcomes.scheduled import tick as outcomes_tick
from app.review.oversight import keep_week as keep_flag_week
from app.security import passwords
from app.security.sessions import end_every_session
from app.timeutil import local


def _alembic_config():
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return config


# The advisory lock's number for `homeward migrate` (20_020 is the case writers' lock and, in its two-key form, the audit lanes'; 20_021 the tick's).
MIGRATE_LOCK = 20_022


def migrate(database_url: str | None = None) -> None:
    """Apply every migration to the configured database.

    The upgrade runs under a lock (PostgreSQL: an advisory lock; SQLite: a file lock beside the
    database), so several app containers starting at once (each runs `homeward migrate` before
    serving) take turns: the first migrates, the others wait and then find it up to date.
    """
    from alembic import command

    config = _alembic_config()
    url = database_url or get_settings().database_url
    if database_url:
        config.attributes["database_url"] = database_url
    if not url.startswith("postgresql"):
        database = make_url(url).database
        if not database or database == ":memory:":
            command.upgrade(config, "head")
            return
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        with open(Path(f"{database}.migrate-lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                command.upgrade(config, "head")
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATE_LOCK})
            connection.commit()
            try:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                connection.commit()
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATE_LOCK})
                connection.commit()
    finally:
        engine.dispose()


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    settings = get_settings()
    port = args.port or settings.port
    # uvicorn's access log prints query strings (a search for a name); the app logs requests itself.
    print(f"Homeward is running at http://{settings.host}:{port}/", flush=True)
    uvicorn.run(
        "app.main:serve_app",
        factory=True,
        host=settings.host,
        port=port,
        workers=args.workers,
        # A worker answers the parent's health check only once the app is imported (a few seconds,
        # many more on a busy machine); uvicorn's 5 s default killed workers in a loop under load.
        timeout_worker_healthcheck=60,
        proxy_headers=True,
        log_level="info",
        access_log=False,
    )


def cmd_migrate(args: argparse.Namespace) -> None:
    migrate()
    print("Database is up to date.")


DEMO_EMAILS = (
    "worker@example.org",
    "worker2@example.org",
    "worker3@example.org",
    "supervisor@example.org",
    "manager@example.org",
    "admin@example.org",
)


def _print_demo_accounts() -> None:

    print(f"Demo accounts (password: {DEMO_PASSWORD}):")
    for email in DEMO_EMAILS:
        print(f"  {email}")


def cmd_demo(args: argparse.Namespace) -> None:
    from sqlmodel import Session, select

    settings = get_settings()
    if settings.is_production:
        sys.exit("Refusing to load demo data when HOMEWARD_ENV=production.")
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        if args.if_empty and session.exec(select(User.id).limit(1)).first() is not None:
            print("Database already has data; demo not loaded.")
            if session.exec(select(User.id).where(User.email == DEMO_EMAILS[0])).first() is not None:
                _print_demo_accounts()
            return
        load_demo(session=session, settings=settings)
        session.commit()
    engine.dispose()
    print("Demo data loaded.")
    _print_demo_accounts()


def cmd_create_user(args: argparse.Namespace) -> None:
    from sqlmodel import Session, select

    engine = make_engine(get_settings().database_url)
    password = args.password or getpass.getpass("Password: ")
    with Session(engine) as session:
        team_id = None
        if args.team:
            team = session.exec(select(Team).where(Team.name == args.team)).first() or Team(name=args.team)
            session.add(team)
            session.flush()
            team_id = team.id
        try:
            user = accounts_service.create_user(
                session=session,
                email=args.email,
                full_name=args.name,
                role=args.role,
                team_id=team_id,
                password=password,
            )
        except accounts_service.AccountError as exc:
            sys.exit(str(exc))
        session.commit()
        print(f"Created {user.role} {user.email}.")


# The advisory lock's number for `homeward tick` (app/locks.py and app/audit/chain.py use 20_020 for their own).
TICK_LOCK = 20_021
TICK_BUSY = "Another 'homeward tick' is running on this database; this one did nothing."


def tick_lock(engine: Engine):
    """Whether this process may run the scheduled work now: one `homeward tick` at a time per
    database, however many app containers run the schedule. Never waits: a tick that finds the
    lock taken does nothing (the running one does the work, and the next scheduled one follows)."""
    return try_lock(engine, TICK_LOCK, "tick")


def cmd_tick(args: argparse.Namespace) -> None:
    from datetime import UTC, datetime

    from sqlmodel import Session

    settings = get_settings()
    now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    engine = make_engine(settings.database_url)
    with tick_lock(engine) as mine:
        if not mine:
            engine.dispose()
            print(TICK_BUSY)
            return
        with Session(engine) as session:
            result = endings_tick(
                session=session,
                now=now,
                max_dormancy_months=settings.max_dormancy_months,
                dormant_review_months=settings.dormant_review_months,
            )
            follow_ups = outcomes_tick(session=session, now=now)
            kept = keep_flag_week(session=session, settings=settings, today=local(now).date(), now=now)
            session.commit()
    engine.dispose()
    print(f"Prompts raised: {result.raised}; resolved: {result.resolved}.")
    print(f"Outcome follow-ups raised: {follow_ups}.")
    print(f"Flag counts kept for the week: {kept}.")


def cmd_audit_verify(args: argparse.Namespace) -> None:
    """Walk the audit log's hash chain; exit 1 naming the first broken link."""
    from sqlmodel import Session

    engine = make_engine(get_settings().database_url)
    with Session(engine) as session:
        verdict = verify_audit_chain(session=session)
    engine.dispose()
    older = f" ({verdict.before_chain} older entries from before the chain began)" if verdict.before_chain else ""
    if not verdict.ok:
        sys.exit(
            f"Audit chain broken at entry {verdict.broken_at}: {verdict.reason}. {verdict.checked} entries before it hold."
        )
    lanes = f" in {verdict.lanes} lanes" if verdict.lanes > 1 else ""
    print(f"Audit chain holds: {verdict.checked} entries checked{lanes}{older}.")


def cmd_backup(args: argparse.Namespace) -> None:

    try:
        backup(database_url=get_settings().database_url, path=Path(args.path))
    except (RuntimeError, sqlite3.Error) as exc:
        sys.exit(f"Backup failed: {exc}")
    print(f"Backed up to {args.path}.")


def cmd_restore(args: argparse.Namespace) -> None:
    from sqlmodel import Session

    database_url = get_settings().database_url
    try:
        restore(database_url=database_url, path=Path(args.path))
    except (RuntimeError, sqlite3.Error) as exc:
        sys.exit(f"Restore failed: {exc}")
    # The backup's sessions come back as they were when it was taken: one logged out, or of an
    # account disabled, since then would work again. Everyone logs in afresh instead.
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            ended = end_every_session(session=session)
            session.commit()
    except SQLAlchemyError as exc:
        sys.exit(
            f"Restored from {args.path}, but its sessions could not be ended ({getattr(exc, 'orig', None) or exc}). "
            "Stop the app servers, run `homeward migrate`, then `homeward restore` again."
        )
    finally:
        engine.dispose()
    print(f"Restored from {args.path}. Every session was ended ({ended} open in the backup): everyone logs in again.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="homeward", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    demo = sub.add_parser("demo", help="load fictional demo data (never in production)")
    demo.add_argument("--if-empty", action="store_true", help="only when the database has no users")
    demo.set_defaults(func=cmd_demo)
    create = sub.add_parser("create-user", help="create an account")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", choices=["worker", "supervisor", "manager", "admin"], default="admin")
    create.add_argument("--team", default=None)
    create.add_argument("--password", default=None, help="prompted for when omitted")
    create.set_defaults(func=cmd_create_user)
    tick = sub.add_parser(
        "tick",
        help="raise dormant-review, maximum-dormancy, engagement and outcome follow-up prompts (safe to repeat; run from cron)",
    )
    tick.add_argument("--now", default=None, help="run as if at this ISO date-time (UTC unless it says otherwise)")
    tick.set_defaults(func=cmd_tick)
    backup = sub.add_parser("backup", help="write a consistent copy of the database to PATH")
    backup.add_argument("path")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="replace the database's contents with the backup at PATH")
    restore.add_argument("path")
    restore.set_defaults(func=cmd_restore)
    audit = sub.add_parser("audit", help="check the audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser(
        "verify", help="verify the audit log's hash chain (exit 1 at the first broken link)"
    ).set_defaults(func=cmd_audit_verify)
    args = parser.parse_args(argv)
    settings = get_settings()
    passwords.configure(memory_kib=settings.argon2_memory_kib, time_cost=settings.argon2_time_cost)
    args.func(args)


if __name__ == "__main__":
    main()
