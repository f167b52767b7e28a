"""What "Take offline" keeps of a BASE assessment, and the stage forms a kept page can still send.

A page kept on the device shows the state it was taken in, so forms sent from it must mean the
same whatever that state was: the stage status is a choice of state, not a toggle.
"""

from __future__ import annotations

from sqlmodel import select

from app.base import offline
from app.base.models import BaseVersion
from app.cases.models import Case, Person
from tests.base.factories import ENGAGEMENT, RISK, case_with_family, uid
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
    assert client.get(f"{base}/risk").text.count('data-offline="true"') == 3  # hazard, judgement, status


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
        client.post(
            f"/cases/{case.id}/base/engagement",
            data={"version_id": vid, "id": uid(), "person_id": mother.id, **ENGAGEMENT},
        )
        client.post(f"/cases/{case.id}/base/risk", data={"version_id": vid, "id": uid(), **RISK})
        db.add(Person(case_id=case.id, name=f"Aunt {n}", relationship="Aunt"))
    db.commit()
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
    """The outbox moves a later edit's base_version on after an edit of the same target is applied;
    two different people's engagements at revision 1 must not look like one record edited twice."""
    worker, case, mother = case_with_family(db)
    login(client, db, worker, settings)
    client.post(f"/cases/{case.id}/base", data={"id": uid()})
    vid = _version(db, case).id
    first, second = uid(), uid()
    for item in (first, second):
        client.post(
            f"/cases/{case.id}/base/engagement",
            data={"version_id": vid, "id": item, "person_id": mother.id, **ENGAGEMENT},
        )
    actions = {item: client.get(f"/cases/{case.id}/base/engagement?edit={item}").text for item in (first, second)}
    assert f'action="/cases/{case.id}/base/engagement?item={first}"' in actions[first]
    assert f'action="/cases/{case.id}/base/engagement?item={second}"' in actions[second]
    # Both edits, from revision 1, are applied.
    for item in (first, second):
        sent = client.post(
            f"/cases/{case.id}/base/engagement?item={item}",
            data={
                "version_id": vid,
                "id": item,
                "base_version": "1",
                "person_id": mother.id,
                **ENGAGEMENT,
                "expectations": f"Edited {item[:4]}",
            },
        )
        assert sent.status_code == 303
    assert sorted(e["revision"] for e in _version(db, case).content["engagement"]) == [2, 2]


def _shown_fields(client, case) -> dict[str, str]:
    """The resilience form's fields as the page shows them (its hidden `was_` values)."""
    import html
    import re

    page = client.get(f"/cases/{case.id}/base/resilience").text
    return {name: html.unescape(value) for name, value in re.findall(r"name=\"(was_[a-z_]+)\" value='([^']*)'", page)}


def test_a_second_checklist_save_from_a_kept_page_changes_only_what_was_changed(client, db, settings):
    """The kept page still shows the checklist as it was taken: saving it again (the outbox moves
    its base_version on after the first save) must not undo the first save's marks."""
    worker, case, _ = case_with_family(db)
    login(client, db, worker, settings)
    client.post(f"/cases/{case.id}/base", data={"id": uid()})
    vid = _version(db, case).id
    kept = _shown_fields(client, case)  # taken offline before anything was marked
    assert len(kept) == 25
    url = f"/cases/{case.id}/base/resilience"
    first = {"version_id": vid, "base_version": "0", **kept, "mark_trusted_adult": "strength", "mark_hobby": "strength"}
    assert client.post(url, data=first).status_code == 303
    # From the same kept page: school marked, hobby changed; trusted adult left as the page showed it.
    second = {
        "version_id": vid,
        "base_version": "1",
        **kept,
        "mark_goes_to_school": "vulnerability",
        "mark_hobby": "vulnerability",
        "decided_hobby": "family",
    }
    assert client.post(url, data=second).status_code == 303
    marks = _version(db, case).content["resilience"]["marks"]
    assert {k: m["mark"] for k, m in marks.items()} == {
        "trusted_adult": "strength",
        "hobby": "vulnerability",
        "goes_to_school": "vulnerability",
    }
    assert marks["hobby"]["decided_by"] == "family"
    # From a page showing the saved marks, un-marking a factor removes it.
    fresh = _shown_fields(client, case)
    third = {"version_id": vid, "base_version": "2", **fresh, "mark_hobby": "none"}
    for key in ("trusted_adult", "goes_to_school"):
        third[f"mark_{key}"] = marks[key]["mark"]
    assert client.post(url, data=third).status_code == 303
    assert set(_version(db, case).content["resilience"]["marks"]) == {"trusted_adult", "goes_to_school"}
