"""Two changes to one case at the same moment (PostgreSQL, two server processes): the second is
checked against what the first saved, never against what it read while the first was being saved.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlmodel import Session, func, select

from app.cases.models import Person
from app.db import hold_case_write_lock
from app.sync.models import SyncConflict
from tests.cases.factories import make_person
from tests.factories import login, make_case, make_user


def test_a_change_made_while_another_is_being_saved_is_a_conflict_not_a_lost_update(client, db, engine, settings):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite: one writer at a time, and a stale write fails there rather than overwrite")
    worker = make_user(db)
    case = make_case(db, worker=worker)
    donna = make_person(db, case, phone="07700 900001")
    db.commit()
    login(client, db, worker, settings)
    sent: dict = {}

    def tablet() -> None:  # the worker's tablet, from the page drawn at version 1
        url = f"/cases/{case.id}/people/{donna.id}"
        body = {"base_version": "1", "name": "Donna Morgan", "relationship": "Mother", "phone": "07700 900999"}
        sent["response"] = client.post(url, data=body, follow_redirects=False)

    with Session(engine) as office:  # the co-worker's change, being saved as the tablet's arrives
        hold_case_write_lock(office)
        person = office.get(Person, donna.id)
        person.phone, person.version = "07700 900555", person.version + 1
        office.add(person)
        office.flush()
        arriving = threading.Thread(target=tablet)
        arriving.start()
        time.sleep(0.5)  # the tablet's change waits its turn
        assert "response" not in sent
        office.commit()
    arriving.join(timeout=10)

    assert sent["response"].status_code in (303, 409)
    db.expire_all()
    assert db.get(Person, donna.id).phone == "07700 900555"  # the office's, until the worker chooses
    assert db.exec(select(func.count()).select_from(SyncConflict)).one() == 1
