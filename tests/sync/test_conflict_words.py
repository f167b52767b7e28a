"""The conflict page speaks the worker's words (issue 15): each value as its form shows it (the
option's label, the person's name, "Yes"/"No", a date as the app shows dates), while the choice
still posts the value the form sends. Posted exactly as the kept pages' forms send (with `shown`)."""

from __future__ import annotations

import json
import re
import uuid

from sqlmodel import select

from app.base.models import BaseVersion
from app.cases.models import Person
from app.network.models import CIRCLE_LABELS, VIEWS_GIVEN_LABELS
from app.signs_of_safety.models import Category
from app.sync.models import SyncConflict
from tests.base.factories import ENGAGEMENT, case_with_family, edit_form, hidden_fields, uid
from tests.factories import login, make_case, make_user
from tests.network.factories import make_family_case
from tests.network.test_meeting_merge import _meeting
from tests.signs_of_safety.factories import add_item
from tests.signs_of_safety.factories import make_person as sos_person
from tests.sync.shown_form import kept_form, post_from


def _send(client, url: str, data: dict[str, str], **changes: str):
    op = str(uuid.uuid4())
    return op, client.post(url, data={**data, **changes}, headers={"Idempotency-Key": op})


def _radios(page: str) -> dict[str, str]:
    """Each choice's words and the value it posts: {'Keep yours: …': value}."""
    found = re.findall(r'<input type="radio" name="[^"]+" value="([^"]*)" required> (Keep [^<]+)</label>', page)
    return {words.strip(): value for value, words in found}


def _draft(client, db, settings):
    worker, case, mother = case_with_family(db)
    login(client, db, worker, settings)
    assert client.post(f"/cases/{case.id}/base", data={"id": uid()}).status_code == 303
    vid = db.exec(select(BaseVersion).where(BaseVersion.case_id == case.id)).one().id
    return case, mother, vid


def _mark(db, case) -> dict[str, str]:
    db.expire_all()
    version = db.exec(select(BaseVersion).where(BaseVersion.case_id == case.id)).one()
    return version.content["resilience"]["marks"]["trusted_adult"]


def test_a_resilience_mark_in_conflict_reads_as_its_label_and_settling_stores_the_code(client, db, settings):
    case, _, vid = _draft(client, db, settings)
    url = f"/cases/{case.id}/base/resilience"
    base = f"/cases/{case.id}/base"
    sent = {"version_id": vid, "base_version": "0", "mark_trusted_adult": "strength"}
    assert client.post(f"{base}/resilience", data=sent).status_code == 303
    kept = client.get(url).text
    tablet, _ = edit_form(kept, url)
    laptop, _ = edit_form(kept, url)
    changed = {"mark_trusted_adult": "vulnerability", "decided_trusted_adult": "family"}
    assert _send(client, url, laptop, **changed)[1].status_code == 303
    op, answer = _send(client, url, tablet, mark_trusted_adult="none", decided_trusted_adult="worker")
    assert answer.status_code == 409
    page = client.get(f"/conflicts/{op}").text
    # The worker reads the form's words, never the codes.
    assert "Before: Strength" in page and "Before: Family with the worker" in page
    choices = _radios(page)
    assert choices == {
        "Keep Homeward's: Vulnerability": "vulnerability",
        "Keep yours: Not marked": "none",
        "Keep Homeward's: Family": "family",
        "Keep yours: Worker": "worker",
    }
    for code in ("strength", "vulnerability", "family_with_worker", "none", "family", "worker"):
        assert f": {code}<" not in page and f": {code}</label>" not in page
    # Settling posts the codes, and the record stores the codes.
    settle = f"{url}?resolves={op}"
    chosen = {"mark_trusted_adult": "vulnerability", "decided_trusted_adult": "worker"}
    assert client.post(settle, data={**hidden_fields(page, settle), **chosen}).status_code == 303
    assert (_mark(db, case)["mark"], _mark(db, case)["decided_by"]) == ("vulnerability", "worker")
    # The settled page (history) shows what was kept in words too.
    settled = client.get(f"/conflicts/{op}").text
    assert "<td>Vulnerability</td>" in settled and "<td>Worker</td>" in settled
    assert "<td>Not marked</td>" in settled and "<td>Family with the worker</td>" in settled


def test_an_engagements_person_reads_as_their_name_and_a_date_as_the_app_shows_dates(client, db, settings):
    worker, case, mother = case_with_family(db)
    login(client, db, worker, settings)
    assert client.post(f"/cases/{case.id}/base", data={"id": uid()}).status_code == 303
    vid = db.exec(select(BaseVersion).where(BaseVersion.case_id == case.id)).one().id
    base = f"/cases/{case.id}/base"
    young = db.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person)).one()
    father = Person(case_id=case.id, name="Karim Hassan", relationship="Father")
    db.add(father)
    db.commit()
    item_id = uid()
    made = {"version_id": vid, "id": item_id, "person_id": mother.id, **ENGAGEMENT}
    assert client.post(f"{base}/engagement", data=made).status_code == 303
    step_id = uid()
    step = {"version_id": vid, "id": step_id, "what": "Agree a curfew", "who": "Samira", "outcome": "Safe at night"}
    assert client.post(f"{base}/plan/steps", data={**step, "by_when": "2099-03-04"}).status_code == 303

    url = f"{base}/engagement/items/{item_id}"
    kept = client.get(f"{base}/engagement?edit={item_id}").text
    tablet, _ = edit_form(kept, url)
    laptop, _ = edit_form(kept, url)
    assert _send(client, url, laptop, person_id=young.id, motivation="5")[1].status_code == 303
    op, answer = _send(client, url, tablet, person_id=father.id, motivation="2")
    assert answer.status_code == 409
    page = client.get(f"/conflicts/{op}").text
    choices = _radios(page)
    assert choices == {
        "Keep Homeward's: Amira Hassan": young.id,
        "Keep yours: Karim Hassan": father.id,
        "Keep Homeward's: 5 of 5": "5",
        "Keep yours: 2 of 5": "2",
    }
    assert "Before: Samira Hassan" in page and "Before: 4 of 5" in page
    assert young.id not in re.sub(r'value="[^"]*"', "", page)

    url = f"{base}/plan/steps/{step_id}"
    kept = client.get(f"{base}/plan?edit={step_id}").text
    tablet, _ = edit_form(kept, url)
    laptop, _ = edit_form(kept, url)
    assert _send(client, url, laptop, by_when="2099-05-06", done="1")[1].status_code == 303
    op, answer = _send(client, url, tablet, by_when="2099-07-08")
    assert answer.status_code == 409
    page = client.get(f"/conflicts/{op}").text
    assert "Before: 4 Mar 2099" in page
    assert _radios(page) == {"Keep Homeward's: 6 May 2099": "2099-05-06", "Keep yours: 8 Jul 2099": "2099-07-08"}
    assert json.loads(db.get(SyncConflict, op).mine) == {"by_when": "2099-07-08"}


def _radios_of(client, op: str) -> tuple[str, dict[str, str]]:
    page = client.get(f"/conflicts/{op}").text
    return page, _radios(page)


def test_a_persons_language_date_of_birth_and_boxes_read_as_the_form_shows_them(client, db, settings):
    worker, case, mother = case_with_family(db)
    db.commit()
    login(client, db, worker, settings)
    url = f"/cases/{case.id}/people/{mother.id}"
    tablet = kept_form(client, "case-form", url + "/edit")
    office = kept_form(client, "case-form", url + "/edit")
    laptop = {"preferred_language": "pl", "date_of_birth": "1985-02-03", "in_household": ""}
    assert _send(client, url, {k: v for k, v in post_from(office, **laptop).items() if v != ""})[1].status_code == 303
    sent = post_from(tablet, preferred_language="cy", date_of_birth="1986-04-05")
    op, answer = _send(client, url, sent)
    assert answer.status_code == 409
    page, choices = _radios_of(client, op)
    assert choices["Keep Homeward's: 3 Feb 1985"] == "1985-02-03" and choices["Keep yours: 5 Apr 1986"] == "1986-04-05"
    assert choices["Keep Homeward's: Polish"] == "pl" and choices["Keep yours: Welsh"] == "cy"
    assert "Before: English" in page and "Before: (empty)" in page


def test_who_in_a_safety_plan_item_reads_as_the_persons_name(client, db, settings):
    worker = make_user(db, full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan", practice_context="cin")
    mum = sos_person(db, case=case)
    gran = sos_person(db, case=case, name="Pearl Morgan", relationship="Grandmother")
    item = add_item(db, case=case, by=worker, category=Category.rule, text="Home by 9pm.", person_id=mum.id)
    db.commit()
    login(client, db, worker, settings)
    url = f"/cases/{case.id}/signs-of-safety/items/{item.item_key}"
    tablet = kept_form(client, "sos-item-form", url + "/edit")
    office = kept_form(client, "sos-item-form", url + "/edit")
    assert _send(client, url, post_from(office, who="key_worker"))[1].status_code == 303
    op, answer = _send(client, url, post_from(tablet, who=f"person:{gran.id}"))
    assert answer.status_code == 409
    page, choices = _radios_of(client, op)
    assert choices == {
        "Keep Homeward's: Key worker": "key_worker",
        "Keep yours: Pearl Morgan (Grandmother)": f"person:{gran.id}",
    }
    assert "Before: Donna Morgan (Mother)" in page and mum.id not in re.sub(r'value="[^"]*"', "", page)


def test_a_meetings_kind_and_views_read_as_their_labels(client, db, settings):
    case, data, url = _meeting(client, db, settings)
    tablet = kept_form(client, "meeting-form", url + "/edit")
    office = kept_form(client, "meeting-form", url + "/edit")
    assert _send(client, url, post_from(office, views_given="not_given", held_on="2026-01-10"))[1].status_code == 303
    op, answer = _send(client, url, post_from(tablet, views_given="writing", held_on="2026-01-12"))
    assert answer.status_code == 409
    page, choices = _radios_of(client, op)
    views = {v.value: label for v, label in VIEWS_GIVEN_LABELS.items()}
    assert choices[f"Keep Homeward's: {views['not_given']}"] == "not_given"
    assert choices[f"Keep yours: {views['writing']}"] == "writing"
    assert (
        choices["Keep Homeward's: 10 Jan 2026"] == "2026-01-10" and choices["Keep yours: 12 Jan 2026"] == "2026-01-12"
    )


def test_a_place_in_the_network_reads_as_its_circle_and_its_box_as_yes_or_no(client, db, settings):
    worker, case, people = make_family_case(db)
    db.commit()
    login(client, db, worker, settings)
    mum = people["Donna"]
    url = f"/cases/{case.id}/network/people/{mum.id}"
    # Her first save, from the map as kept (she shows in her default circle, the household): the
    # circle she was shown in is no change, so only the help is saved, with no conflict.
    first, _ = edit_form(client.get(f"/cases/{case.id}/network").text, url)
    assert _send(client, url, first, how_they_help="School runs")[1].status_code == 303
    assert db.exec(select(SyncConflict)).all() == []
    page = client.get(f"/cases/{case.id}/network").text
    tablet, _ = edit_form(page, url)
    office, _ = edit_form(page, url)
    assert _send(client, url, office, circle="friends", agreed_to_help="1")[1].status_code == 303
    sent = {k: v for k, v in tablet.items() if k != "agreed_to_help"}  # an unticked box is not sent
    op, answer = _send(client, url, sent, circle="professionals", how_they_help="Lifts to school")
    assert answer.status_code == 409
    page, choices = _radios_of(client, op)
    circles = {c.value: label for c, label in CIRCLE_LABELS.items()}
    assert choices[f"Keep Homeward's: {circles['friends']}"] == "friends"
    assert choices[f"Keep yours: {circles['professionals']}"] == "professionals"
    assert f"Before: {circles['household']}" in page
    assert json.loads(db.get(SyncConflict, op).mine) == {"circle": "professionals"}  # the box: changed only there
    # A stale page posted without the script (base unknown): the box that differs reads Yes/No.
    stale = {"base_version": "1", "circle": "friends", "how_they_help": "Lifts to school"}
    op, answer = _send(client, url, stale)
    assert answer.status_code == 409
    page, choices = _radios_of(client, op)
    assert choices["Keep Homeward's: Yes"] == "1" and choices["Keep yours: No"] == ""


def test_the_conflict_page_says_who_changed_the_record_on_homeward_and_when(client, db, settings):
    """'Keep Homeward's: 07700 900555' gave the worker nothing to decide with: the page now says
    who changed it on Homeward, and when (from the audit log; not the conflict's own entry)."""
    worker, case, mother = case_with_family(db)
    db.commit()
    login(client, db, worker, settings)
    url = f"/cases/{case.id}/people/{mother.id}"
    tablet = kept_form(client, "case-form", url + "/edit")
    office = kept_form(client, "case-form", url + "/edit")
    assert (
        _send(client, url, {k: v for k, v in post_from(office, preferred_language="pl").items() if v != ""})[
            1
        ].status_code
        == 303
    )
    op, answer = _send(client, url, post_from(tablet, preferred_language="cy"))
    assert answer.status_code == 409
    page = client.get(f"/conflicts/{op}").text
    assert f"Changed on Homeward by <strong>{worker.full_name}</strong>, " in page
