"""People: added once even when an offline form is replayed; edits from an old version are conflicts."""

from __future__ import annotations

import uuid

from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import Person
from tests.cases.factories import make_person
from tests.factories import login, make_case, make_user


def test_worker_adds_mother_and_grandmother(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    for name, relationship, household in (("Donna Morgan", "Mother", "1"), ("Pat Morgan", "Grandmother", "")):
        response = client.post(
            f"/cases/{case.id}/people",
            data={"name": name, "relationship": relationship, "in_household": household, "knows_the_worries": "1"},
        )
        assert response.status_code == 303
    people = {p.name: p for p in db.exec(select(Person).where(Person.case_id == case.id)).all()}
    assert (
        people["Donna Morgan"].in_household
        and not people["Pat Morgan"].in_household
        and people["Pat Morgan"].knows_the_worries
    )
    page = client.get(f"/cases/{case.id}").text
    assert "Donna Morgan" in page and "Grandmother" in page and "Person added" in page
    assert (
        len(db.exec(select(AuditEntry).where(AuditEntry.object_type == "person", AuditEntry.action == "create")).all())
        == 2
    )


def test_duplicate_person_is_refused_beside_the_name(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    make_person(db, case, name="Donna Morgan")
    login(client, db, worker, settings)
    response = client.post(f"/cases/{case.id}/people", data={"name": " donna  MORGAN ", "relationship": "Mother"})
    assert (
        response.status_code == 422
        and 'id="name-error"' in response.text
        and "already one of this family" in response.text
    )
    assert len(db.exec(select(Person).where(Person.case_id == case.id)).all()) == 2


def test_offline_id_is_used_and_replay_creates_nothing(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    client_id = str(uuid.uuid4())
    data = {"id": client_id, "name": "Pat Morgan", "relationship": "Grandmother"}
    assert client.post(f"/cases/{case.id}/people", data=data).status_code == 303
    assert client.post(f"/cases/{case.id}/people", data=data).status_code == 303
    stored = db.exec(select(Person).where(Person.name == "Pat Morgan")).all()
    assert [p.id for p in stored] == [client_id]


def test_offline_id_of_another_case_is_refused(client, db, settings):
    worker = make_user(db)
    case, other = make_case(db, worker=worker), make_case(db, worker=worker)
    theirs = make_person(db, other, name="Someone Else")
    login(client, db, worker, settings)
    response = client.post(
        f"/cases/{case.id}/people", data={"id": theirs.id, "name": "Pat Morgan", "relationship": "Grandmother"}
    )
    assert response.status_code == 409
    db.expire_all()
    assert db.get(Person, theirs.id).case_id == other.id


def test_invalid_offline_id_is_ignored_and_a_new_id_made(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    assert (
        client.post(
            f"/cases/{case.id}/people", data={"id": "not-a-uuid", "name": "Pat Morgan", "relationship": "Grandmother"}
        ).status_code
        == 303
    )
    stored = db.exec(select(Person).where(Person.name == "Pat Morgan")).one()
    assert uuid.UUID(stored.id)


def test_edit_with_current_version_saves_and_bumps_version(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    mother = make_person(db, case)
    login(client, db, worker, settings)
    form = client.get(f"/cases/{case.id}/people/{mother.id}/edit").text
    assert 'name="base_version" value="1"' in form and 'data-offline="edit"' in form
    response = client.post(
        f"/cases/{case.id}/people/{mother.id}",
        data={
            "base_version": "1",
            "name": "Donna Morgan",
            "relationship": "Mother",
            "phone": "07700 900123",
            "in_household": "1",
        },
    )
    assert response.status_code == 303
    db.expire_all()
    saved = db.get(Person, mother.id)
    assert saved.phone == "07700 900123" and saved.version == 2
    entry = db.exec(select(AuditEntry).where(AuditEntry.object_type == "person", AuditEntry.action == "update")).one()
    assert entry.detail == "changed phone" and "07700" not in entry.detail


def test_edit_from_an_old_version_answers_409_and_keeps_the_saved_details(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    mother = make_person(db, case, phone="07700 900001", version=3)
    login(client, db, worker, settings)
    response = client.post(
        f"/cases/{case.id}/people/{mother.id}",
        data={"base_version": "2", "name": "Donna Morgan", "relationship": "Mother", "phone": "07700 900999"},
    )
    assert response.status_code == 409
    assert (
        "also changed on Homeward" in response.text
        and "Keep Homeward's: 07700 900001" in response.text
        and 'value="07700 900999"' in response.text
    )
    db.expire_all()
    saved = db.get(Person, mother.id)
    assert saved.phone == "07700 900001" and saved.version == 3


def test_person_of_another_case_is_404(client, db, settings):
    worker = make_user(db)
    case, other = make_case(db, worker=worker), make_case(db, worker=worker)
    theirs = make_person(db, other)
    login(client, db, worker, settings)
    assert client.get(f"/cases/{case.id}/people/{theirs.id}/edit").status_code == 404
    assert (
        client.post(
            f"/cases/{case.id}/people/{theirs.id}", data={"base_version": "1", "name": "X", "relationship": "Y"}
        ).status_code
        == 404
    )


def test_person_forms_are_marked_for_offline_and_carry_an_id_field(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    for path in ("people/new", "contacts/new"):
        page = client.get(f"/cases/{case.id}/{path}").text
        assert 'data-offline="true"' in page and '<input type="hidden" name="id" value="">' in page
    # Consent is recorded for everyone on one screen; the old one-person address leads there.
    assert client.get(f"/cases/{case.id}/consent/new").headers["location"] == f"/cases/{case.id}/consent/all"
    assert 'data-offline="true"' in client.get(f"/cases/{case.id}/consent/all").text


def test_offline_replay_asking_for_json_gets_a_409_with_the_current_version(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    mother = make_person(db, case, version=4)
    login(client, db, worker, settings)
    response = client.post(
        f"/cases/{case.id}/people/{mother.id}",
        data={"base_version": "3", "name": "Donna Morgan", "relationship": "Mother"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 4 and response.json()["error"] == "conflict"


def test_editing_the_young_persons_date_of_birth_updates_the_case(client, db, settings):
    from app.cases.models import Case
    from tests.cases.factories import young_person

    worker = make_user(db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    yp = young_person(db, case)
    login(client, db, worker, settings)
    response = client.post(
        f"/cases/{case.id}/people/{yp.id}",
        data={"base_version": "1", "name": "Kayla Morgan", "date_of_birth": "2010-09-09"},
    )
    assert response.status_code == 303
    db.expire_all()
    stored = db.get(Case, case.id)
    assert stored.date_of_birth.isoformat() == "2010-09-09" and stored.version == 2


def test_the_young_persons_goes_by_is_the_name_the_case_shows(client, db, settings):
    from app.cases.models import Case
    from tests.cases.factories import young_person

    worker = make_user(db)
    case = make_case(db, worker=worker, young_person_name="Josephine Morgan", preferred_name="Jo")
    yp = young_person(db, case)
    login(client, db, worker, settings)
    form = client.get(f"/cases/{case.id}/people/{yp.id}/edit").text
    assert 'name="preferred_name" type="text" value="Jo"' in form
    page_version = case.page_version
    sent = {"base_version": str(yp.version), "name": "Josephine Morgan", "preferred_name": "Sam", "in_household": "1"}
    assert client.post(f"/cases/{case.id}/people/{yp.id}", data=sent).status_code == 303
    db.expire_all()
    stored = db.get(Case, case.id)
    assert stored.display_name == "Sam" and stored.page_version > page_version
    assert "<h1>Sam</h1>" in client.get(f"/cases/{case.id}").text
    assert 'value="Sam"' in client.get(f"/cases/{case.id}/people/{yp.id}/edit").text


def test_the_young_persons_date_of_birth_cannot_move_after_their_referral_or_their_recorded_history(
    client, db, settings
):
    """As the referral form refuses a referral before birth, an edit cannot put the birth after
    the referral, nor after a living situation already recorded; the message is beside the field
    and nothing is saved."""
    from datetime import date

    from app.cases.models import Case, LivingSituation
    from tests.cases.factories import young_person

    worker = make_user(db)
    case = make_case(
        db,
        worker=worker,
        young_person_name="Kayla Morgan",
        date_of_birth=date(2011, 5, 17),
        referral_date=date(2026, 3, 2),
    )
    yp = young_person(db, case)
    db.add(LivingSituation(case_id=case.id, living="with_parents", since=date(2012, 1, 9), recorded_by_id=worker.id))
    login(client, db, worker, settings)
    url = f"/cases/{case.id}/people/{yp.id}"
    after_referral = client.post(url, data={"base_version": "1", "name": "Kayla Morgan", "date_of_birth": "2026-04-01"})
    assert after_referral.status_code == 422
    assert (
        'id="date_of_birth-error"' in after_referral.text
        and "after the referral date, 2 Mar 2026" in after_referral.text
    )
    after_history = client.post(url, data={"base_version": "1", "name": "Kayla Morgan", "date_of_birth": "2013-02-01"})
    assert (
        after_history.status_code == 422
        and "after the earliest record of the young person, on 9 Jan 2012" in after_history.text
    )
    db.expire_all()
    assert db.get(Case, case.id).date_of_birth == date(2011, 5, 17)
    moved = client.post(url, data={"base_version": "1", "name": "Kayla Morgan", "date_of_birth": "2011-06-30"})
    assert moved.status_code == 303
    db.expire_all()
    assert db.get(Case, case.id).date_of_birth == date(2011, 6, 30)


def test_an_edit_with_a_field_sent_twice_is_refused_not_saved_with_the_last_one(client, db, settings):
    """Every form refuses a repeated field (app/forms.py); the edits merged field by field did not."""
    from app.cases.models import Person
    from tests.cases.factories import make_person

    worker = make_user(db)
    case = make_case(db, worker=worker)
    donna = make_person(db, case)
    login(client, db, worker, settings)
    sent = {"base_version": "1", "name": ["Donna Morgan", "Someone Else"], "relationship": "Mother"}
    response = client.post(f"/cases/{case.id}/people/{donna.id}", data=sent)
    assert response.status_code == 422 and "was sent more than once" in response.text
    db.expire_all()
    assert db.get(Person, donna.id).name == "Donna Morgan"
