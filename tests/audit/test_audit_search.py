"""The audit page filters the service's log by case, user, person, action and date (issue 20)."""

from __future__ import annotations

from app.audit import service as audit
from app.audit.models import AuditEntry
from app.cases.models import Person
from tests.factories import login, make_case, make_user


def test_a_manager_filters_the_audit_log_by_case_user_person_action_and_date(client, db, settings):
    worker = make_user(db, full_name="Sam Okafor")
    other = make_user(db, full_name="Priya Shah")
    case = make_case(db, worker=worker)
    person = Person(case_id=case.id, name="Donna", relationship="Mother")
    db.add(person)
    db.flush()
    db.add(AuditEntry(user_id=worker.id, action="update", object_type="person", object_id=person.id, case_id=case.id))
    db.add(AuditEntry(user_id=other.id, action="read", object_type="case", object_id=str(case.id), case_id=case.id))
    db.commit()
    login(client, db, make_user(db, role="manager"), settings)

    def rows(query):
        page = client.get(f"/audit?{query}")
        assert page.status_code == 200, page.text
        return page.text.count("<time ")  # one per entry shown

    assert rows(f"case={case.id}") == 2
    assert rows(f"user={other.id}") == 1 and "Priya Shah" in client.get(f"/audit?user={other.id}").text
    assert rows(f"person={person.id}") == 1
    assert rows(f"case={case.id}&action=update") == 1
    assert rows(f"case={case.id}&start=2000-01-01&end=2000-12-31") == 0
    assert client.get("/audit?case=abc").status_code == 422
    assert client.get("/audit?start=9999-12-31").status_code == 422
    assert audit.search(session=db, user_id=other.id, action="read")


def test_workers_cannot_read_the_audit_log(client, db, settings):
    login(client, db, make_user(db), settings)
    assert client.get("/audit").status_code == 403
