"""Diamond ratings: the family rates on their own screens, the worker separately, nobody overwrites."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from sqlalchemy import event
from sqlmodel import select

from app.diamond.models import DiamondRating
from tests.diamond.factories import four, rate
from tests.factories import login, make_case, make_user
from tests.family.factories import PIN, add_person, hand_over, with_pin, young_person


def _family_mode(client, db, settings):
    worker = with_pin(make_user(db, full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    mother = add_person(db, case)
    login(client, db, worker, settings)
    hand_over(client, case, young_person(db, case))
    return worker, case, mother


def _y(db, case) -> str:
    """The young person's family screens."""
    return f"/family/{case.id}/{young_person(db, case).id}"


def _form_id(html: str) -> str:
    return re.search(r'name="id" value="([0-9a-f-]{36})"', html).group(1)


def test_young_person_rates_each_aim_on_its_own_screen_then_sees_all_done(client, db, settings):
    worker, case, _ = _family_mode(client, db, settings)
    y = _y(db, case)
    for aim, score, following in (
        ("wellbeing", 4, f"{y}/diamond/learning"),
        ("learning", 6, f"{y}/diamond/relationships"),
        ("relationships", 7, f"{y}/diamond/empowerment"),
        ("empowerment", 3, f"{y}/done"),
    ):
        page = client.get(f"{y}/diamond/{aim}")
        assert page.status_code == 200 and 'data-offline="true"' in page.text
        # Kept on the device, the answer is saved there and the next question opens at once.
        assert f'data-offline-next="{following}"' in page.text
        assert page.text.count('type="radio"') == 11
        response = client.post(
            f"{y}/diamond/{aim}",
            data={
                "id": _form_id(page.text),
                "score": score,
                "positive_experiences": "Football on Saturdays" if aim == "wellbeing" else "",
            },
        )
        assert response.status_code == 303 and response.headers["location"] == following
    assert "All done" in client.get(f"{y}/done").text
    rows = db.exec(select(DiamondRating).where(DiamondRating.case_id == case.id)).all()
    assert {r.aim: r.score for r in rows} == four(4, 6, 7, 3)
    assert all(
        r.person_id == young_person(db, case).id
        and r.user_id is None
        and r.in_family_mode
        and r.recorded_by_user_id == worker.id
        for r in rows
    )


def test_question_screen_shows_progress_in_words_and_dots(client, db, settings):
    _, case, _ = _family_mode(client, db, settings)
    page = client.get(f"{_y(db, case)}/diamond/relationships").text
    assert "Question 3 of 4" in page
    assert page.count('class="dot dot-done"') == 2 and page.count('class="dot dot-now"') == 1
    assert "<bdi>0</bdi> = Not good at all" in page and "<bdi>10</bdi> = Really good" in page


def test_replayed_rating_post_is_recorded_once_and_answers_the_same(client, db, settings):
    _, case, _ = _family_mode(client, db, settings)
    rating_id = str(uuid.uuid4())
    first = client.post(f"{_y(db, case)}/diamond/learning", data={"id": rating_id, "score": 5})
    again = client.post(f"{_y(db, case)}/diamond/learning", data={"id": rating_id, "score": 5})
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert len(db.exec(select(DiamondRating).where(DiamondRating.case_id == case.id)).all()) == 1


def test_missing_or_out_of_range_number_is_asked_again_beside_the_scale(client, db, settings):
    _, case, _ = _family_mode(client, db, settings)
    for score in ("", "11", "seven"):
        response = client.post(
            f"{_y(db, case)}/diamond/wellbeing",
            data={"id": str(uuid.uuid4()), "score": score, "next_step": "Go to the youth club"},
        )
        assert response.status_code == 422
        assert "Please tap a number from 0 to 10." in response.text
        assert "Go to the youth club" in response.text
    assert db.exec(select(DiamondRating)).all() == []


def _beside(page: str, field: str) -> str:
    """The message beside a field of the family question (empty when there is none)."""
    found = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', page, re.S)
    return re.sub(r"<[^>]*>|⚠", "", found.group(1)).strip() if found else ""


def test_a_long_answer_is_refused_beside_its_box_and_the_boxes_say_their_limits(client, db, settings):
    _, case, _ = _family_mode(client, db, settings)
    page = client.get(f"{_y(db, case)}/diamond/wellbeing").text
    assert re.search(r'<textarea id="positive_experiences"[^>]* maxlength="1000"', page)
    assert re.search(r'<textarea id="next_step"[^>]* maxlength="500"', page)
    long = {"id": str(uuid.uuid4()), "score": "6", "positive_experiences": "x" * 1200, "next_step": "y" * 600}
    refused = client.post(f"{_y(db, case)}/diamond/wellbeing", data=long)
    assert refused.status_code == 422
    assert _beside(refused.text, "positive_experiences") == "Keep this to 1000 characters or fewer (it has 1200)."
    assert _beside(refused.text, "next_step") == "Keep this to 500 characters or fewer (it has 600)."
    assert 'aria-describedby="next_step-error" aria-invalid="true"' in refused.text
    assert 'class="error-summary"' in refused.text and '<a href="#positive_experiences">' in refused.text
    assert '<details class="more" open>' in refused.text and 'value="6" checked' in refused.text
    assert db.exec(select(DiamondRating)).all() == []


def test_a_long_answer_replayed_after_the_hand_back_is_refused_with_its_message(client, db, settings):
    """Sent later from the outbox by the worker's session, it is refused with words the Outbox
    shows beside the item it sets aside (offline.js reads each field error and its label)."""
    _, case, _ = _family_mode(client, db, settings)
    assert client.post(f"/family/{case.id}/hand-back", data={"pin": PIN}).status_code == 303
    replay = {"id": str(uuid.uuid4()), "score": "6", "positive_experiences": "x" * 1200, "rated_on": ""}
    refused = client.post(f"{_y(db, case)}/diamond/wellbeing", data=replay)
    assert refused.status_code == 422
    field = re.search(r'<div class="field has-error">\s*<label for="positive_experiences">(.*?)</label>\s*(.*?)</div>',
                      refused.text, re.S)  # fmt: skip
    assert field and field.group(1) == "What good things are behind your number?"
    assert "Keep this to 1000 characters or fewer (it has 1200)." in field.group(2)
    assert db.exec(select(DiamondRating)).all() == []


def test_a_long_answer_is_refused_in_the_familys_language(client, db, settings):
    _, case, _ = _family_mode(client, db, settings)
    kayla = young_person(db, case)
    kayla.preferred_language = "pl"
    db.add(kayla)
    db.commit()
    long = {"id": str(uuid.uuid4()), "score": "6", "positive_experiences": "x" * 1200}
    refused = client.post(f"{_y(db, case)}/diamond/wellbeing", data=long)
    assert refused.status_code == 422 and '<html lang="pl"' in refused.text
    assert (
        _beside(refused.text, "positive_experiences") == "To jest za długie. Najwięcej znaków: 1000. Teraz jest: 1200."
    )


def test_mother_rates_for_herself_after_the_young_person(client, db, settings):
    _, case, mother = _family_mode(client, db, settings)
    client.post(f"{_y(db, case)}/diamond/wellbeing", data={"id": str(uuid.uuid4()), "score": 3})
    assert (
        client.post(f"/family/{case.id}/who", data={"person": mother.id}).headers["location"]
        == f"/family/{case.id}/{mother.id}"
    )
    client.post(f"/family/{case.id}/{mother.id}/diamond/wellbeing", data={"id": str(uuid.uuid4()), "score": 8})
    rows = db.exec(select(DiamondRating).order_by(DiamondRating.score)).all()
    assert [(r.person_id, r.score) for r in rows] == [(young_person(db, case).id, 3), (mother.id, 8)]


def test_unknown_aim_is_not_found(client, db, settings):
    _, case, _ = _family_mode(client, db, settings)
    assert client.get(f"{_y(db, case)}/diamond/happiness").status_code == 404


def test_worker_rates_separately_after_hand_back_and_replay_changes_nothing(client, db, settings):
    worker, case, _ = _family_mode(client, db, settings)
    client.post(f"/family/{case.id}/hand-back", data={"pin": PIN})
    page = client.get(f"/cases/{case.id}/diamond/rate")
    assert page.status_code == 200 and 'data-offline="true"' in page.text
    data = {"id": _form_id(page.text), **four(5, 6, 4, 6), "positive_experiences": "Kayla came to every session"}
    assert client.post(f"/cases/{case.id}/diamond/rate", data=data).status_code == 303
    assert client.post(f"/cases/{case.id}/diamond/rate", data=data).status_code == 303
    rows = db.exec(select(DiamondRating)).all()
    assert len(rows) == 4
    assert all(r.user_id == worker.id and r.person_id is None and not r.in_family_mode for r in rows)


def test_worker_rating_needs_all_four_numbers(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    response = client.post(
        f"/cases/{case.id}/diamond/rate", data={"id": str(uuid.uuid4()), "wellbeing": 5, "learning": 12}
    )
    assert response.status_code == 422
    assert response.text.count("field-error") >= 3
    assert db.exec(select(DiamondRating)).all() == []


def test_rating_id_already_used_on_another_case_is_refused_not_reused(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    other = make_case(db, worker=worker)
    submission = uuid.uuid4()
    rate(
        db,
        case=other,
        by_user=worker,
        scores={"wellbeing": 2},
        on=date(2026, 1, 5),
        id=str(uuid.uuid5(submission, "wellbeing")),
    )
    db.commit()
    login(client, db, worker, settings)
    response = client.post(f"/cases/{case.id}/diamond/rate", data={"id": str(submission), **four(1, 1, 1, 1)})
    assert response.status_code == 422
    assert "This rating belongs to another case." in response.text
    assert db.exec(select(DiamondRating).where(DiamondRating.case_id == case.id)).all() == []


def test_other_workers_cannot_see_or_rate_the_diamond(client, db, settings):
    owner = make_user(db)
    stranger = make_user(db)
    case = make_case(db, worker=owner)
    login(client, db, stranger, settings)
    assert client.get(f"/cases/{case.id}/diamond").status_code == 404
    assert (
        client.post(f"/cases/{case.id}/diamond/rate", data={"id": str(uuid.uuid4()), **four(1, 1, 1, 1)}).status_code
        == 404
    )
    assert client.get(f"/cases/{case.id}/hand-to-family").status_code == 404


def _three_raters(db, worker, case, mother):
    kayla = young_person(db, case)
    start = date(2026, 1, 10)
    for i, day in enumerate((start, start + timedelta(days=42), start + timedelta(days=84))):
        rate(db, case=case, by_user=worker, person=kayla, scores=four(3 + i, 4 + i, 2 + i, 3 + i), on=day)
        rate(db, case=case, by_user=worker, person=mother, scores=four(5 + i, 5, 6 + i, 4), on=day)
        rate(db, case=case, by_user=worker, scores=four(4 + i, 5 + i, 4 + i, 5), on=day)
    db.commit()


def test_case_page_shows_one_diamond_shape_per_rater_with_a_table_and_conversation_points(client, db, settings):
    worker = make_user(db, full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    mother = add_person(db, case)
    _three_raters(db, worker, case, mother)
    login(client, db, worker, settings)
    page = client.get(f"/cases/{case.id}").text
    section = page[page.index('id="case-diamond"') : page.index('id="case-diamond-table"')]
    assert section.count('class="rater-shape"') == 3
    assert 'role="img"' in section and "<title" in section
    assert "Kayla (young person)" in page and "Donna (mother)" in page and "Sam Okafor (worker)" in page
    # Latest: Kayla 4 on relationships, Donna 8: a difference of 4.
    assert "Relationships:</strong> Donna gave 8, Sam Okafor gave 6, Kayla gave 4. A difference of 4" in page
    assert ">Diamond</a>" in page and ">Hand to family</a>" in page


def test_diamond_page_has_this_time_and_last_time_progress_charts_tables_and_credit(client, db, settings):
    worker = make_user(db, full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    mother = add_person(db, case)
    _three_raters(db, worker, case, mother)
    login(client, db, worker, settings)
    page = client.get(f"/cases/{case.id}/diamond").text
    assert page.count('class="rater-shape last-time"') == 3
    assert page.count('class="rater-line"') == 12
    assert page.count("<table") == 1 + 3 + 4
    assert "ThemPra" in page and "not a validated measure" in page
    printable = client.get(f"/cases/{case.id}/diamond/print")
    assert printable.status_code == 200 and "Our Diamond" in printable.text


def test_case_page_runs_the_same_number_of_queries_however_many_ratings(client, app, db, settings, engine):
    worker = make_user(db)
    small = make_case(db, worker=worker)
    big = make_case(db, worker=worker)
    rate(db, case=small, by_user=worker, scores=four(1, 2, 3, 4), on=date(2026, 1, 1))
    for i in range(12):
        rate(
            db,
            case=big,
            by_user=worker,
            person=add_person(db, big, name=f"Person {i} Big"),
            scores=four(i % 11, 2, 3, 4),
            on=date(2026, 1, 1) + timedelta(days=7 * i),
        )
    db.commit()
    login(client, db, worker, settings)
    counts = []
    for case in (small, big):
        statements: list[str] = []
        listener = lambda *args, statements=statements: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/cases/{case.id}").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_timeline_has_one_item_per_day_naming_the_raters_with_utc_times(client, db, settings):
    from app.diamond.timeline import items

    worker = make_user(db, full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    rate(
        db,
        case=case,
        by_user=worker,
        person=young_person(db, case),
        scores=four(3, 4, 5, 6),
        on=date(2026, 2, 1),
        in_family_mode=True,
    )
    rate(db, case=case, by_user=worker, scores=four(5, 5, 5, 5), on=date(2026, 2, 1))
    db.commit()
    timeline = items(session=db, case=case)
    rate(db, case=case, by_user=worker, scores=four(6, 6, 6, 6), on=date(2026, 3, 1))
    db.commit()
    timeline = items(session=db, case=case)
    assert [i.title for i in timeline] == [
        "Diamond rated by Kayla Morgan and Sam Okafor",
        "Diamond rated by Sam Okafor",
    ]
    assert all(i.at.tzinfo is not None for i in timeline)
    assert [i.detail for i in timeline] == ["with the family screens", ""]
    login(client, db, worker, settings)
    assert "Diamond rated by Kayla Morgan and Sam Okafor" in client.get(f"/cases/{case.id}").text


def test_answer_for_another_person_is_refused_on_someone_elses_turn_and_applies_after_the_hand_back(
    client, db, settings
):
    _, case, mother = _family_mode(client, db, settings)
    kayla = young_person(db, case)
    page = client.get(f"{_y(db, case)}/diamond/wellbeing").text
    assert f'action="/family/{case.id}/{kayla.id}/diamond/wellbeing"' in page
    client.post(f"/family/{case.id}/who", data={"person": mother.id})
    # On her mother's turn nobody can answer in Kayla's name, nor read her screens.
    kaylas = {"id": _form_id(page), "score": 2}
    refused = client.post(f"/family/{case.id}/{kayla.id}/diamond/wellbeing", data=kaylas)
    assert refused.status_code == 404 and "hand the tablet back" in refused.text
    assert client.get(f"{_y(db, case)}/diamond/wellbeing").status_code == 404
    client.post(f"/family/{case.id}/{mother.id}/diamond/learning", data={"id": str(uuid.uuid4()), "score": 9})
    # Kayla's answer queued offline arrives after the hand-back: the address says whose it is.
    assert client.post(f"/family/{case.id}/hand-back", data={"pin": PIN}).status_code == 303
    assert client.post(f"/family/{case.id}/{kayla.id}/diamond/wellbeing", data=kaylas).status_code == 303
    other = make_case(db, worker=make_user(db))
    db.commit()
    # Someone from another case cannot be named in this case's address.
    assert (
        client.post(
            f"/family/{case.id}/{young_person(db, other).id}/diamond/learning",
            data={"id": str(uuid.uuid4()), "score": 9},
        ).status_code
        == 404
    )
    rows = {r.aim: r.person_id for r in db.exec(select(DiamondRating)).all()}
    assert rows == {"wellbeing": kayla.id, "learning": mother.id}


def test_answers_saved_offline_apply_once_after_the_hand_back_in_the_raters_name(client, db, settings):
    """The outbox replays the family's answers as the worker, after family mode has ended."""
    worker, case, mother = _family_mode(client, db, settings)
    kayla = young_person(db, case)
    queued = [
        (f"/family/{case.id}/{kayla.id}/diamond/wellbeing", str(uuid.uuid4()), 3),
        (f"/family/{case.id}/{mother.id}/diamond/wellbeing", str(uuid.uuid4()), 8),
    ]
    assert client.post(f"/family/{case.id}/hand-back", data={"pin": PIN}).status_code == 303
    for _ in range(2):  # sent, then sent again as after a lost answer
        for target, op_id, score in queued:
            response = client.post(
                target,
                data={"id": op_id, "score": score},
                headers={"Idempotency-Key": op_id, "Accept": "application/json"},
            )
            assert response.status_code == 303, response.text
    rows = db.exec(select(DiamondRating).order_by(DiamondRating.score)).all()
    assert [(r.person_id, r.score, r.user_id, r.in_family_mode, r.recorded_by_user_id) for r in rows] == [
        (kayla.id, 3, None, True, worker.id),
        (mother.id, 8, None, True, worker.id),
    ]


def test_answers_queued_by_the_old_family_screens_still_apply_after_the_hand_back(client, db, settings):
    _, case, mother = _family_mode(client, db, settings)
    client.post(f"/family/{case.id}/hand-back", data={"pin": PIN})
    rating_id = str(uuid.uuid4())
    for _ in range(2):
        assert (
            client.post("/family/diamond/learning", data={"id": rating_id, "rater": mother.id, "score": 6}).status_code
            == 303
        )
    assert [(r.person_id, r.score) for r in db.exec(select(DiamondRating)).all()] == [(mother.id, 6)]


def test_charts_and_notes_call_each_family_member_by_the_name_they_go_by(client, app, db, settings, engine):
    """As the family screens greet them: never "Mrs (mother)" from the first word of a full name."""
    worker = make_user(db, full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan", preferred_name="Kay")
    mother = add_person(db, case, name="Mrs Donna Morgan", given_name="Donna")
    nan = add_person(
        db, case, name="Nguyễn Thị Lan", relationship="Grandmother", given_name="", preferred_name="Bà Lan"
    )
    day = date(2026, 1, 10)
    rate(db, case=case, by_user=worker, person=young_person(db, case), scores=four(3, 4, 2, 3), on=day)
    rate(db, case=case, by_user=worker, person=mother, scores=four(5, 5, 6, 4), on=day)
    rate(db, case=case, by_user=worker, person=nan, scores={"wellbeing": 7}, on=day, positive_experiences="Sunday tea")
    db.commit()
    login(client, db, worker, settings)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        page = client.get(f"/cases/{case.id}/diamond").text
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert "Kay (young person)" in page and "Donna (mother)" in page and "Bà Lan (grandmother)" in page
    assert "Mrs (mother)" not in page and "Nguyễn (grandmother)" not in page and "Kayla (young person)" not in page
    assert "<strong>Bà Lan (grandmother)</strong>" in page  # the note of the good things she said
    # The names come with the ratings: one statement reads the Diamond's people whoever rated.
    assert sum("FROM diamond_rating" in s for s in statements) == 1
