"""BASE items, the resilience checklist and the risk judgement on the one offline edit mechanism.

Each edit form sends `shown` (what its page showed, as offline.js adds it) and the route merges it
field by field with the record as it is now (`sync.merge_edit`): changes to different fields made
on two devices both apply; the same field changed on both waits alone on the common conflict page
(before, on Homeward, yours; nothing preselected); a stale post without the script (no `shown`)
makes every field that differs a conflict. These tests post exactly what the kept pages' forms send.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import select

from app.audit.models import AuditEntry
from app.base.models import BaseVersion
from app.sync.models import SyncConflict
from tests.base.factories import ENGAGEMENT, RISK, case_with_family, edit_form, hidden_fields, uid
from tests.factories import login


def _content(db, case) -> dict[str, Any]:
    db.expire_all()
    version = db.exec(
        select(BaseVersion).where(BaseVersion.case_id == case.id).order_by(BaseVersion.number.desc())
    ).first()
    return version.content


def _send(client, url: str, data: dict[str, str], **changes: str):
    """Post the form with some fields changed (an empty value unticks a box: it is not sent)."""
    sent = {**data, **changes}
    sent = {k: v for k, v in sent.items() if v != "" or k not in changes}
    op = str(uuid.uuid4())
    return op, client.post(url, data=sent, headers={"Idempotency-Key": op})


@dataclass(frozen=True)
class Kind:
    """One BASE item kind: how it is made, where it is edited, two fields, and how each is stored."""

    name: str
    stage: str  # the stage page and the list in the version's content
    items: str
    path: str  # the edit path after /cases/<id>/base/
    first: tuple[str, str, str]  # a field, a value for it, and the stored key
    second: tuple[str, str, str]
    also: tuple[str, str, str]  # a third field, changed alongside in the conflict case

    def stored(self, item: dict[str, Any], key: str) -> Any:
        return item[key]


KINDS = [
    Kind(
        "engagement",
        "engagement",
        "engagement",
        "engagement/items/{id}",
        ("expectations", "Less shouting at home", "expectations"),
        ("motivation", "2", "motivation"),
        ("involvement", "Wants to chair the next meeting", "involvement"),
    ),
    Kind(
        "risk",
        "risk",
        "risks",
        "risk/items/{id}",
        ("hazard", "Missing at weekends", "hazard"),
        ("mitigates_trusted_adult", "", "mitigations"),
        ("action_owner_0", "Samira", "actions"),
    ),
    Kind(
        "plan step",
        "plan",
        "steps",
        "plan/steps/{id}",
        ("what", "Home by ten on school nights", "what"),
        ("done", "1", "done"),
        ("who", "Samira and Amira", "who"),
    ),
]


def _make(client, db, settings) -> tuple[Any, dict[str, str]]:
    """A draft with one engagement, one risk (mitigated by a strength) and one plan step."""
    worker, case, mother = case_with_family(db)
    login(client, db, worker, settings)
    client.post(f"/cases/{case.id}/base", data={"id": uid()})
    content_version = db.exec(select(BaseVersion).where(BaseVersion.case_id == case.id)).one()
    vid = content_version.id
    base = f"/cases/{case.id}/base"
    ids = {"engagement": uid(), "risk": uid(), "plan step": uid()}
    made = [
        client.post(
            f"{base}/engagement",
            data={"version_id": vid, "id": ids["engagement"], "person_id": mother.id, **ENGAGEMENT},
        ),
        client.post(
            f"{base}/resilience", data={"version_id": vid, "base_version": "0", "mark_trusted_adult": "strength"}
        ),
        client.post(
            f"{base}/risk",
            data={
                "version_id": vid,
                "id": ids["risk"],
                **RISK,
                "mitigates_trusted_adult": "1",
                "action_what_0": "Evening safety plan",
            },
        ),
        client.post(
            f"{base}/plan/steps",
            data={
                "version_id": vid,
                "id": ids["plan step"],
                "what": "Agree a curfew",
                "who": "Samira",
                "outcome": "Safe at night",
                f"addresses_{ids['risk']}": "1",
            },
        ),
    ]
    assert [r.status_code for r in made] == [303, 303, 303, 303]
    return case, ids


def _kept_page(client, case, kind: Kind, item_id: str) -> tuple[str, dict[str, str]]:
    """The item's edit page as a device kept it: the form's action and what it sends unchanged."""
    page = client.get(f"/cases/{case.id}/base/{kind.stage}?edit={item_id}")
    assert page.status_code == 200
    action = f"/cases/{case.id}/base/" + kind.path.format(id=item_id)
    assert f'action="{action}"' in page.text and 'data-offline="{}"'.format("edit") in page.text
    data, _ = edit_form(page.text, action)
    return action, data


def _value(kind: Kind, item: dict[str, Any], field: tuple[str, str, str]) -> Any:
    name, value, key = field
    if key == "mitigations":
        return item["mitigations"] == ([] if value == "" else ["trusted_adult"])
    if key == "actions":
        return item["actions"][0]["owner"] == value
    if key == "done":
        return item["done"] is True
    if key == "motivation":
        return item["motivation"] == int(value)
    return item[key] == value


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_different_fields_changed_on_two_devices_both_apply(client, db, settings, kind):
    case, ids = _make(client, db, settings)
    action, tablet = _kept_page(client, case, kind, ids[kind.name])
    _, laptop = _kept_page(client, case, kind, ids[kind.name])  # a second device, opened at the same time
    _, first = _send(client, action, tablet, **{kind.first[0]: kind.first[1]})
    _, second = _send(client, action, laptop, **{kind.second[0]: kind.second[1]})
    assert (first.status_code, second.status_code) == (303, 303)
    item = next(i for i in _content(db, case)[kind.items] if i["id"] == ids[kind.name])
    assert _value(kind, item, kind.first) and _value(kind, item, kind.second)
    assert item["revision"] == 3
    assert db.exec(select(SyncConflict)).all() == []


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_the_same_field_changed_on_both_devices_is_a_conflict_for_that_field_only(client, db, settings, kind):
    case, ids = _make(client, db, settings)
    action, tablet = _kept_page(client, case, kind, ids[kind.name])
    _, laptop = _kept_page(client, case, kind, ids[kind.name])
    field, _, _ = kind.first
    before = json.loads(tablet["shown"])[field]
    assert _send(client, action, laptop, **{field: "Changed on the laptop"})[1].status_code == 303
    op, answer = _send(client, action, tablet, **{field: "Changed on the tablet", kind.also[0]: kind.also[1]})
    assert answer.status_code == 409 and answer.headers["location"] == f"/conflicts/{op}"
    item = next(i for i in _content(db, case)[kind.items] if i["id"] == ids[kind.name])
    # The other field changed on the tablet is saved; the field changed on both keeps Homeward's value.
    assert item[field] == "Changed on the laptop" and _value(kind, item, kind.also)
    conflict = db.get(SyncConflict, op)
    assert json.loads(conflict.mine) == {field: "Changed on the tablet"}
    assert json.loads(conflict.theirs) == {field: "Changed on the laptop"}
    page = client.get(f"/conflicts/{op}").text
    assert page.count("<fieldset") == 1 and f"Before: {before}" in page
    assert "Keep Homeward's: Changed on the laptop" in page and "Keep yours: Changed on the tablet" in page
    assert "checked" not in page  # nothing preselected
    # Keeping the tablet's value saves it as a new revision and settles the conflict.
    settle = f"{conflict.target}?resolves={op}"
    assert conflict.target == action
    chosen = client.post(settle, data={**hidden_fields(page, settle), field: "Changed on the tablet"})
    assert chosen.status_code == 303
    item = next(i for i in _content(db, case)[kind.items] if i["id"] == ids[kind.name])
    assert item[field] == "Changed on the tablet" and _value(kind, item, kind.also)
    db.expire_all()
    assert db.get(SyncConflict, op).resolved_at is not None


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_a_stale_edit_without_shown_makes_every_differing_field_a_conflict(client, db, settings, kind):
    case, ids = _make(client, db, settings)
    action, old_page = _kept_page(client, case, kind, ids[kind.name])
    _, fresh = _kept_page(client, case, kind, ids[kind.name])
    changed = {kind.first[0]: "Changed on Homeward", kind.also[0]: kind.also[1]}
    assert _send(client, action, fresh, **changed)[1].status_code == 303
    no_script = {k: v for k, v in old_page.items() if k != "shown"}  # a post without offline.js
    op, answer = _send(client, action, no_script, **{kind.second[0]: kind.second[1]})
    assert answer.status_code == 409
    conflict = db.get(SyncConflict, op)
    # Every field that differs from Homeward's is a conflict: the one the page changed and the two
    # changed on Homeward since (the page showed their old values).
    assert set(json.loads(conflict.mine)) == {kind.first[0], kind.second[0], kind.also[0]}
    item = next(i for i in _content(db, case)[kind.items] if i["id"] == ids[kind.name])
    assert item[kind.first[0]] == "Changed on Homeward" and item["revision"] == 2
    audit = db.exec(select(AuditEntry).where(AuditEntry.action == "conflict_kept")).all()
    assert [a.case_id for a in audit] == [case.id]


def test_two_checklist_saves_from_one_kept_page_and_another_device_change_only_what_each_changed(client, db, settings):
    case, _ = _make(client, db, settings)
    url = f"/cases/{case.id}/base/resilience"
    kept = client.get(url).text
    tablet, shown = edit_form(kept, url)
    assert shown["mark_trusted_adult"] == "strength" and "was_trusted_adult" not in tablet
    laptop, _ = edit_form(kept, url)
    # The laptop marks school; the tablet (from its older page) marks a hobby and changes who decided.
    assert _send(client, url, laptop, mark_goes_to_school="vulnerability")[1].status_code == 303
    assert _send(client, url, tablet, mark_hobby="strength", decided_hobby="family")[1].status_code == 303
    marks = _content(db, case)["resilience"]["marks"]
    assert {k: (m["mark"], m["decided_by"]) for k, m in marks.items()} == {
        "trusted_adult": ("strength", "family_with_worker"),
        "goes_to_school": ("vulnerability", "family_with_worker"),
        "hobby": ("strength", "family"),
    }
    # The same mark changed on both: a conflict for that mark alone, nothing reverted.
    assert _send(client, url, laptop, mark_trusted_adult="vulnerability")[1].status_code == 303
    op, answer = _send(client, url, tablet, mark_trusted_adult="none", notes_hobby="Boxing on Tuesdays")
    assert answer.status_code == 409
    assert json.loads(db.get(SyncConflict, op).mine) == {"mark_trusted_adult": "none"}
    marks = _content(db, case)["resilience"]["marks"]
    assert marks["trusted_adult"]["mark"] == "vulnerability" and marks["hobby"]["notes"] == "Boxing on Tuesdays"
    assert set(marks) == {"trusted_adult", "goes_to_school", "hobby"}


def test_the_risk_judgement_merges_its_two_fields(client, db, settings):
    case, _ = _make(client, db, settings)
    url = f"/cases/{case.id}/base/risk/judgement"
    kept = client.get(f"/cases/{case.id}/base/risk").text
    tablet, shown = edit_form(kept, url)
    laptop, _ = edit_form(kept, url)
    assert shown == {"level": "", "rationale": ""}
    assert _send(client, url, laptop, level="high", rationale="Missing twice")[1].status_code == 303
    op, answer = _send(client, url, tablet, level="medium", rationale="Missing twice")
    assert answer.status_code == 409  # the level differs; the rationale was changed alike on both
    assert json.loads(db.get(SyncConflict, op).mine) == {"level": "medium"}
    assert _content(db, case)["risk_judgement"] == {"level": "high", "rationale": "Missing twice"}


def test_an_item_edit_costs_the_same_statements_however_many_items_and_people_the_case_has(
    client, db, settings, engine
):
    from app.cases.models import Person
    from tests.querycount import count_queries

    case, ids = _make(client, db, settings)
    vid = db.exec(select(BaseVersion.id).where(BaseVersion.case_id == case.id)).one()

    def measure(kind: Kind, value: str) -> int:
        action, data = _kept_page(client, case, kind, ids[kind.name])
        with count_queries(engine) as statements:
            assert _send(client, action, data, **{kind.first[0]: value})[1].status_code == 303
        return len(statements)

    few = [measure(kind, "First") for kind in KINDS]
    for n in range(8):
        db.add(Person(case_id=case.id, name=f"Cousin {n}", relationship="Cousin"))
        db.commit()
        client.post(f"/cases/{case.id}/base/risk", data={"version_id": vid, "id": uid(), **RISK})
        client.post(
            f"/cases/{case.id}/base/plan/steps",
            data={"version_id": vid, "id": uid(), "what": f"Step {n}", "who": "Sam", "outcome": "Safe"},
        )
    many = [measure(kind, "Second") for kind in KINDS]
    assert many == few, (few, many)  # 11, 10, 10 on SQLite and 12, 11, 11 on PostgreSQL (engagement reads people)


def test_an_item_edit_from_a_page_kept_before_the_update_is_set_aside_not_dropped(client, db, settings):
    """Before items had their own path, an edit posted to the add form's path with `?item=<id>`: the
    add would take it for a replay and drop it, so it is refused with a message the outbox shows."""
    case, ids = _make(client, db, settings)
    vid = db.exec(select(BaseVersion.id).where(BaseVersion.case_id == case.id)).one()
    old = {"version_id": vid, "id": ids["risk"], "base_version": "1", **RISK, "hazard": "Changed offline"}
    answer = client.post(
        f"/cases/{case.id}/base/risk?item={ids['risk']}",
        data=old,
        headers={"Idempotency-Key": str(uuid.uuid4()), "Accept": "application/json"},
    )
    assert answer.status_code == 422 and "page kept before Homeward was updated" in answer.json()["detail"]
    assert _content(db, case)["risks"][0]["hazard"] == RISK["hazard"]


def test_a_device_change_to_an_action_the_office_removed_is_a_conflict_not_saved_on_the_next(client, db, settings):
    """A risk's actions have no ids and close up when one is removed: the office removes the
    first, the second moves up; the device, from the page before, names an owner for the first.
    Merged by position the owner would go to the second action; it waits for the worker instead."""
    case, ids = _make(client, db, settings)
    kind = next(k for k in KINDS if k.name == "risk")
    two = {"action_what_0": "Evening safety plan", "action_what_1": "Nan collects on Fridays"}
    action, page = _kept_page(client, case, kind, ids["risk"])
    assert _send(client, action, page, **two)[1].status_code == 303
    _, device = _kept_page(client, case, kind, ids["risk"])
    _, office = _kept_page(client, case, kind, ids["risk"])
    assert (
        _send(client, action, office, action_what_0="Nan collects on Fridays", action_what_1="")[1].status_code == 303
    )
    _, answer = _send(client, action, device, action_owner_0="Samira")
    assert answer.status_code == 409
    actions = _content(db, case)["risks"][0]["actions"]
    assert [(a["what"], a["owner"]) for a in actions] == [("Nan collects on Fridays", "")]


def test_a_strength_turned_vulnerability_stops_mitigating_and_a_kept_page_still_edits_the_hazard(client, db, settings):
    """The office marks the trusted adult a vulnerability: it no longer mitigates the hazard. The
    tablet's page, kept before, still shows the box ticked; its change to the hazard's words is
    saved, and the tick it left alone is not taken as the worker choosing a vulnerability."""
    from app.base import service
    from app.base.review_kinds import _risk

    case, ids = _make(client, db, settings)
    kind = next(k for k in KINDS if k.name == "risk")
    action, tablet = _kept_page(client, case, kind, ids["risk"])
    assert tablet["mitigates_trusted_adult"] == "1"
    page = client.get(f"/cases/{case.id}/base/resilience")
    checklist, _ = edit_form(page.text, f"/cases/{case.id}/base/resilience")
    _, answer = _send(client, f"/cases/{case.id}/base/resilience", checklist, mark_trusted_adult="vulnerability")
    assert answer.status_code == 303
    risk = _content(db, case)["risks"][0]
    assert risk["mitigations"] == []
    assert "what helps" not in _risk(risk, service.factor_labels())

    _, answer = _send(client, action, tablet, hazard="Missing at weekends")
    assert answer.status_code == 303
    risk = _content(db, case)["risks"][0]
    assert (risk["hazard"], risk["mitigations"]) == ("Missing at weekends", [])
    # A box the device ticked itself, for a factor that is not a strength, is still refused.
    tablet = {**tablet, "shown": json.dumps({**json.loads(tablet["shown"]), "mitigates_trusted_adult": ""})}
    _, answer = _send(client, action, tablet, hazard="Missing on Sundays")
    assert answer.status_code == 422
    assert "Only a factor marked as a strength can mitigate a risk" in answer.text
