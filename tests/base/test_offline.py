"""What "Take offline" keeps of a BASE assessment, and the stage forms a kept page can still send.

A page kept on the device shows the state it was taken in, so forms sent from it must mean the
same whatever that state was: the stage status is a choice of state, not a toggle.
"""

from __future__ import annotations

import json

from sqlmodel import select

from app.base import offline
from app.base.models import BaseVersion
from app.cases.models import Case, Person
from tests.base.factories import ENGAGEMENT, RISK, case_with_family, edit_form, uid
from tests.factories import login
from tests.querycount import count_queries


def _version(db, case) -> BaseVersion:
    db.expire_all()
    return db.exec(
        select(BaseVersion).where(BaseVersion.case_id == case.id).order_by(BaseVersion.number.desc())
    ).first()


def _pages(client, case) -> list[str]:
    response = client.get(f"/cases/{case.id}/offline-pages")
    assert response.status_code == 200
    return [p for p in response.json()["pages"] if p.startswith(f"/cases/{case.id}/base")]


def test_before_the_assessment_starts_only_the_overview_is_kept(client, db, settings):
    worker, case, _ = case_with_family(db)
    login(client, db, worker, settings)
    assert _pages(client, case) == [f"/cases/{case.id}/base"]


def test_every_stage_page_and_each_items_edit_page_are_kept_and_each_opens(client, db, settings):
    worker, case, mother = case_with_family(db)
    login(client, db, worker, settings)
    client.post(f"/cases/{case.id}/base", data={"id": uid()})
    vid = _version(db, case).id
    engagement, risk, step = uid(), uid(), uid()
    client.post(
        f"/cases/{case.id}/base/engagement",
        data={"version_id": vid, "id": engagement, "person_id": mother.id, **ENGAGEMENT},
    )
    client.post(f"/cases/{case.id}/base/risk", data={"version_id": vid, "id": risk, **RISK})
    client.post(
        f"/cases/{case.id}/base/plan/steps",
        data={"version_id": vid, "id": step, "what": "Curfew", "who": "Samira", "outcome": "Safe at night"},
    )
    base = f"/cases/{case.id}/base"
    pages = _pages(client, case)
    assert pages == [
        base,
        f"{base}/engagement",
        f"{base}/resilience",
        f"{base}/risk",
        f"{base}/analysis",
        f"{base}/plan",
        f"{base}/engagement?edit={engagement}",
        f"{base}/risk?edit={risk}",
        f"{base}/plan?edit={step}",
        f"{base}/feedback",
        f"{base}/feedback/social_worker",
    ]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
    # Each kept stage page can finalise, judge, mark and reopen without the server.
    plan = client.get(f"{base}/plan").text
    assert f'action="/cases/{case.id}/base/plan/finalise" data-offline="true"' in plan
    risk_page = client.get(f"{base}/risk").text
    assert risk_page.count('data-offline="true"') == 2  # add a hazard, stage status
    assert f'action="/cases/{case.id}/base/risk/judgement" data-offline="edit"' in risk_page


def test_a_submitted_version_keeps_its_pages_read_only_without_edit_pages(client, db, settings):
    worker, case, mother = case_with_family(db)
    login(client, db, worker, settings)
    client.post(f"/cases/{case.id}/base", data={"id": uid()})
    vid = _version(db, case).id
    client.post(
        f"/cases/{case.id}/base/engagement", data={"version_id": vid, "id": uid(), "person_id": mother.id, **ENGAGEMENT}
    )
    client.post(f"/cases/{case.id}/base/submit", data={"version_id": vid})
    assert not any("edit=" in p for p in _pages(client, case))


def test_listing_the_pages_costs_two_queries_however_much_is_recorded_and_however_big_the_family(
    client, db, settings, engine
):
    worker, case, mother = case_with_family(db)
    login(client, db, worker, settings)
    client.post(f"/cases/{case.id}/base", data={"id": uid()})
    vid = _version(db, case).id

    def measure() -> tuple[int, int]:
        db.expire_all()
        loaded = db.get(Case, case.id)
        with count_queries(engine) as statements:
            listed = offline.pages(session=db, case=loaded, actor=None)
        return len(statements), len(listed)

    few_queries, few_pages = measure()
    for n in range(5):
        aunt = Person(case_id=case.id, name=f"Aunt {n}", relationship="Aunt")
        db.add(aunt)
        db.commit()
        engaged = client.post(
            f"/cases/{case.id}/base/engagement",
            data={"version_id": vid, "id": uid(), "person_id": aunt.id, **ENGAGEMENT},
        )
        assert engaged.status_code == 303
        client.post(f"/cases/{case.id}/base/risk", data={"version_id": vid, "id": uid(), **RISK})
    many_queries, many_pages = measure()
    assert many_pages == few_pages + 10 + 5  # an edit page per item, a feedback screen per person
    assert few_queries == many_queries == 2  # the newest version, the case's people


def test_stage_status_sets_a_state_so_a_form_from_an_older_page_does_what_it_says(client, db, settings):
    worker, case, mother = case_with_family(db)
    login(client, db, worker, settings)
    client.post(f"/cases/{case.id}/base", data={"id": uid()})
    vid = _version(db, case).id
    url = f"/cases/{case.id}/base/resilience/status"
    # Sent twice from the same kept page (it still showed the stage open): done, and still done.
    for _ in range(2):
        assert client.post(url, data={"version_id": vid, "done": "1"}).status_code == 303
        assert _version(db, case).content["stages"]["resilience"]["done"] is True
    assert "Resilience was already done." in client.get(f"/cases/{case.id}/base/resilience").text
    # "Open" from that same older page reopens it.
    assert client.post(url, data={"version_id": vid, "done": "0"}).status_code == 303
    page = client.get(f"/cases/{case.id}/base/resilience").text
    assert "Resilience reopened." in page
    assert _version(db, case).content["stages"]["resilience"]["done"] is False
    # Neither chosen: refused beside the choice, nothing changed.
    refused = client.post(url, data={"version_id": vid})
    assert refused.status_code == 422 and "Please choose one." in refused.text
    assert _version(db, case).content["stages"]["resilience"]["done"] is False


def test_edits_of_two_items_from_the_same_revision_are_sent_to_different_targets(client, db, settings):
    """The outbox tells records apart by target: two people's engagements, both at revision 1, are
    two records, each edited at its own path, and both edits apply."""
    worker, case, mother = case_with_family(db)
    login(client, db, worker, settings)
    client.post(f"/cases/{case.id}/base", data={"id": uid()})
    vid = _version(db, case).id
    first, second = uid(), uid()
    young = db.exec(select(Person).where(Person.case_id == case.id, Person.id != mother.id)).one()
    for item, person in ((first, mother), (second, young)):
        client.post(
            f"/cases/{case.id}/base/engagement",
            data={"version_id": vid, "id": item, "person_id": person.id, **ENGAGEMENT},
        )
    for item in (first, second):
        action = f"/cases/{case.id}/base/engagement/items/{item}"
        data, _ = edit_form(client.get(f"/cases/{case.id}/base/engagement?edit={item}").text, action)
        assert data["base_version"] == "1" and "id" not in data
        assert client.post(action, data={**data, "expectations": f"Edited {item[:4]}"}).status_code == 303
    saved = {e["id"]: (e["expectations"], e["revision"]) for e in _version(db, case).content["engagement"]}
    assert saved == {first: (f"Edited {first[:4]}", 2), second: (f"Edited {second[:4]}", 2)}


def test_a_second_checklist_save_from_a_kept_page_changes_only_what_was_changed(client, db, settings):
    """The kept page still shows the checklist as it was taken: after an offline save the form's
    defaults become what was saved (offline.js), and the next save from it must not undo the first."""
    worker, case, _ = case_with_family(db)
    login(client, db, worker, settings)
    client.post(f"/cases/{case.id}/base", data={"id": uid()})
    url = f"/cases/{case.id}/base/resilience"
    kept, shown = edit_form(client.get(url).text, url)  # taken offline before anything was marked
    assert len(shown) == 75 and set(shown.values()) >= {"none", "family_with_worker", ""}
    first = {**kept, "mark_trusted_adult": "strength", "mark_hobby": "strength"}
    assert client.post(url, data=first).status_code == 303
    # From the same kept page, the first save now its base: school marked, hobby changed.
    after_first = {k: first.get(k, v) for k, v in shown.items()}
    second = {**first, "shown": json.dumps(after_first), "mark_goes_to_school": "vulnerability"}
    second |= {"mark_hobby": "vulnerability", "decided_hobby": "family"}
    assert client.post(url, data=second).status_code == 303
    marks = _version(db, case).content["resilience"]["marks"]
    assert {k: m["mark"] for k, m in marks.items()} == {
        "trusted_adult": "strength",
        "hobby": "vulnerability",
        "goes_to_school": "vulnerability",
    }
    assert marks["hobby"]["decided_by"] == "family"
    # The original page sent again as it showed it (nothing marked) changes nothing: left as shown.
    assert client.post(url, data=kept).status_code == 303
    assert set(_version(db, case).content["resilience"]["marks"]) == {"trusted_adult", "hobby", "goes_to_school"}
    fresh, _ = edit_form(client.get(url).text, url)
    assert client.post(url, data={**fresh, "mark_hobby": "none"}).status_code == 303
    assert set(_version(db, case).content["resilience"]["marks"]) == {"trusted_adult", "goes_to_school"}
