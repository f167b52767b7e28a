"""Count SQL statements, to prove a page's queries stay constant as data grows (no N+1)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def count_queries(engine):
    statements: list[str] = []

    def _before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", _before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _before)


def indexes_used(session, statement) -> list[str]:
    """The indexes PostgreSQL's plan for `statement` scans (its parameters written in), in plan order."""
    sql = statement.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True})
    plan = session.connection().exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}").scalar()
    return _index_scans(plan[0]["Plan"])


def _index_scans(node: dict) -> list[str]:
    found = [node["Index Name"]] if "Index Name" in node else []
    for child in node.get("Plans", []):
        found += _index_scans(child)
    return found
