"""The demo copy that tests start from (tests/demo_copy.py) holds exactly what the loader made."""

from __future__ import annotations

from sqlalchemy import select, text

from app.models import load_all_models
from tests import demo_copy
from tests.conftest import empty_all_tables


def _every_row(session) -> dict[str, list[dict]]:
    connection = session.connection()
    rows = {}
    for table in load_all_models().metadata.sorted_tables:
        found = [dict(r) for r in connection.execute(select(table).order_by(*table.primary_key.columns)).mappings()]
        if found:
            rows[table.name] = found
    return rows


def test_the_copy_writes_back_every_row_the_loader_made(db, engine, settings):
    first = demo_copy.demo_service(session=db, settings=settings)
    db.commit()
    made = _every_row(db)
    db.close()
    empty_all_tables(engine)
    again = demo_copy.demo_service(session=db, settings=settings)
    db.commit()
    assert _every_row(db) == made
    assert len(made["case"]) >= 12 and len(made) > 30
    assert {k: c.id for k, c in again.cases.items()} == {k: c.id for k, c in first.cases.items()}
    assert again.users["worker"].email == "worker@example.org" and again.team.id == first.team.id
    if engine.dialect.name == "postgresql":
        # The next row a test adds takes the id the loader would have left next.
        next_id = db.connection().execute(text("SELECT nextval(pg_get_serial_sequence('\"case\"', 'id'))")).scalar()
        assert next_id == max(c["id"] for c in made["case"]) + 1
