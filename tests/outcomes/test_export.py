"""The evaluator export: nothing that identifies anyone, stable ids, a valid data package, managers only."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date

from sqlalchemy import String
from sqlmodel import select

from app.audit.models import AuditEntry
from app.locks import try_lock
from app.models import load_all_models
from app.outcomes.routes_scorecard import EXPORT_LOCK
from tests.demo_copy import demo_service
from tests.factories import login, make_user
from tests.outcomes.datapackage_check import validate

# Columns that hold codes, ids or our own fixed wording, not anything a person wrote or is named by.
LONG_TEXT = 60
CODE = re.compile(r"[a-z0-9_]+|\$.*")  # a stored code such as "young_person", or a password hash


def _download(client) -> zipfile.ZipFile:
    response = client.post("/outcomes/export")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def _is_text(column) -> bool:
    kind = column.type
    return isinstance(getattr(kind, "impl", kind), String) or isinstance(kind, String)


def _everything_personal(db) -> set[str]:
    """Every name, contact detail, date of birth and free text in the database (the demo's data)."""
    values: set[str] = set()
    for table in load_all_models().metadata.sorted_tables:
        columns = [c for c in table.columns if _is_text(c) and (getattr(c.type, "length", None) or 10_000) >= LONG_TEXT]
        columns += [c for c in table.columns if c.name in ("phone", "email", "date_of_birth", "reference")]
        if not columns:
            continue
        for row in db.execute(select(*columns)).all():
            for value in row:
                if isinstance(value, date):
                    values |= {value.isoformat(), value.strftime("%d/%m/%Y")}
                elif isinstance(value, str) and len(value.strip()) >= 4 and not CODE.fullmatch(value):
                    values.add(value.strip())
    return values


def test_export_holds_no_name_phone_birth_date_or_free_text_and_ids_are_stable(client, db, settings):
    demo_service(session=db, settings=settings)
    db.commit()
    personal = _everything_personal(db)
    assert "Kayla Morgan" in personal and len(personal) > 200
    manager = make_user(db, role="manager", email="export-manager@example.org")
    login(client, db, manager, settings)
    first, second = _download(client), _download(client)
    contents = {name: first.read(name).decode("utf-8") for name in first.namelist()}
    assert set(contents) == {
        "datapackage.json",
        "cases.csv",
        "outcome_records.csv",
        "ratings.csv",
        "contacts_summary.csv",
        "events.csv",
        "endings.csv",
    }
    for name, text in contents.items():
        if name == "datapackage.json":
            continue
        cells = {cell for row in csv.reader(io.StringIO(text)) for cell in row}
        # A value is found if it is a whole cell, or, having words or digits, anywhere in the file.
        found = [v for v in personal if v in cells or ((" " in v or any(ch.isdigit() for ch in v)) and v in text)]
        assert found == [], f"{name} holds {found[:5]}"
    assert contents["cases.csv"].count("\n") > 10  # the demo's cases are all there
    assert all(first.read(n) == second.read(n) for n in first.namelist())  # the same ids both times
    assert validate(first) == []
    entries = db.exec(select(AuditEntry).where(AuditEntry.object_type == "evaluator_export")).all()
    assert len(entries) == 2 and "tables=cases" in entries[0].detail


def test_ids_change_with_the_services_secret(client, db, settings):
    from app.outcomes.export_rows import id_key, pseudonym

    assert pseudonym(id_key("one secret" * 4), "case", 1) != pseudonym(id_key("another" * 6), "case", 1)
    assert pseudonym(id_key("one secret" * 4), "case", 1) == pseudonym(id_key("one secret" * 4), "case", 1)


def test_the_check_finds_a_broken_package():
    from app.outcomes.export_fields import descriptor

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        import json

        archive.writestr("datapackage.json", json.dumps(descriptor()))
        archive.writestr("cases.csv", "case_id,team_id\nnot-a-hash,x\n")
    problems = validate(zipfile.ZipFile(buffer))
    assert any("header does not match" in p for p in problems)
    assert any("outcome_records.csv is not in the ZIP" in p for p in problems)


def test_only_managers_may_export(client, db, settings):
    supervisor = make_user(db, role="supervisor")
    login(client, db, supervisor, settings)
    assert client.post("/outcomes/export").status_code == 403
    assert client.get("/outcomes/export").status_code == 403
    assert db.exec(select(AuditEntry).where(AuditEntry.object_type == "evaluator_export")).all() == []


def test_a_second_export_while_one_is_being_prepared_waits_its_turn(client, db, settings, engine):
    """One export at a time across every app process (the lock is the database's, not this
    process's): a second manager is told to try again, nothing is streamed or audited for them."""
    manager = make_user(db, role="manager", email="export-manager@example.org")
    login(client, db, manager, settings)
    with try_lock(engine, EXPORT_LOCK, "export") as mine:  # another process's export, running
        assert mine
        busy = client.post("/outcomes/export")
        assert busy.status_code == 429
        assert "An export is being prepared already" in busy.text
        assert db.exec(select(AuditEntry).where(AuditEntry.object_type == "evaluator_export")).all() == []
    names = _download(client).namelist()  # once it has finished, the next one goes ahead
    assert "datapackage.json" in names
    with try_lock(engine, EXPORT_LOCK, "export") as mine:  # and the finished download let go of it
        assert mine
