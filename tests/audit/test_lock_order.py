"""Two writers of one case never deadlock: every transaction that writes a case takes the case
writers' lock before a case row's (app/locks.py `hold_case_write_lock`), whichever it writes first, and
an audit entry takes no lock a transaction holds (its connection's own lane: app/audit/chain.py)."""

from __future__ import annotations

import threading
import time

from sqlmodel import Session, select

from app.audit.models import AuditEntry
from app.cases.models import Person
from tests.factories import make_case, make_user


def test_a_case_write_before_its_audit_entry_and_another_the_other_way_round_both_commit(engine, db):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    db.commit()
    failures: list[BaseException] = []

    first = Session(engine)
    # One request writes the case first (its page version moves: the case row is locked)...
    first.add(Person(case_id=case.id, name="Donna Morgan", relationship="Mother", in_household=True))
    first.flush()

    def second_request() -> None:
        # ...while another links an audit entry first (in its own lane), then writes the same case.
        try:
            with Session(engine) as second:
                second.add(AuditEntry(user_id=worker.id, action="read", object_type="case", object_id=str(case.id)))
                second.flush()
                second.add(Person(case_id=case.id, name="Lee Morgan", relationship="Brother", in_household=True))
                second.flush()
                second.commit()
        except BaseException as error:  # a deadlock aborts one of the two on PostgreSQL
            failures.append(error)

    thread = threading.Thread(target=second_request)
    thread.start()
    time.sleep(0.5)  # the second request is now waiting on a lock the first holds
    try:
        first.add(AuditEntry(user_id=worker.id, action="create", object_type="person", case_id=case.id))
        first.flush()
        first.commit()
    finally:
        first.close()
    thread.join(timeout=30)
    assert not thread.is_alive() and failures == []
    db.expire_all()
    names = set(db.exec(select(Person.name).where(Person.case_id == case.id)).all())
    assert {"Donna Morgan", "Lee Morgan"} <= names
