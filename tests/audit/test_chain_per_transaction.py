"""The chain's end and the case page version are settled once per transaction (app/transaction_memos.py), and a
savepoint rolled back never leaves the chain broken or a case's page version unmoved."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.audit.chain import verify
from app.audit.models import AuditEntry
from app.cases.models import Case, Person
from tests.factories import make_case, make_user


def _entry(worker, case, action) -> AuditEntry:
    return AuditEntry(user_id=worker.id, action=action, object_type="person", case_id=case.id)


def _version(db, case) -> int:
    db.expire_all()
    return db.exec(select(Case.page_version).where(Case.id == case.id)).one()


def test_several_flushes_of_one_transaction_link_one_chain_and_move_the_version_once(engine, db):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    db.commit()
    version = _version(db, case)
    with Session(engine) as session:
        for n in range(3):
            session.add(Person(case_id=case.id, name=f"Person {n}", relationship="Aunt"))
            session.add(_entry(worker, case, "create"))
            session.flush()
        session.commit()
    assert _version(db, case) == version + 1
    assert verify(session=db).ok
    # The next transaction reads the chain's end afresh and moves the version again.
    with Session(engine) as session:
        session.add(Person(case_id=case.id, name="Person 4", relationship="Uncle"))
        session.add(_entry(worker, case, "create"))
        session.commit()
    assert _version(db, case) == version + 2
    assert verify(session=db).ok


def test_a_rolled_back_savepoint_leaves_the_chain_whole_and_the_version_moved(engine, db):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    db.add(Person(id="11111111-1111-4111-8111-111111111111", case_id=case.id, name="Taken", relationship="Aunt"))
    db.commit()
    version = _version(db, case)
    with Session(engine) as session:
        try:
            with session.begin_nested():
                # Links entries and moves the version inside the savepoint, then fails.
                session.add(_entry(worker, case, "create"))
                session.add(
                    Person(id="11111111-1111-4111-8111-111111111111", case_id=case.id, name="Twice", relationship="X")
                )
                session.flush()
        except IntegrityError:
            pass
        session.add(Person(case_id=case.id, name="After", relationship="Uncle"))
        session.add(_entry(worker, case, "create"))
        session.commit()
    assert _version(db, case) == version + 1
    assert verify(session=db).ok


def test_an_entry_after_a_released_savepoint_links_to_the_entries_made_in_it(engine, db):
    """The transaction's remembered lane end is dropped when a savepoint links entries: released,
    they are the lane's end, so the next entry reads it again rather than fork the chain."""
    worker = make_user(db)
    case = make_case(db, worker=worker)
    db.commit()
    with Session(engine) as session:
        session.add(_entry(worker, case, "create"))
        session.flush()  # the lane's end is now known to the transaction
        with session.begin_nested():
            session.add(_entry(worker, case, "update"))
            session.flush()
        session.add(_entry(worker, case, "delete"))
        session.commit()
    assert verify(session=db).ok
