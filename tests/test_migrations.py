"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import threading

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from app.cli import _alembic_config, migrate
from app.models import load_all_models
from tests.conftest import worker_database_url


@pytest.fixture
def empty_database_url(tmp_path):
    url = os.environ.get("HOMEWARD_TEST_DATABASE_URL")
    if url:
        url = worker_database_url(url)
    if not url:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    # A database of its own, so the suite's tables are not disturbed.
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    # Named after the suite's database, so parallel runs on one server do not collide.
    name = url.rsplit("/", 1)[1].split("?")[0] + "_migration_check"
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    yield url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_upgrade_head_matches_models_with_no_autogenerate_difference(empty_database_url):
    config = _alembic_config()
    config.attributes["database_url"] = empty_database_url
    command.upgrade(config, "head")
    engine = create_engine(empty_database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, load_all_models().metadata)
        tables = set(connection.dialect.get_table_names(connection))
    engine.dispose()
    assert differences == []
    assert {"user", "team", "case", "audit_entry", "user_session"} <= tables


def test_downgrade_to_base_and_up_again(empty_database_url):
    config = _alembic_config()
    config.attributes["database_url"] = empty_database_url
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")


def test_several_containers_migrating_at_once_take_turns(empty_database_url):
    """Each app container runs `homeward migrate` as it starts: started together, all succeed."""
    errors: list[BaseException] = []
    together = threading.Barrier(3)

    def start_container() -> None:
        together.wait()
        try:
            migrate(empty_database_url)
        except BaseException as exc:  # the test reports whatever a container hit
            errors.append(exc)

    threads = [threading.Thread(target=start_container) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    engine = create_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    finally:
        engine.dispose()
    assert versions == [ScriptDirectory.from_config(_alembic_config()).get_current_head()]


def test_a_version_submitted_twice_stops_the_upgrade_and_is_named(empty_database_url):
    """Migration 0029 makes each version of an item one review submission; a database already
    holding two is not changed behind a person's back: the upgrade stops and names them."""
    config = _alembic_config()
    config.attributes["database_url"] = empty_database_url
    from sqlmodel import Session

    from tests.factories import make_case, make_user

    command.upgrade(config, "0028_scorecard_raters_endings")
    engine = create_engine(empty_database_url)
    with Session(engine) as session:  # users and cases are as they were at 0028
        worker = make_user(session)
        case = make_case(session, worker=worker)
        session.commit()
        row = {"case_id": case.id, "team_id": case.team_id, "by": worker.id}
    with engine.begin() as connection:
        for row_id in ("a", "b"):
            connection.execute(
                text(
                    "INSERT INTO review_submission (id, kind, case_id, team_id, item_id, version_id,"
                    " version_number, submitted_by_id, submitted_at, status, rationale)"
                    " VALUES (:id, 'ending', :case_id, :team_id, 'ending-7', '', 2, :by, '2026-12-01 10:00:00',"
                    " 'waiting', '')"
                ),
                {"id": row_id, **row},
            )
    with pytest.raises(RuntimeError, match="ending ending-7 version 2 \\(2 rows\\)"):
        command.upgrade(config, "head")
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM review_submission WHERE id = 'b'"))
    engine.dispose()
    command.upgrade(config, "head")  # settled by hand, the upgrade goes through


def test_feedback_already_held_is_matched_to_the_one_person_of_its_name(empty_database_url):
    """Migration 0030 stores BASE feedback under the person who gave it. Feedback given before it
    is matched to the case's person of the same name when exactly one person on that case has it;
    two people sharing the name, nobody of that name, or the social worker's typed-in name: none."""
    from sqlmodel import Session

    from app.cases.models import Person
    from tests.factories import make_case, make_user

    config = _alembic_config()
    config.attributes["database_url"] = empty_database_url
    command.upgrade(config, "0029_review_submission_version")
    engine = create_engine(empty_database_url)
    with Session(engine) as session:  # users, cases and people are as they were at 0029
        worker = make_user(session)
        cases = [make_case(session, worker=worker), make_case(session, worker=worker)]
        people = {}
        for key, case, name in [
            ("p1", 0, "Samira Hassan"),
            ("p2", 0, "Jo Hart"),
            ("p3", 0, "Jo Hart"),
            ("p4", 1, "Samira Hassan"),
        ]:
            people[key] = Person(case_id=cases[case].id, name=name, relationship="Parent")
            session.add(people[key])
        session.commit()
        ids = {key: person.id for key, person in people.items()}
        case_ids, worker_id = [c.id for c in cases], worker.id
    given = [
        ("f1", 0, "parent", "Samira Hassan"),
        ("f2", 0, "parent", "Jo Hart"),
        ("f3", 0, "young_person", "Amira Hassan"),
        ("f4", 0, "social_worker", "Samira Hassan"),
        ("f5", 1, "parent", "Samira Hassan"),
    ]
    with engine.begin() as connection:
        for feedback_id, case, perspective, name in given:
            connection.execute(
                text(
                    "INSERT INTO base_feedback (id, case_id, perspective, rater_name, round, question_set,"
                    " answers, given_in_family_mode, recorded_at, recorded_by_id)"
                    " VALUES (:id, :case_id, :perspective, :name, 1, 'v1', '[]', true, '2026-11-02 10:00:00', :by)"
                ),
                {
                    "id": feedback_id,
                    "case_id": case_ids[case],
                    "perspective": perspective,
                    "name": name,
                    "by": worker_id,
                },
            )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        matched = dict(connection.execute(text("SELECT id, rater_person_id FROM base_feedback")).all())
    engine.dispose()
    assert matched == {"f1": ids["p1"], "f2": None, "f3": None, "f4": None, "f5": ids["p4"]}


def test_submissions_already_held_are_marked_sent_by_a_team_supervisor_from_their_senders_roles(
    empty_database_url,
):
    """Migration 0031 records whether a supervisor of the team sent each item; for those already
    held it is read from the senders' roles at the upgrade (what the queue showed until then)."""
    from sqlmodel import Session

    from tests.factories import make_case, make_user

    config = _alembic_config()
    config.attributes["database_url"] = empty_database_url
    command.upgrade(config, "0030_base_feedback_rater_person")
    engine = create_engine(empty_database_url)
    with Session(engine) as session:  # users and cases are as they were at 0030
        supervisor = make_user(session, role="supervisor")
        worker = make_user(session)
        elsewhere = make_user(session, role="supervisor")  # another team's
        senders = {"s": supervisor, "w": worker, "e": elsewhere}
        case = make_case(session, worker=supervisor)
        session.commit()
        ids = {key: user.id for key, user in senders.items()}
        case_id, team_id = case.id, case.team_id
    with engine.begin() as connection:
        for key, sender in ids.items():
            connection.execute(
                text(
                    "INSERT INTO review_submission (id, kind, case_id, team_id, item_id, version_id,"
                    " version_number, submitted_by_id, submitted_at, status, rationale)"
                    " VALUES (:id, 'sos_map', :case_id, :team_id, :id, '', 1, :by, '2026-12-01 10:00:00', 'waiting', '')"
                ),
                {"id": key, "case_id": case_id, "team_id": team_id, "by": sender},
            )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        marked = dict(connection.execute(text("SELECT id, by_team_supervisor FROM review_submission")).all())
    assert {key: bool(value) for key, value in marked.items()} == {"s": True, "w": False, "e": False}

    # And back down with a comment held on one of them: SQLite refused to drop the table the
    # comment points at (its batch copy), and the downgrade stopped half-way.
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO review_comment (id, submission_id, section, text, by_user_id, at)"
                " VALUES ('c', 's', '', 'Say who collects Kayla.', :by, '2026-12-01 11:00:00')"
            ),
            {"by": ids["e"]},
        )
    command.downgrade(config, "0030_base_feedback_rater_person")
    with engine.connect() as connection:
        held = connection.execute(text("SELECT id FROM review_submission ORDER BY id")).scalars().all()
        comments = connection.execute(text("SELECT submission_id FROM review_comment")).scalars().all()
    command.upgrade(config, "head")
    engine.dispose()
    assert held == ["e", "s", "w"] and comments == ["s"]


def test_rows_that_broke_their_foreign_keys_before_an_upgrade_do_not_stop_it(empty_database_url):
    """A database holding a row whose foreign key did not hold before the upgrade (a hand edit, an
    import): the upgrade goes through, and so does the next migrate. Only rows a migration itself
    breaks stop it (SQLite checks them after the run: migrations/env.py)."""
    config = _alembic_config()
    config.attributes["database_url"] = empty_database_url
    command.upgrade(config, "0030_base_feedback_rater_person")
    engine = create_engine(empty_database_url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET session_replication_role = replica"))  # let the orphan in
        connection.execute(
            text(
                "INSERT INTO review_comment (id, submission_id, section, text, by_user_id, at)"
                " VALUES ('orphan', 'no-such-submission', '', 'Left by an import.', 999, '2026-12-01 11:00:00')"
            )
        )
    command.upgrade(config, "head")
    command.upgrade(config, "head")  # and the next start-up's migrate
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        kept = connection.execute(text("SELECT count(*) FROM review_comment")).scalar()
    engine.dispose()
    assert version == ScriptDirectory.from_config(config).get_current_head() and kept == 1
