"""The demo service for tests that start from it, loaded once per test process and copied after.

`homeward demo` (app/demo.py) builds about 2,300 rows one flush at a time, which costs seconds on
PostgreSQL; some twenty tests start from it. The first call in a test process runs the real loader
and keeps every row it made; later calls on the same day with the same settings write those rows
back with one INSERT per table and set the id sequences where the loader left them, so the tables
hold exactly what the loader would make. Tests of the demo itself (tests/*/test_demo*.py) call the
real loader. The copy is keyed by the day because the demo's dates count back from today.
"""

from __future__ import annotations

from sqlalchemy import select, text
from sqlmodel import Session

from app.accounts.models import Team, User
from app.cases.models import Case, Person
from app.config import Settings
from app.demo import Demo, load_demo
from app.models import load_all_models
from app.timeutil import utcnow

_copies: dict[tuple, dict] = {}


def demo_service(*, session: Session, settings: Settings) -> Demo:
    """What `load_demo` makes, in an empty database, flushed (the test commits)."""
    key = (utcnow().date(), session.get_bind().dialect.name, settings.model_dump_json())
    copy = _copies.get(key)
    if copy is None:
        demo = load_demo(session=session, settings=settings)
        _copies.clear()
        _copies[key] = _take(session, demo)
        return demo
    return _write_back(session, copy)


def _take(session: Session, demo: Demo) -> dict:
    connection = session.connection()
    tables = {}
    for table in load_all_models().metadata.sorted_tables:
        # As stored (no ORDER BY): written back in that order, SQLite's rowids keep the order a test
        # reading without an ORDER BY would see (PostgreSQL promises no order either way).
        rows = connection.execute(select(table)).mappings().all()
        if rows:
            tables[table.name] = [dict(row) for row in rows]
    sequences = []
    if connection.dialect.name == "postgresql":
        sequences = connection.execute(
            text("SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences WHERE last_value IS NOT NULL")
        ).all()
    return {
        "tables": tables,
        "sequences": [tuple(s) for s in sequences],
        "team": demo.team.id,
        "users": {key: user.id for key, user in demo.users.items()},
        "cases": {key: case.id for key, case in demo.cases.items()},
        "people": {key: [person.id for person in people] for key, people in demo.people.items()},
        "today": demo.today,
    }


def _write_back(session: Session, copy: dict) -> Demo:
    connection = session.connection()
    for table in load_all_models().metadata.sorted_tables:
        rows = copy["tables"].get(table.name)
        if rows:
            connection.execute(table.insert(), rows)
    for name, value in copy["sequences"]:
        connection.execute(text("SELECT setval(CAST(:name AS regclass), :value, true)"), {"name": name, "value": value})
    return Demo(
        team=session.get(Team, copy["team"]),
        users={key: session.get(User, id_) for key, id_ in copy["users"].items()},
        cases={key: session.get(Case, id_) for key, id_ in copy["cases"].items()},
        people={key: [session.get(Person, id_) for id_ in ids] for key, ids in copy["people"].items()},
        today=copy["today"],
    )
