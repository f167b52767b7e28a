"""Each version of an item waits in the review queue once: the code checks first, and since
migration 0029 the database refuses a second row for the same version even when two changes pass
that check at the same moment."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.review import service as review
from app.review.models import Submission
from tests.factories import make_case, make_user


def _submission(case, worker, version: int) -> Submission:
    return Submission(
        kind="ending",
        case_id=case.id,
        team_id=case.team_id,
        item_id="ending-1",
        version_id=f"v{version}",
        version_number=version,
        submitted_by_id=worker.id,
    )


def test_the_database_refuses_a_second_row_for_one_version(db):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    db.add(_submission(case, worker, 1))
    db.commit()

    db.add(_submission(case, worker, 1))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()
    db.add(_submission(case, worker, 2))  # the next version is a new row
    db.commit()
    assert len(db.exec(select(Submission)).all()) == 2


def test_a_version_submitted_elsewhere_at_the_same_moment_is_the_one_kept(db, engine):
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite: one writer at a time; a write after another's commit fails as busy instead")
    supervisor = make_user(db, role="supervisor")
    worker = make_user(db, team_id=supervisor.team_id)
    case = make_case(db, worker=worker)
    db.commit()

    with Session(engine, expire_on_commit=False) as session:
        # The other change commits its row after this one looked for it and before this one writes.
        landed = []

        def the_other_change_lands_first(flushing, _context, _instances) -> None:
            if landed:
                return
            # (written on a connection of its own: the writers' turn is this change's, held until it ends)
            row = _submission(case, worker, 1).model_dump()
            with engine.begin() as other:
                other.execute(Submission.__table__.insert().values(**row))
            landed.append(True)

        worker_here = session.get(type(worker), worker.id)
        case_here = session.get(type(case), case.id)
        session.commit()
        event.listen(session, "before_flush", the_other_change_lands_first)
        kept = review.submit_item(
            session=session,
            kind="ending",
            case=case_here,
            item_id="ending-1",
            version_id="v1-here",
            version_number=1,
            by=worker_here,
        )
        session.commit()  # the rest of this change still commits

    rows = db.exec(select(Submission).execution_options(populate_existing=True)).all()
    assert landed and len(rows) == 1
    assert kept.id == rows[0].id
    assert rows[0].version_id == "v1"  # the row that landed first stands


def test_a_refusal_other_than_a_second_version_is_not_taken_for_one(db):
    """Only the unique index's refusal is answered with the row that landed first; any other
    refusal (here a submission with no team) reaches the caller, and nothing is kept for it."""
    from types import SimpleNamespace

    worker = make_user(db)
    case = make_case(db, worker=worker)
    db.commit()
    teamless = SimpleNamespace(id=case.id, team_id=None, reference=case.reference)

    with pytest.raises(IntegrityError):
        review.submit_item(
            session=db, kind="ending", case=teamless, item_id="ending-1", version_id="v1", version_number=1, by=worker
        )
    db.rollback()
    assert db.exec(select(Submission)).all() == []
