"""The map's pages as a worker uses them: adding, changing, submitting, versions, offline replays."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import new_id
from app.signs_of_safety import service
from app.signs_of_safety.models import Category, MapItem, MapStatus, MapVersion
from tests.factories import login, make_case, make_user
from tests.signs_of_safety.factories import add_item, make_person


@pytest.fixture
def worker_case(client, db, settings):
    worker = make_user(db, full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan", practice_context="cin")
    mum = make_person(db, case=case)
    login(client, db, worker, settings)
    return worker, case, mum


def post(client, url, data):
    return client.post(url, data=data)


def test_worker_adds_a_worry_and_sees_it_on_the_map_with_who_said_it(client, db, worker_case):
    worker, case, mum = worker_case
    response = post(
        client,
        f"/cases/{case.id}/signs-of-safety/items",
        {
            "id": new_id(),
            "base_version": "0",
            "category": "harm",
            "text": "Kayla stayed out all night on 3 March.",
            "who": f"person:{mum.id}",
            "family_agrees": "no",
        },
    )
    assert response.status_code == 303
    page = client.get(f"/cases/{case.id}/signs-of-safety").text
    assert "Kayla stayed out all night on 3 March." in page
    assert "Said by: Donna Morgan" in page
    assert "Family does not agree" in page
    assert "Version 1" in page and "Draft" in page
    assert "Signs of Safety is a trade mark of its owners" in page


def test_replayed_item_with_same_id_is_saved_once(client, db, worker_case):
    _, case, _ = worker_case
    data = {
        "id": new_id(),
        "base_version": "0",
        "category": "strength",
        "text": "Gran has Kayla every weekend.",
        "who": "key_worker",
    }
    assert post(client, f"/cases/{case.id}/signs-of-safety/items", data).status_code == 303
    assert post(client, f"/cases/{case.id}/signs-of-safety/items", data).status_code == 303
    assert len(db.exec(select(MapItem).where(MapItem.text == "Gran has Kayla every weekend.")).all()) == 1
    assert len(db.exec(select(AuditEntry).where(AuditEntry.object_type == "sos_map_item")).all()) == 1


def test_statement_without_goal_is_refused_with_the_error_beside_the_goal_and_values_kept(client, db, worker_case):
    _, case, _ = worker_case
    response = post(
        client,
        f"/cases/{case.id}/signs-of-safety/items",
        {
            "id": new_id(),
            "base_version": "0",
            "category": "pair",
            "text": "Mum is worried Kayla will be hurt by older men.",
            "goal": "",
        },
    )
    assert response.status_code == 422
    assert 'id="goal-error"' in response.text
    assert "Mum is worried Kayla will be hurt by older men." in response.text
    assert db.exec(select(MapItem)).first() is None


def test_statement_with_a_label_gets_a_plain_words_hint_but_is_saved(client, db, worker_case):
    _, case, _ = worker_case
    response = post(
        client,
        f"/cases/{case.id}/signs-of-safety/items",
        {
            "id": new_id(),
            "base_version": "0",
            "category": "pair",
            "text": "Worried about neglect.",
            "goal": "Kayla has food every day.",
            "sustain_for": "3 months",
        },
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "is a label: try describing what the young person goes without" in page
    assert db.exec(select(MapItem)).one().sustain_for == "3 months"


def test_more_than_five_pairs_warns_but_never_refuses(client, db, worker_case):
    worker, case, _ = worker_case
    for n in range(6):
        add_item(db, case=case, by=worker, category=Category.pair, text=f"Worry {n}")
    db.commit()
    page = client.get(f"/cases/{case.id}/signs-of-safety").text
    assert "more than five statement pairs" in page
    assert page.count('class="sos-statement"') == 6


def test_submit_for_review_fixes_the_version_and_a_later_change_makes_version_two(client, db, worker_case):
    worker, case, _ = worker_case
    item = add_item(db, case=case, by=worker, text="Mum walks Kayla to school.")
    db.commit()
    page = client.get(f"/cases/{case.id}/signs-of-safety").text
    assert "Submit for review" in page
    assert post(client, f"/cases/{case.id}/signs-of-safety/submit", {"base_version": "1"}).status_code == 303
    db.expire_all()
    v1 = service.latest_version(session=db, case=case)
    assert v1.status == MapStatus.submitted and v1.submitted_by_id == worker.id

    response = post(
        client,
        f"/cases/{case.id}/signs-of-safety/items/{item.item_key}",
        {"base_version": "1", "text": "Mum walks Kayla to school every day.", "who": "key_worker"},
    )
    assert response.status_code == 303
    db.expire_all()
    numbers = [(v.number, v.status) for v in service.versions(session=db, case=case)]
    assert numbers == [(2, MapStatus.draft), (1, MapStatus.submitted)]
    old = client.get(f"/cases/{case.id}/signs-of-safety/versions/1").text
    assert "Mum walks Kayla to school." in old and "every day" not in old
    assert "cannot change" in old
    assert "Mum walks Kayla to school every day." in client.get(f"/cases/{case.id}/signs-of-safety").text


def test_change_made_offline_from_an_older_version_answers_409_and_overwrites_nothing(client, db, worker_case):
    worker, case, _ = worker_case
    item = add_item(db, case=case, by=worker, text="Original wording.")
    service.submit(session=db, map_version=service.latest_version(session=db, case=case), by=worker)
    add_item(db, case=case, by=worker, base_version=1, text="Added in version 2.")
    service.submit(session=db, map_version=service.latest_version(session=db, case=case), by=worker)
    db.commit()

    response = post(
        client,
        f"/cases/{case.id}/signs-of-safety/items/{item.item_key}",
        {"base_version": "1", "text": "Changed offline from version 1.", "who": "key_worker"},
    )
    # An item's edit is merged field by field (app/sync merge_edit); posted without the script from
    # an older version, every field that differs waits for the worker on the common conflict page.
    assert response.status_code == 409 and response.headers["location"].startswith("/conflicts/")
    assert "Keep yours: Changed offline from version 1." in response.text
    assert "Keep Homeward's: Original wording." in response.text
    assert db.exec(select(MapItem).where(MapItem.text == "Changed offline from version 1.")).first() is None
    assert (
        post(
            client,
            f"/cases/{case.id}/signs-of-safety/items",
            {"id": new_id(), "base_version": "1", "category": "harm", "text": "Late."},
        ).status_code
        == 409
    )
    assert len(db.exec(select(MapVersion)).all()) == 2
    as_json = client.post(
        f"/cases/{case.id}/signs-of-safety/submit", data={"base_version": "1"}, headers={"Accept": "application/json"}
    )
    assert as_json.status_code == 409 and as_json.json()["current_version"] == 2
    assert (
        "version 2 has been submitted since. Nothing was overwritten" in as_json.json()["detail"]
    )  # shown in the Outbox


def test_removing_an_item_keeps_it_in_the_submitted_version(client, db, worker_case):
    worker, case, _ = worker_case
    item = add_item(db, case=case, by=worker, text="Kayla sees her dad on Sundays.")
    service.submit(session=db, map_version=service.latest_version(session=db, case=case), by=worker)
    db.commit()
    assert (
        post(
            client, f"/cases/{case.id}/signs-of-safety/items/{item.item_key}/remove", {"base_version": "1"}
        ).status_code
        == 303
    )
    assert "Kayla sees her dad on Sundays." not in client.get(f"/cases/{case.id}/signs-of-safety").text
    assert "Kayla sees her dad on Sundays." in client.get(f"/cases/{case.id}/signs-of-safety/versions/1").text


def test_next_steps_show_on_the_case_page_with_overdue_flag(client, db, worker_case):
    from datetime import timedelta

    from app.timeutil import today

    worker, case, mum = worker_case
    add_item(
        db,
        case=case,
        by=worker,
        category=Category.next_step,
        text="Book the network meeting.",
        due_on=today() - timedelta(days=2),
    )
    add_item(
        db,
        case=case,
        by=worker,
        category=Category.next_step,
        text="Mum rings the school.",
        person_id=mum.id,
        by_key_worker=False,
        due_on=today() + timedelta(days=7),
    )
    db.commit()
    page = client.get(f"/cases/{case.id}").text
    assert f'href="/cases/{case.id}/signs-of-safety">Signs of Safety map</a>' in page
    overdue_line = next(line for line in page.splitlines() if "Book the network meeting." in line)
    assert "Overdue" in overdue_line
    due_line = next(line for line in page.splitlines() if "Mum rings the school." in line)
    assert "Overdue" not in due_line and "Donna Morgan" in due_line


def test_submitted_version_appears_on_the_case_timeline(client, db, worker_case):
    worker, case, _ = worker_case
    add_item(db, case=case, by=worker)
    service.submit(session=db, map_version=service.latest_version(session=db, case=case), by=worker)
    db.commit()
    assert "Signs of Safety map version 1 submitted" in client.get(f"/cases/{case.id}").text


@pytest.mark.parametrize(
    ("context", "statement", "goal"),
    [
        ("cp", "Danger statement", "Safety goal"),
        ("early_help", "Worry statement", "Wellbeing goal"),
        ("cin", "Worry statement", "Wellbeing goal"),
        ("cla", "Worry statement", "Success goal"),
    ],
)
def test_labels_follow_the_practice_context(client, db, settings, context, statement, goal):
    worker = make_user(db)
    case = make_case(db, worker=worker, practice_context=context)
    add_item(db, case=case, by=worker, category=Category.pair, text="Someone is worried.", goal="Something changes.")
    login(client, db, worker, settings)
    page = client.get(f"/cases/{case.id}/signs-of-safety").text
    assert f"{statement} and {goal.lower()}" in page
    assert f'<span class="sos-tag">{goal}</span>' in page
    form = client.get(f"/cases/{case.id}/signs-of-safety/items/new?category=pair").text
    assert f'>{statement} <span class="req">' in form and f'>{goal} <span class="req">' in form


def test_another_workers_case_is_not_found_and_a_manager_cannot_write(client, db, settings):
    from app.accounts.models import Role

    owner = make_user(db)
    case = make_case(db, worker=owner)
    stranger = make_user(db)
    login(client, db, stranger, settings)
    assert client.get(f"/cases/{case.id}/signs-of-safety").status_code == 404
    assert (
        post(
            client,
            f"/cases/{case.id}/signs-of-safety/items",
            {"id": new_id(), "base_version": "0", "category": "harm", "text": "x"},
        ).status_code
        == 404
    )
    manager = make_user(db, role=Role.manager)
    login(client, db, manager, settings)
    assert client.get(f"/cases/{case.id}/signs-of-safety").status_code == 200
    assert (
        post(
            client,
            f"/cases/{case.id}/signs-of-safety/items",
            {"id": new_id(), "base_version": "0", "category": "harm", "text": "x"},
        ).status_code
        == 403
    )
    assert db.exec(select(MapItem)).first() is None


def test_case_page_queries_do_not_grow_with_the_map(client, db, worker_case):
    from sqlalchemy import event

    worker, case, mum = worker_case

    def count_queries() -> int:
        statements = []
        listener = lambda *args: statements.append(1)  # noqa: E731
        event.listen(db.get_bind(), "before_cursor_execute", listener)
        try:
            assert client.get(f"/cases/{case.id}").status_code == 200
        finally:
            event.remove(db.get_bind(), "before_cursor_execute", listener)
        return len(statements)

    add_item(db, case=case, by=worker, category=Category.next_step, text="One step.", due_on=None)
    from app.signs_of_safety.service import Rater

    def rate(n: int) -> None:
        service.add_rating(
            session=db,
            case=case,
            rating_id=new_id(),
            rater=Rater(key="key_worker", name=f"Rater {n}", role="key_worker"),
            pair_key=None,
            score=5,
            why_not_lower="",
            one_step_higher="",
            by=worker,
        )

    # Submitted and rated once first: the page skips the tables a case has no rows in (a first
    # submission adds a review item, a first rating the scales' statement), so the counts compared
    # are of a case with each kind of row.
    rate(-1)
    service.submit(session=db, map_version=service.latest_version(session=db, case=case), by=worker)
    add_item(db, case=case, by=worker, category=Category.next_step, text="Another step.", due_on=None)
    db.commit()
    small = count_queries()

    for n in range(10):
        add_item(
            db,
            case=case,
            by=worker,
            category=Category.next_step,
            text=f"Step {n}.",
            person_id=mum.id,
            by_key_worker=False,
        )
        rate(n)
    service.submit(session=db, map_version=service.latest_version(session=db, case=case), by=worker)
    db.commit()
    assert count_queries() == small


def test_change_page_shows_the_current_wording_and_a_blank_change_is_refused_beside_the_field(client, db, worker_case):
    worker, case, mum = worker_case
    rule = add_item(
        db,
        case=case,
        by=worker,
        category=Category.rule,
        text="Kayla texts by 9pm.",
        person_id=mum.id,
        by_key_worker=False,
        detail="Mum checks at 9pm.",
    )
    db.commit()
    page = client.get(f"/cases/{case.id}/signs-of-safety/items/{rule.item_key}/edit").text
    assert "Kayla texts by 9pm." in page and "Mum checks at 9pm." in page
    assert f'<option value="person:{mum.id}" selected>' in page
    response = client.post(
        f"/cases/{case.id}/signs-of-safety/items/{rule.item_key}",
        data={"base_version": "1", "text": "", "who": f"person:{mum.id}", "detail": "Mum checks at 10pm."},
    )
    assert response.status_code == 422
    assert 'id="text-error"' in response.text and "Mum checks at 10pm." in response.text
    db.expire_all()
    assert (
        service.find_item(
            session=db, map_version=service.latest_version(session=db, case=case), item_key=rule.item_key
        ).detail
        == "Mum checks at 9pm."
    )


def test_rule_needs_someone_who_makes_sure(client, db, worker_case):
    _, case, _ = worker_case
    response = client.post(
        f"/cases/{case.id}/signs-of-safety/items",
        data={"id": new_id(), "base_version": "0", "category": "rule", "text": "No visitors after 10pm.", "who": ""},
    )
    assert response.status_code == 422 and 'id="who-error"' in response.text


def test_a_next_step_without_a_date_says_so_instead_of_a_dangling_by(client, db, worker_case):
    """Issue 18, defect 10: "· Key worker · by" with nothing after it."""
    worker, case, _ = worker_case
    add_item(db, case=case, by=worker, category=Category.next_step, text="Ring the youth club.", due_on=None)
    db.commit()
    page = client.get(f"/cases/{case.id}").text
    line = next(line for line in page.splitlines() if "Ring the youth club." in line)
    assert "no date set" in line and "· by" not in line


def test_the_case_timeline_shows_each_kind_of_signs_of_safety_item_once_a_day(client, db, worker_case):
    """Map versions submitted, the day's scale ratings, the day's three houses entries and words
    and pictures shared (dated the day they were shown to the family) reach the case page."""
    from datetime import UTC, date, datetime, timedelta

    from app.signs_of_safety import timeline
    from app.signs_of_safety.models import StoryShare, StoryVersion, ThreeHousesEntry
    from app.signs_of_safety.service import Rater

    worker, case, mum = worker_case
    add_item(db, case=case, by=worker, category=Category.complicating, text="Kayla goes missing at night.")
    service.submit(session=db, map_version=service.latest_version(session=db, case=case), by=worker)
    day = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
    for n, who in enumerate(("Kayla", "Donna", "Kayla")):
        service.add_rating(session=db, case=case, rating_id=new_id(), rater=Rater(key=who, name=who, role="family"),
                           pair_key=None, score=4 + n, why_not_lower="", one_step_higher="", by=worker,
                           rated_at=day + timedelta(minutes=n))  # fmt: skip
    for house in ("worries", "good things"):
        db.add(ThreeHousesEntry(case_id=case.id, house=house, text="…", recorded_by_id=worker.id, created_at=day))
    story = StoryVersion(case_id=case.id, created_by_id=worker.id)
    db.add(story)
    db.flush()
    typed_up = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    db.add(StoryShare(story_version_id=story.id, shared_with="Donna and Kayla", shared_on=date(2026, 11, 23),
                      recorded_by_id=worker.id, created_at=typed_up))  # fmt: skip
    db.commit()

    found = {item.title: item for item in timeline.items(session=db, case=case)}
    assert found["Signs of Safety map version 1 submitted"].by == "Sam Okafor"
    assert found["Safety scales rated"].detail == "3 ratings by 2 people"
    assert found["Safety scales rated"].at == day + timedelta(minutes=2)
    assert found["Three houses with the young person"].detail == "2 entries"
    shared = found["Words and pictures shared"]
    assert shared.detail == "version 1, with Donna and Kayla"
    assert shared.at == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # the day shown, at the time typed up
    page = client.get(f"/cases/{case.id}").text
    for title in found:
        assert title in page


def _remove_form_fields(page: str, item_key: str) -> dict[str, str]:
    """The hidden fields of an item's Remove form as the map page drew them."""
    import re

    form = page.split(f"/items/{item_key}/remove", 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form))


def test_a_removal_from_a_page_drawn_before_an_office_correction_leaves_the_corrected_item(client, db, worker_case):
    worker, case, _ = worker_case
    item = add_item(db, case=case, by=worker, text="Kayla sees her dad on Sundays.")
    db.commit()
    # The map as the tablet kept it before the visit.
    kept = _remove_form_fields(client.get(f"/cases/{case.id}/signs-of-safety").text, item.item_key)
    assert kept["base_version"] == "1" and kept["seen"]
    # In the office the same draft's item is corrected.
    service.edit_item(
        session=db,
        case=case,
        item_key=item.item_key,
        base_version=1,
        fields=service.ItemFields(text="Kayla sees her dad on Sundays, supervised by Gran.", by_key_worker=True),
        by=worker,
    )
    db.commit()
    # The removal made offline reaches Homeward: it is set aside with a reason, nothing is removed.
    sent = client.post(
        f"/cases/{case.id}/signs-of-safety/items/{item.item_key}/remove",
        data=kept,
        headers={"Accept": "application/json"},
    )
    assert sent.status_code == 409
    assert "still on the map" in sent.json()["detail"]
    page = client.get(f"/cases/{case.id}/signs-of-safety").text
    assert "supervised by Gran." in page
    # Without the script, the form says the same on the map.
    plain = client.post(f"/cases/{case.id}/signs-of-safety/items/{item.item_key}/remove", data=kept)
    assert plain.status_code == 303 and plain.headers["location"].endswith(f"#item-{item.item_key}")
    assert "Not removed: this item was changed" in client.get(plain.headers["location"]).text
    # Read again as it is now, it can be removed.
    fresh = _remove_form_fields(page, item.item_key)
    assert fresh["seen"] != kept["seen"]
    removed = client.post(f"/cases/{case.id}/signs-of-safety/items/{item.item_key}/remove", data=fresh)
    assert removed.status_code == 303
    assert "supervised by Gran." not in client.get(f"/cases/{case.id}/signs-of-safety").text


def test_an_item_sent_with_another_cases_item_id_is_not_found_and_a_malformed_id_is_replaced(client, db, worker_case):
    """Answered as saved, another case's id would leave the outbox sure of a save that never was;
    an id like "a/b" made an item no address could reach to change or remove."""
    worker, case, _ = worker_case
    other = make_case(db, worker=worker)
    theirs = add_item(db, case=other, by=worker, text="Another family's worry.")
    db.commit()
    base = {"base_version": "0", "category": "harm", "text": "Kayla stayed out late.", "who": "key_worker"}
    forged = client.post(f"/cases/{case.id}/signs-of-safety/items", data={**base, "id": theirs.id})
    assert forged.status_code == 404
    assert db.exec(select(MapVersion).where(MapVersion.case_id == case.id)).all() == []
    odd = client.post(f"/cases/{case.id}/signs-of-safety/items", data={**base, "id": "a/b"})
    assert odd.status_code == 303
    item = db.exec(select(MapItem).join(MapVersion).where(MapVersion.case_id == case.id)).one()
    assert item.item_key != "a/b"
    assert client.get(f"/cases/{case.id}/signs-of-safety/items/{item.item_key}/edit").status_code == 200


def test_the_familys_copy_of_the_plan_for_anyone_names_no_worry_the_reader_may_not_know(client, db, worker_case):
    """ "Our plan" names each worry for the people who know them; its copy for anyone in the family
    (a brother who does not know of the worries may read it) says the worker's family version, or
    the goal only."""
    worker, case, _ = worker_case
    add_item(
        db,
        case=case,
        by=worker,
        category=Category.pair,
        text="Kayla may be exploited by older men.",
        goal="Kayla is home by ten and safe.",
        family_text="Everyone worries when Kayla is out late.",
    )
    add_item(
        db,
        case=case,
        by=worker,
        category=Category.pair,
        text="Kayla was hit at home in May.",
        goal="Nobody is hurt at home.",
    )
    db.commit()
    base = f"/cases/{case.id}/signs-of-safety/print?summary=true"

    named = client.get(base).text
    assert "Kayla may be exploited by older men." in named and "Kayla was hit at home in May." in named
    assert "give it only to the people who know them" in named

    for_anyone = client.get(f"{base}&everyone=true").text
    assert "exploited" not in for_anyone and "was hit" not in for_anyone
    assert "Everyone worries when Kayla is out late." in for_anyone
    assert "Kayla is home by ten and safe." in for_anyone and "Nobody is hurt at home." in for_anyone
    assert "This copy is for anyone in the family" in for_anyone


def test_the_copy_for_anyone_leaves_out_the_safety_plans_warning_signs_and_bottom_lines(client, db, worker_case):
    """Warning signs, what must never happen and the safety already there name the worries as
    written (there is no family version of them): the copy for anyone leaves them out and says so."""
    worker, case, _ = worker_case
    add_item(db, case=case, by=worker, category=Category.red_flag, text="Kayla has a new phone nobody can explain")
    add_item(db, case=case, by=worker, category=Category.non_negotiable, text="Kayla is never left alone with Mr K.")
    add_item(
        db, case=case, by=worker, category=Category.existing_safety, text="Gran collects Kayla after the youth club."
    )
    db.commit()
    base = f"/cases/{case.id}/signs-of-safety/print?summary=true"
    named = client.get(base).text
    assert "new phone nobody can explain" in named and "Mr K." in named and "Gran collects" in named
    for_anyone = client.get(f"{base}&everyone=true").text
    assert "new phone" not in for_anyone and "Mr K." not in for_anyone and "Gran collects" not in for_anyone
    assert "Left out of this copy, as they name the worries" in for_anyone


def test_the_familys_copy_reads_as_sentences_and_keeps_the_words_as_written(client, db, worker_case):
    """The copy the family is given: a next step, a rule and a warning sign typed with their own
    full stops read as sentences, names keep their capitals. Until December 2026 it read "…at
    night., by 17 Nov 2026 (key worker)", "…every night.: Donna Morgan makes sure" and "If kayla
    has a new phone…"."""
    from datetime import timedelta

    from app.timeutil import today

    worker, case, _ = worker_case
    due = today() + timedelta(days=10)
    add_item(
        db,
        case=case,
        by=worker,
        category=Category.next_step,
        text="Kayla tells Mum where she goes at night.",
        due_on=due,
    )
    add_item(db, case=case, by=worker, category=Category.red_flag, text="Kayla has a new phone nobody can explain.")
    add_item(db, case=case, by=worker, category=Category.rule, text="Kayla is home by 9pm every night.")
    db.commit()
    copy = client.get(f"/cases/{case.id}/signs-of-safety/print?summary=true").text
    assert f"Kayla tells Mum where she goes at night: by {due:%-d %b %Y}, your key worker." in copy
    assert "Warning sign: Kayla has a new phone nobody can explain. What to do: tell your worker." in copy
    assert "Kayla is home by 9pm every night." in copy
    assert ".," not in copy and ".:" not in copy and "If kayla" not in copy
