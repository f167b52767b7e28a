"""Issue 18: search finds names typed without accents and by the name a young person goes by."""

from __future__ import annotations

from datetime import date, datetime

from alembic import command
from sqlalchemy import MetaData, Table, create_engine, text

from app.cli import _alembic_config
from app.core.text import fold
from tests.factories import login, make_case, make_user
from tests.test_migrations import empty_database_url  # noqa: F401 (a fixture: a database of its own)


def test_fold_takes_off_accents_and_case():
    assert fold("  Wiśniewska ") == "wisniewska"
    assert fold("Zoë") == "zoe" and fold("Nguyễn Thị Minh") == "nguyen thi minh"
    assert fold("Łukasz Søren Straße") == "lukasz soren strasse"


def test_caseload_search_finds_names_without_accents_and_by_preferred_name(client, db, settings):
    worker = make_user(db)
    make_case(db, worker=worker, young_person_name="Wiktoria Wiśniewska")
    make_case(db, worker=worker, young_person_name="Zoelle Adeyemi", preferred_name="Zoë")
    make_case(db, worker=worker, young_person_name="Minh Nguyễn")
    make_case(db, worker=worker, young_person_name="Tyler Brooks", reference="HW-2025-0777")
    db.commit()
    login(client, db, worker, settings)

    def found(q: str) -> set[str]:
        page = client.get("/", params={"q": q}).text
        names = ("Wiśniewska", "Zoë", "Nguyễn", "Tyler Brooks")
        return {n for n in names if n in page}

    assert found("Wisniewska") == {"Wiśniewska"}
    assert found("zoe") == {"Zoë"}
    assert found("Nguyen") == {"Nguyễn"}
    assert found("NGUYỄN") == {"Nguyễn"}
    assert found("2025-0777") == {"Tyler Brooks"}
    assert found("50%") == set()  # a wildcard typed is a character, not "anything"


def test_a_renamed_case_is_found_by_its_new_name(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker, young_person_name="Jo Smith")
    db.commit()
    case.preferred_name = "Zoë"
    db.add(case)
    db.commit()
    login(client, db, worker, settings)
    assert case.reference in client.get("/", params={"q": "zoe"}).text


def _insert(connection, table_name: str, **values) -> int:
    """A row as the schema at that revision needs it: every other NOT NULL column gets a plain value."""
    table = MetaData().tables.get(table_name) or Table(table_name, MetaData(), autoload_with=connection)
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key or column.server_default is not None:
            continue
        python_type = column.type.python_type
        values[column.name] = {
            bool: True,
            int: 1,
            str: "x",
            datetime: datetime(2026, 1, 1),
            date: date(2026, 1, 1),
        }.get(python_type, "{}" if python_type in (dict, list) else "x")
    return connection.execute(table.insert().values(**values).returning(table.c.id)).scalar()


def test_the_migration_fills_the_search_column_for_cases_already_there(empty_database_url):  # noqa: F811
    config = _alembic_config()
    config.attributes["database_url"] = empty_database_url
    command.upgrade(config, "0020")
    engine = create_engine(empty_database_url)
    with engine.begin() as connection:
        team_id = _insert(connection, "team", name="North")
        user_id = _insert(connection, "user", email="w@example.org", role="worker", team_id=team_id)
        _insert(
            connection,
            "case",
            reference="HW-2026-0001",
            young_person_name="Wiktoria Wiśniewska",
            preferred_name="Wiki",
            key_worker_id=user_id,
            team_id=team_id,
        )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        stored = connection.execute(text('SELECT search_text FROM "case"')).scalar()
    engine.dispose()
    assert stored == "wiktoria wisniewska wiki hw-2026-0001"
