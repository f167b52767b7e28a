"""Subject access, finished: single sentences withheld inside an entry, and the person found on
other families' cases (a parent on a sibling's case, a professional in another network)."""

from __future__ import annotations

import io
import json
import re
from datetime import date

from pypdf import PdfReader
from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import Contact, Person
from app.network.models import MeetingAttendee, NetworkMeeting, NetworkMember
from app.outcomes.subject_access import WITHHELD
from app.signs_of_safety.models import ThreeHousesEntry
from tests.factories import login, make_case, make_user

NOTE = "Kayla went to the cinema. Dawn said her own debts are worrying her. Kayla laughed a lot."


def _family(db):
    worker = make_user(db, full_name="Priya Worker")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    kayla = db.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person)).one()
    dawn = Person(case_id=case.id, name="Dawn Morgan", given_name="Dawn", relationship="Mother",
                  date_of_birth=date(1985, 3, 2))  # fmt: skip
    db.add(dawn)
    db.flush()
    note = Contact(case_id=case.id, kind="visit", occurred_on=date(2026, 2, 3), note=NOTE, by_user_id=worker.id)
    db.add(note)
    db.commit()
    return worker, case, kayla, dawn, note


def _pdf_text(content: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())  # the extracted text spaces words unevenly


def test_a_sentence_naming_someone_else_is_withheld_from_the_copy_and_the_record_keeps_it(client, db, settings):
    _, case, kayla, _, note = _family(db)
    login(client, db, make_user(db, role="manager"), settings)
    page = client.get(f"/cases/{case.id}/subject-access/{kayla.id}")
    # Each sentence of the note is offered on its own, the one naming Dawn marked as such.
    assert f'value="contact:{note.id}|note|1"' in page.text
    assert "“Dawn said her own debts are worrying her.” <strong>(names Dawn Morgan)</strong>" in page.text
    assert "“Kayla went to the cinema.”" in page.text

    chosen = {"format": "json", "chosen": "1", "withhold": [f"contact:{note.id}|note|1"]}
    body = json.loads(client.post(f"/cases/{case.id}/subject-access/{kayla.id}", data=chosen).content)
    (entry,) = [e for e in body["entries"] if e["id"] == f"contact:{note.id}"]
    assert entry["fields"]["note"] == f"Kayla went to the cinema. {WITHHELD} Kayla laughed a lot."
    assert entry["withheld_parts"] == ["note:1"]
    assert "debts" not in json.dumps(body)

    pdf = client.post(f"/cases/{case.id}/subject-access/{kayla.id}", data={**chosen, "format": "pdf"})
    text = _pdf_text(pdf.content)
    assert "[withheld: names another person]" in text and "Kayla went to the cinema." in text
    assert "debts" not in text and "1 sentences about someone else are withheld" in text

    db.expire_all()
    assert db.get(Contact, note.id).note == NOTE  # the original stays
    withheld = db.exec(select(AuditEntry).where(AuditEntry.action == "withhold")).all()
    assert len(withheld) == 2  # one per download, each naming the entry and the sentence
    assert withheld[0].object_id == f"contact:{note.id}" and withheld[0].case_id == case.id
    assert withheld[0].detail == f"person={kayla.id} sentences=note:1"
    exports = db.exec(select(AuditEntry).where(AuditEntry.object_type == "subject_access")).all()
    assert all("sentences_withheld=1" in e.detail for e in exports)


def test_sentences_of_entries_not_flagged_cannot_be_withheld(client, db, settings):
    worker, case, kayla, _, _ = _family(db)
    plain = Contact(case_id=case.id, kind="visit", occurred_on=date(2026, 2, 4), note="Kayla cooked. It was good.",
                    by_user_id=worker.id)  # fmt: skip
    db.add(plain)
    db.commit()
    login(client, db, make_user(db, role="manager"), settings)
    data = {"format": "json", "chosen": "1", "withhold": [f"contact:{plain.id}|note|0", "nonsense", "a|b|c"]}
    body = json.loads(client.post(f"/cases/{case.id}/subject-access/{kayla.id}", data=data).content)
    (entry,) = [e for e in body["entries"] if e["id"] == f"contact:{plain.id}"]
    assert entry["fields"]["note"] == "Kayla cooked. It was good." and entry["withheld_parts"] == []
    assert not db.exec(select(AuditEntry).where(AuditEntry.action == "withhold")).all()


def _dawn_elsewhere(db, worker):
    """Dawn as the mother on her son's case, as a youth worker in another family's network (with
    one note naming her and one not), and a different Dawn Morgan (another date of birth)."""
    sibling = make_case(db, worker=worker, young_person_name="Jay Morgan")
    on_sibling = Person(case_id=sibling.id, name="Dawn Morgan", relationship="Mother", date_of_birth=date(1985, 3, 2))
    db.add(on_sibling)
    db.add(Contact(case_id=sibling.id, kind="visit", occurred_on=date(2026, 1, 9), note="Jay and his mum argued.",
                   by_user_id=worker.id))  # fmt: skip
    other = make_case(db, worker=worker, young_person_name="Sam Okafor")
    member = NetworkMember(case_id=other.id, name="Dawn Morgan", role="Youth club volunteer", circle="professionals")
    db.add(member)
    db.add(Contact(case_id=other.id, kind="visit", occurred_on=date(2026, 1, 10), by_user_id=worker.id,
                   note="Sam sees Dawn Morgan at the youth club every week."))  # fmt: skip
    db.add(Contact(case_id=other.id, kind="visit", occurred_on=date(2026, 1, 11), by_user_id=worker.id,
                   note="Sam's grandmother is unwell."))  # fmt: skip
    namesake = make_case(db, worker=worker, young_person_name="Lee Hart")
    db.add(Person(case_id=namesake.id, name="Dawn Morgan", relationship="Aunt", date_of_birth=date(1960, 1, 1)))
    db.commit()
    return sibling, other, namesake, member


def test_the_copy_covers_every_case_the_person_appears_on_each_entry_reviewable(client, db, settings):
    worker, case, _, dawn, _ = _family(db)
    sibling, other, namesake, member = _dawn_elsewhere(db, worker)
    manager = make_user(db, role="manager")
    login(client, db, manager, settings)

    found = client.get("/subject-access", params={"q": "dawn morgan"})
    assert found.status_code == 200
    for ref in (case.reference, sibling.reference, other.reference, namesake.reference):
        assert ref in found.text
    assert "Network member, Youth club volunteer" in found.text
    listed = db.exec(select(AuditEntry).where(AuditEntry.object_type == "subject_access_search")).one()
    assert listed.user_id == manager.id and listed.action == "list"
    assert listed.detail.endswith(
        "cases " + ",".join(str(i) for i in sorted({case.id, sibling.id, other.id, namesake.id}))
    )

    page = client.get(f"/cases/{case.id}/subject-access/{dawn.id}")
    assert "Also on other families' cases (2)" in page.text  # not the namesake born in 1960
    assert f"Case {sibling.reference}: person (Mother)" in page.text
    assert f"Case {other.reference}: network member (Youth club volunteer)" in page.text
    assert namesake.reference not in page.text
    reads = {e.case_id for e in db.exec(select(AuditEntry).where(AuditEntry.action == "read")).all()}
    assert {case.id, sibling.id, other.id} <= reads and namesake.id not in reads

    data = {"format": "json", "release": _releases(page.text)}
    body = json.loads(client.post(f"/cases/{case.id}/subject-access/{dawn.id}", data=data).content)
    notes = {e["fields"].get("note"): e for e in body["entries"] if e["record"] == "contact"}
    assert "Jay and his mum argued." in notes  # her son's case: everything it holds
    assert "Sam sees Dawn Morgan at the youth club every week." in notes  # names her
    assert "Sam's grandmother is unwell." not in notes  # another family's, not about her
    on_other = [e for e in body["entries"] if e["case_reference"] == other.reference]
    assert {e["record"] for e in on_other} == {"network_member", "contact"}
    assert all(e["reviewed_before_release"] for e in on_other)
    assert {c["case_reference"] for c in body["about"]["also_on_cases"]} == {sibling.reference, other.reference}

    # Each of those entries is in the review list, and can be left out or partly withheld.
    page = client.get(f"/cases/{case.id}/subject-access/{dawn.id}")
    assert f'value="network_member:{member.id}"' in page.text
    (youth,) = [e for e in on_other if e["record"] == "contact"]
    kept = [key for key in _releases(page.text) if key != f"network_member:{member.id}"]
    data = {"format": "pdf", "release": kept, "withhold": [f"{youth['id']}|note|0"]}
    data |= {
        "chosen": "1",
        "also": [f"{sibling.id}:{a}" for a in [_person_on(db, sibling)]] + [f"{other.id}:{member.id}"],
    }
    text = _pdf_text(client.post(f"/cases/{case.id}/subject-access/{dawn.id}", data=data).content)
    assert f"also case {other.reference} (network member)" in text and "Jay and his mum argued." in text
    assert "youth club every week" not in text and "[withheld: names another person]" in text
    assert "Youth club volunteer" not in text
    exports = db.exec(select(AuditEntry).where(AuditEntry.object_type == "subject_access")).all()
    assert {e.case_id for e in exports} == {case.id, sibling.id, other.id}


def _releases(page: str) -> list[str]:
    """Every "Release this entry" box on the review page: the manager has read them all."""
    return re.findall(r'name="release" value="([^"]+)"', page)


def _person_on(db, case) -> str:
    return db.exec(select(Person.id).where(Person.case_id == case.id, Person.name == "Dawn Morgan")).one()


def test_the_manager_can_say_a_case_is_someone_else_of_the_same_name(client, db, settings):
    worker, case, _, dawn, _ = _family(db)
    sibling, other, _, member = _dawn_elsewhere(db, worker)
    login(client, db, make_user(db, role="manager"), settings)
    chosen = {"chosen": "1", "also": [f"{sibling.id}:{_person_on(db, sibling)}"]}
    page = client.get(f"/cases/{case.id}/subject-access/{dawn.id}", params=chosen)
    assert "and 1 other case:" in page.text and f'value="{other.id}:{member.id}" id' in page.text
    data = {**chosen, "format": "json", "release": _releases(page.text)}
    body = json.loads(client.post(f"/cases/{case.id}/subject-access/{dawn.id}", data=data).content)
    assert {e["case_reference"] for e in body["entries"]} == {case.reference, sibling.reference}


def test_only_managers_search_every_case_and_a_short_name_is_refused_beside_the_field(client, db, settings):
    worker, *_ = _family(db)
    login(client, db, worker, settings)
    assert client.get("/subject-access", params={"q": "Dawn"}).status_code == 403
    login(client, db, make_user(db, role="manager"), settings)
    page = client.get("/subject-access", params={"q": "D"})
    assert page.status_code == 200 and 'id="q-error">Type at least two letters of the name.' in page.text
    assert "Nobody" not in page.text and "No one of that name" in client.get("/subject-access?q=Nobody").text
    assert client.get("/subject-access", params={"q": "Da\x00wn"}).status_code == 200


def test_statements_grow_with_the_cases_included_not_with_what_they_hold(db, engine):
    from app.outcomes import subject_access, subject_access_elsewhere
    from tests.querycount import count_queries

    worker, case, _, dawn, _ = _family(db)
    sibling, *_ = _dawn_elsewhere(db, worker)

    def statements() -> tuple[int, int]:
        # Both counts start from records as the database has them (a write in between expires a
        # case's page version, which would add a reload to the second count only).
        db.expire_all()
        with count_queries(engine) as seen:
            found = subject_access_elsewhere.appearances(db, dawn)
            bundle = subject_access.gather(session=db, case=case, subject=dawn, made_by="M", elsewhere=found)
        return len(seen), len(bundle.entries)

    few, entries = statements()
    for day in range(1, 20):
        db.add(
            Contact(case_id=sibling.id, kind="call", occurred_on=date(2026, 3, day), note="Call", by_user_id=worker.id)
        )
    db.commit()
    many, more = statements()
    assert many == few and more == entries + 19


def test_a_namesake_is_found_whatever_the_case_or_accents_but_not_a_longer_name(db):
    from app.outcomes.subject_access_elsewhere import appearances

    worker = make_user(db)
    home, typed_plain, longer = (make_case(db, worker=worker) for _ in range(3))
    zoe = Person(case_id=home.id, name="Zoë Wiśniewska", relationship="Mother")
    db.add_all([zoe, Person(case_id=typed_plain.id, name="ZOE WISNIEWSKA", relationship="Aunt"),
                Person(case_id=longer.id, name="Zoë Wiśniewska-Brown", relationship="Aunt")])  # fmt: skip
    db.commit()
    found = appearances(db, zoe)
    assert [(a.case_id, a.role) for a in found] == [(typed_plain.id, "Aunt")]
    assert longer.id not in {a.case_id for a in found}


def test_the_copy_does_not_name_the_people_whose_sentences_were_withheld(client, db, settings):
    _, case, kayla, dawn, note = _family(db)
    login(client, db, make_user(db, role="manager"), settings)
    data = {
        "format": "json",
        "chosen": "1",
        "withhold": [f"contact:{note.id}|note|1"],
        "leave_out": f"person:{dawn.id}",
    }
    body = json.loads(client.post(f"/cases/{case.id}/subject-access/{kayla.id}", data=data).content)
    # Kayla's copy says a sentence was withheld, not whom it was about.
    assert "Dawn" not in json.dumps(body)
    (entry,) = [e for e in body["entries"] if e["id"] == f"contact:{note.id}"]
    assert entry["withheld_parts"] == ["note:1"] and entry["reviewed_before_release"] is True
    # The manager's review page still says whom each sentence names.
    page = client.get(f"/cases/{case.id}/subject-access/{kayla.id}")
    assert "(names Dawn Morgan)" in page.text


def test_entries_from_a_case_where_she_is_one_of_the_family_are_flagged_and_left_out_until_released(
    client, db, settings
):
    worker, case, _, dawn, _ = _family(db)
    sibling, *_ = _dawn_elsewhere(db, worker)
    # Naming nobody on that case: it was listed for no reason at all, and went out unread.
    argued = Contact(case_id=sibling.id, kind="call", occurred_on=date(2026, 1, 12), note="Rent is two months behind.",
                     by_user_id=worker.id)  # fmt: skip
    db.add(argued)
    db.commit()
    login(client, db, make_user(db, role="manager"), settings)
    page = client.get(f"/cases/{case.id}/subject-access/{dawn.id}")
    # Her son's case is another family's record: every entry of it is listed for review, and left
    # out, so nothing of it goes out until the manager has read it and released it.
    box = re.search(rf'<input type="checkbox" name="release" value="contact:{argued.id}"[^>]*>', page.text)
    assert box and "checked" not in box.group(0)
    assert f"another family (case {sibling.reference})" in page.text
    assert "left out of the copy until you release it" in page.text
    assert f"Case {sibling.reference}: person (Mother)</label>" in page.text  # her date of birth matched
    assert "network member (Youth club volunteer), same name only: no date of birth to compare" in page.text

    url = f"/cases/{case.id}/subject-access/{dawn.id}"
    # Sent without the page's boxes (or with none ticked), it stays out; ticked, it goes out.
    left = json.loads(client.post(url, data={"format": "json"}).content)
    assert "Rent is two months behind." not in {e["fields"].get("note") for e in left["entries"]}
    released = json.loads(client.post(url, data={"format": "json", "release": f"contact:{argued.id}"}).content)
    assert "Rent is two months behind." in {e["fields"].get("note") for e in released["entries"]}
    choices = db.exec(select(AuditEntry).where(AuditEntry.object_id == f"contact:{argued.id}").order_by(AuditEntry.id))
    assert [(e.action, e.case_id) for e in choices] == [("leave_out", sibling.id), ("release", sibling.id)]


def test_a_young_persons_private_three_houses_words_stay_out_of_a_parents_copy(client, db, settings):
    worker, case, kayla, dawn, _ = _family(db)
    private = ThreeHousesEntry(case_id=case.id, person_id=kayla.id, house="worries", consent_to_share=False,
                               text="I hate it when the shouting starts at night.", recorded_by_id=worker.id)  # fmt: skip
    shared = ThreeHousesEntry(case_id=case.id, person_id=kayla.id, house="good_things", consent_to_share=True,
                              text="Netball on Saturdays.", recorded_by_id=worker.id)  # fmt: skip
    db.add_all([private, shared])
    db.commit()
    login(client, db, make_user(db, role="manager"), settings)
    url = f"/cases/{case.id}/subject-access/{dawn.id}"

    # Her mother's copy: the words Kayla kept private are not shown, offered or released.
    page = client.get(url)
    assert "shouting" not in page.text and private.id not in page.text
    assert "1 private entry written by someone else is left out of this copy" in page.text
    body = json.loads(client.post(url, data={"format": "json", "leave_out": []}).content)
    assert "shouting" not in json.dumps(body) and private.id not in json.dumps(body)
    assert "Netball on Saturdays." in json.dumps(body)  # she agreed to share this one
    text = _pdf_text(client.post(url, data={"format": "pdf"}).content)
    assert "shouting" not in text and "consent to share: False" not in text
    export = db.exec(select(AuditEntry).where(AuditEntry.object_type == "subject_access")).first()
    assert "private_left_out=1" in export.detail

    # Kayla's own copy holds her own private words.
    mine = json.loads(client.post(f"/cases/{case.id}/subject-access/{kayla.id}", data={"format": "json"}).content)
    assert "I hate it when the shouting starts at night." in json.dumps(mine)


def test_people_outside_the_family_are_flagged_and_their_details_can_be_withheld(client, db, settings):
    """The referrer, a neighbour in the network and a meeting attendee are not among the case's
    people, but their names and details are theirs, not Kayla's."""
    worker, case, kayla, _, _ = _family(db)
    case.referrer_name, case.referrer_contact = "Jo Bloggs", "jo.bloggs@school.example"
    ann = NetworkMember(case_id=case.id, name="Ann Smith", role="Neighbour", phone="07700900999", circle="friends")
    meeting = NetworkMeeting(case_id=case.id, held_on=date(2026, 2, 10), created_by_id=worker.id)
    db.add_all([case, ann, meeting])
    db.flush()
    db.add(MeetingAttendee(meeting_id=meeting.id, name="Marcus Reid", role="Youth worker"))
    lift = Contact(case_id=case.id, kind="visit", occurred_on=date(2026, 2, 11), by_user_id=worker.id,
                   note="Ann drove Kayla to school. Kayla was cheerful.")  # fmt: skip
    view = Contact(case_id=case.id, kind="visit", occurred_on=date(2026, 2, 12), by_user_id=worker.id,
                   note="Marcus Reid thinks Kayla should change school.")  # fmt: skip
    visit = Contact(case_id=case.id, kind="visit", occurred_on=date(2026, 2, 13), by_user_id=worker.id,
                    note="Kayla read to us.", professionals="Ms Achebe, school")  # fmt: skip
    db.add_all([lift, view, visit])
    db.commit()
    login(client, db, make_user(db, role="manager"), settings)
    url = f"/cases/{case.id}/subject-access/{kayla.id}"

    page = client.get(url)
    assert "“Ann drove Kayla to school.” <strong>(names Ann Smith (network member))</strong>" in page.text
    assert "<strong>(names Marcus Reid (meeting attendee))</strong>" in page.text
    assert f'value="contact:{visit.id}|professionals|0"' in page.text  # "Ms Achebe, school"
    assert f'value="network_member:{ann.id}"' in page.text
    # The case's referral: the referrer's name and their email address, each on its own.
    assert f'value="case:{case.id}|referrer_name|0"' in page.text
    assert f'value="case:{case.id}|referrer_contact|0"' in page.text
    assert "Names Jo Bloggs (referrer)" in page.text

    data = {
        "format": "json",
        "leave_out": [f"network_member:{ann.id}"],
        "withhold": [
            f"contact:{lift.id}|note|0",
            f"case:{case.id}|referrer_name|0",
            f"case:{case.id}|referrer_contact|0",
        ],
    }
    body = json.loads(client.post(url, data=data).content)
    copy = json.dumps(body)
    assert "Ann" not in copy and "07700900999" not in copy
    assert "Jo Bloggs" not in copy and "jo.bloggs" not in copy
    (held,) = [e for e in body["entries"] if e["record"] == "case"]
    assert held["fields"]["referrer_contact"] == WITHHELD and held["withheld_parts"] == [
        "referrer_contact:0",
        "referrer_name:0",
    ]
    assert f"{WITHHELD} Kayla was cheerful." in copy


def test_private_words_in_an_offline_item_held_for_the_supervisor_stay_out_of_a_parents_copy(client, db, settings):
    """A three houses entry made offline and held when the case moved to another worker carries
    the young person's words, unshared, in the held item's fields: as private as one saved."""
    from app.sync.models import HeldItem

    worker, case, kayla, dawn, _ = _family(db)
    target = f"/cases/{case.id}/signs-of-safety/three-houses/entries"
    private = [["id", "x"], ["house", "worries"], ["text", "When they shout I hide in the bathroom."]]
    shared = [
        ["id", "y"],
        ["house", "good_things"],
        ["text", "Swimming with Nan on Sundays."],
        ["consent_to_share", "1"],
    ]
    for op, fields in (
        ("a" * 8 + "-0000-4000-8000-" + "0" * 12, private),
        ("b" * 8 + "-0000-4000-8000-" + "0" * 12, shared),
    ):
        db.add(HeldItem(op_id=op, user_id=worker.id, case_id=case.id, reason="reassigned", target=target,
                        label="Three houses", fields=json.dumps(fields)))  # fmt: skip
    db.commit()
    login(client, db, make_user(db, role="manager"), settings)
    mother = json.dumps(
        json.loads(client.post(f"/cases/{case.id}/subject-access/{dawn.id}", data={"format": "json"}).content)
    )
    assert "hide in the bathroom" not in mother and "Swimming with Nan" in mother
    her_own = client.post(f"/cases/{case.id}/subject-access/{kayla.id}", data={"format": "json"}).content
    assert "hide in the bathroom" in her_own.decode()
