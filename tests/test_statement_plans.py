"""How PostgreSQL plans the app's statements (issue 21): a statement run again and again on a
connection is planned once, not afresh on every run."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text
from sqlmodel import Session, select

from app.audit.models import AuditEntry
from tests.factories import make_user


def test_a_statement_with_a_limit_is_planned_once_for_all_its_runs(engine, db):
    """psycopg prepares a statement it has run five times; with LIMIT as a parameter PostgreSQL
    then planned it afresh on every run anyway (the kept plan cannot know how few rows are
    wanted): 0.27 ms of the database's time for the login session's lookup, 0.08 ms planned once."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps no plans to choose between")
    worker = make_user(db)
    db.commit()
    latest = select(AuditEntry.id).where(AuditEntry.user_id == worker.id).order_by(AuditEntry.id.desc()).limit(3)
    with Session(engine) as session:
        for _ in range(20):  # psycopg prepares it at the 6th; PostgreSQL weighs 5 runs
            session.exec(latest).all()
        plans = session.execute(
            text(
                # This statement's own: the pooled connection may have prepared others on the
                # audit log for earlier tests of this process (the suite once failed on one).
                "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
                " WHERE statement LIKE 'SELECT audit_entry.id %FROM audit_entry%WHERE audit_entry.user_id%LIMIT 3'"
            )
        ).all()
        session.rollback()
    assert len(plans) == 1, plans
    statement, generic, custom = plans[0]
    assert "LIMIT 3" in statement
    assert generic >= 10 and custom <= 5, (generic, custom)


def test_the_case_pages_long_flag_statement_is_converted_once_not_on_every_view(engine, db, settings):
    """psycopg keeps its conversion of a statement's placeholders only under a length limit
    (4 KB as shipped); the case page's one statement of flag figures is longer and was converted
    afresh on every first view (app/db.py raises the limit)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite: no psycopg")
    from psycopg import _queries

    from app.review.case_section import flags_for
    from tests.factories import make_case

    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        worker = make_user(db)
        case = make_case(db, worker=worker)
        db.commit()
        flags_for(session=db, case=case)
        before = _queries._query2pg.cache_info()
        flags_for(session=db, case=case)
        after = _queries._query2pg.cache_info()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert max(len(s) for s in seen) > 4096  # the flag statement: longer than psycopg keeps as shipped
    assert after.hits > before.hits and after.misses == before.misses


def test_a_results_columns_are_described_as_psycopg_describes_them_only_when_read(engine):
    """psycopg built every column's description after every statement, which SQLAlchemy asks for
    and then mostly does not read (about 2 µs a column, 190 columns a case page's first view);
    the app's cursor builds them when read, from the result they describe (app/db.py)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite: no psycopg")
    import psycopg

    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        plain = psycopg.Cursor(raw.driver_connection)
        query = "SELECT 1 AS one, 'two'::text AS two, now() AS three, NULL::numeric(5, 2) AS four"
        cursor.execute(query)
        plain.execute(query)
        described = cursor.description
        assert type(described) is not list  # not built yet
        cursor.execute("SELECT 5 AS other")  # the cursor moves on before the columns are read
        assert [tuple(c) for c in described] == [tuple(c) for c in plain.description]
        assert [c.name for c in described] == ["one", "two", "three", "four"]
        assert len(described) == 4 and described[-1].precision == 5
        assert cursor.description[0].name == "other"
        cursor.execute("SET LOCAL statement_timeout = 0")  # no rows: no description, as psycopg says
        assert cursor.description is None and plain.description is not None
        plain.execute("SET LOCAL statement_timeout = 0")
        assert plain.description is None
    finally:
        raw.rollback()
        raw.close()


def test_the_case_pages_flag_statement_is_not_written_afresh_for_each_run(engine, db):
    """The case page's one statement of flag figures took its team as an "expanding" list, which
    SQLAlchemy writes into the statement's text again on every run (a tenth of a millisecond of
    a first view's CPU for an 8 KB statement): the team is now a plain parameter."""
    from app import features
    from app.review.case_section import flags_for
    from tests.factories import make_case

    case = make_case(db, worker=make_user(db))
    db.commit()
    features._ONE_CASE_STATEMENTS.clear()
    flags_for(session=db, case=case)
    [(statement, _shapes, _instants)] = features._ONE_CASE_STATEMENTS.values()
    compiled = statement.compile(dialect=engine.dialect)
    assert not compiled.post_compile_params, sorted(p.key for p in compiled.post_compile_params)
