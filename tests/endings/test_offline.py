"""The endings forms from the outbox: the pages "Take offline" keeps, exactly-once replays, and
refusals that set an item aside (422/409) instead of stopping every sync behind it (5xx)."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlmodel import func, select

from app.cases.models import Case
from app.endings import offline
from app.endings.models import Ending, EndingTask, Reactivation
from app.review.models import Submission
from app.sync.models import SyncOperation
from tests.cases.factories import actor_for
from tests.endings.factories import active_case, make_dormant, make_team_people
from tests.endings.test_pages import ending_form
from tests.factories import login
from tests.querycount import count_queries


@pytest.fixture
def people(db):
    return make_team_people(db)


def _count(db, model) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(model)).one()


def _outbox(client, url: str, data: dict, key: str | None = None):
    """A post as offline.js sends it: the item's id as the Idempotency-Key, JSON preferred."""
    key = key or data.get("id") or str(uuid.uuid4())
    return client.post(url, data=data, headers={"Idempotency-Key": key, "Accept": "application/json"})


def test_take_offline_keeps_what_the_case_status_allows(client, db, settings, people, engine):
    case = active_case(db, people.worker)
    db.commit()
    base = f"/cases/{case.id}"
    login(client, db, people.worker, settings)
    assert f"{base}/end" in client.get(f"{base}/offline-pages").json()["pages"]
    with count_queries(engine) as statements:
        assert offline.pages(session=db, case=case, actor=actor_for(people.worker)) == [f"{base}/end"]
    assert statements == []

    make_dormant(db, case, people.worker)
    case.co_worker_id = people.other.id
    db.commit()
    assert offline.pages(session=db, case=case, actor=actor_for(people.worker)) == [
        f"{base}/reactivate",
        f"{base}/dormant-review",
    ]
    # Reactivation is the key worker's (or a supervisor's); the co-worker keeps the review only.
    assert offline.pages(session=db, case=case, actor=actor_for(people.other)) == [f"{base}/dormant-review"]
    assert offline.pages(session=db, case=case, actor=actor_for(people.manager)) == []
    closed = active_case(db, people.worker)
    make_dormant(db, closed, people.worker, outcome="closed", closure_reason="moved_away")
    assert offline.pages(session=db, case=closed, actor=actor_for(people.worker)) == []


def test_every_endings_page_kept_offline_has_only_offline_forms_with_an_id_and_the_case_version(
    client, db, settings, people
):
    active = active_case(db, people.worker)
    dormant = active_case(db, people.worker)
    make_dormant(db, dormant, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    for case in (active, dormant):
        for url in offline.pages(session=db, case=case, actor=actor_for(people.worker)):
            page = client.get(url).text
            main = page[page.index("<main") : page.index("</main>")]
            forms = re.findall(r"<form [^>]*>", main)
            assert forms and all("data-offline" in f for f in forms), url
            assert (
                '<input type="hidden" name="id" value="' in main
                and f'name="base_version" value="{case.version}"' in main
            ), url


def test_ending_refused_from_the_outbox_is_set_aside_and_its_correction_saved_once(client, db, settings, people):
    case = active_case(db, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    url = f"/cases/{case.id}/end"
    item = ending_form(case, id=str(uuid.uuid4()), sustainability_plan="")
    refused = _outbox(client, url, item)
    assert refused.status_code == 422 and "sustainability plan" in refused.text.lower()
    assert db.get(SyncOperation, item["id"]) is None and _count(db, Ending) == 0
    assert db.get(Case, case.id).status == "active"

    fixed = {**item, "sustainability_plan": "Nan on call"}  # "Edit and retry", under the same id
    for _ in range(2):  # saved, then replayed after a lost answer
        response = _outbox(client, url, fixed)
        assert response.status_code == 303 and response.headers["location"] == f"/cases/{case.id}"
    assert _count(db, Ending) == 1 and db.get(Ending, item["id"]) is not None
    assert _count(db, Submission) == 1  # one ending for the supervisor to approve
    # Approval first (the default): the case stays in active work until the supervisor approves.
    assert db.get(Case, case.id).status == "active"


def test_ending_from_an_older_version_of_the_case_is_refused_then_saved_from_the_current_one(
    client, db, settings, people
):
    case = active_case(db, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    stale_version = case.version
    case.version += 1  # changed in the office while the worker was out
    db.add(case)
    db.commit()
    item = ending_form(case, id=str(uuid.uuid4()), base_version=str(stale_version))
    stale = _outbox(client, f"/cases/{case.id}/end", item)
    assert stale.status_code == 409 and "changed since this page was opened" in stale.text
    assert db.get(SyncOperation, item["id"]) is None and _count(db, Ending) == 0
    # The page opened again online carries the current version; the same item id saves once.
    assert _outbox(client, f"/cases/{case.id}/end", {**item, "base_version": str(case.version)}).status_code == 303
    assert _count(db, Ending) == 1


def test_reactivation_from_the_outbox_is_applied_once_with_its_two_prompted_tasks(client, db, settings, people):
    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    item = {
        "id": str(uuid.uuid4()),
        "asked_by": "young_person",
        "what_changed": "She rang",
        "urgency": "soon",
        "base_version": str(case.version),
    }
    first = _outbox(client, f"/cases/{case.id}/reactivate", item)
    again = _outbox(client, f"/cases/{case.id}/reactivate", item)
    assert first.status_code == again.status_code == 303
    assert again.headers["idempotent-replayed"] == "true"
    assert _count(db, Reactivation) == 1 and _count(db, EndingTask) == 2
    # Sent once more without the ledger's help (the record's own id still stops a second one).
    assert client.post(f"/cases/{case.id}/reactivate", data=item).status_code == 303
    assert _count(db, Reactivation) == 1 and _count(db, EndingTask) == 2


def test_dormant_review_choosing_reactivate_from_the_outbox_is_not_taken_as_saved(client, db, settings, people):
    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    db.commit()
    login(client, db, people.worker, settings)
    item = {
        "id": str(uuid.uuid4()),
        "decision": "reactivate",
        "rationale": "Mum rang",
        "base_version": str(case.version),
    }
    queued = _outbox(client, f"/cases/{case.id}/dormant-review", item)
    assert queued.status_code == 422 and "use Reactivate on the case page" in queued.text
    assert db.get(SyncOperation, item["id"]) is None
    # Online, the ordinary post (the script's fallback after a 422) goes on to the Reactivate form.
    online = client.post(f"/cases/{case.id}/dormant-review", data=item)
    assert online.status_code == 303 and online.headers["location"] == f"/cases/{case.id}/reactivate"
    assert db.get(Case, case.id).status == "dormant"
