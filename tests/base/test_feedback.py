"""Service-user feedback: family-mode screens, can't say, two workers, and the side-by-side view."""

from __future__ import annotations

from sqlmodel import select

from app.base import feedback
from app.base.models import BaseFeedback
from app.cases.models import Person
from app.security.models import UserSession
from tests.base.factories import case_with_family, uid
from tests.factories import login, make_user

THEMES = [q["theme"] for q in feedback.question_set("young_person")["questions"]]


def answers(score="4", **overrides):
    data = {f"score_{t}": score for t in THEMES}
    data.update({f"score_{k}": v for k, v in overrides.items()})
    return data


def enter_family_mode(db, case, person=None) -> None:
    for user_session in db.exec(select(UserSession).where(UserSession.ended_at.is_(None))).all():
        user_session.family_case_id = case.id
        user_session.family_person_id = person.id if person else None
        db.add(user_session)
    db.commit()


def test_young_person_set_has_the_eleven_questions_from_the_practice_reference():
    questions = feedback.question_set("young_person")["questions"]
    assert len(questions) == 11
    assert questions[0]["text"].startswith("helping you feel safe and strong")
    assert {q["theme"] for q in feedback.question_set("parent")["questions"]} == set(THEMES)
    assert {q["theme"] for q in feedback.question_set("social_worker")["questions"]} == set(THEMES)


def test_young_person_and_parent_rate_in_family_mode_and_triangulation_shows_both(client, db, settings):
    worker, case, mother = case_with_family(db)
    login(client, db, worker, settings)
    young = db.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person == True)).one()  # noqa: E712
    enter_family_mode(db, case, young)
    # The older form names who is answering in a field: a worker's screen, refused in family mode.
    assert client.get(f"/cases/{case.id}/base/feedback/young_person").status_code == 403
    assert (
        client.post(
            f"/cases/{case.id}/base/feedback/parent",
            data={"id": uid(), "rater": mother.id, "round": "1", **answers("3")},
        ).status_code
        == 403
    )
    assert db.exec(select(BaseFeedback)).all() == []
    assert client.get(f"/cases/{case.id}").status_code == 403
    assert client.get(f"/cases/{case.id}/base/feedback/social_worker").status_code == 403
    response = client.post(
        f"/family/{case.id}/{young.id}/feedback",
        data={"id": uid(), "round": "1", **answers("5", risks="cant_say"), "comment_listening": "She really listens"},
    )
    assert response.status_code == 303
    # The mother's screen opens only on her turn.
    mum_answers = {"id": uid(), "round": "1", **answers("3")}
    assert client.post(f"/family/{case.id}/{mother.id}/feedback", data=mum_answers).status_code == 404
    assert client.post(f"/family/{case.id}/who", data={"person": mother.id}).status_code == 303
    assert client.post(f"/family/{case.id}/{mother.id}/feedback", data=mum_answers).status_code == 303
    rows = db.exec(select(BaseFeedback).order_by(BaseFeedback.perspective)).all()
    assert [r.given_in_family_mode for r in rows] == [True, True]
    young_answers = {a["theme"]: a["score"] for a in rows[1].answers}
    assert young_answers["risks"] is None and young_answers["listening"] == 5

    for user_session in db.exec(select(UserSession)).all():
        user_session.family_case_id = None
        db.add(user_session)
    db.commit()
    view = client.get(f"/cases/{case.id}/base/feedback?round=1")
    assert view.status_code == 200
    assert "Young person" in view.text and "Parent or carer" in view.text
    assert "score-na\">Can't say" in view.text and "She really listens" in view.text
    triangle = feedback.triangulation(session=db, case_id=case.id, review_round=1)
    assert triangle["averages"] == {"young_person": 5.0, "parent": 3.0, "social_worker": None}


def test_unanswered_question_is_refused_with_the_error_beside_it(client, db, settings):
    worker, case, mother = case_with_family(db)
    login(client, db, worker, settings)
    data = {"id": uid(), "rater": mother.id, "round": "1", **answers()}
    del data["score_explaining"]
    response = client.post(f"/cases/{case.id}/base/feedback/parent", data=data)
    assert response.status_code == 422 and 'id="score_explaining-error"' in response.text
    assert db.exec(select(BaseFeedback)).all() == []


def test_replayed_feedback_is_recorded_once_and_a_rater_may_rate_two_workers(client, db, settings):
    worker, case, mother = case_with_family(db)
    co_worker = make_user(db, full_name="Priya Shah", team=None, team_id=worker.team_id)
    case.co_worker_id = co_worker.id
    db.add(case)
    login(client, db, worker, settings)
    same = {"id": uid(), "rater": mother.id, "round": "1", "about_worker": str(worker.id), **answers()}
    client.post(f"/cases/{case.id}/base/feedback/parent", data=same)
    client.post(f"/cases/{case.id}/base/feedback/parent", data=same)
    client.post(f"/cases/{case.id}/base/feedback/parent", data={**same, "id": uid(), "about_worker": str(co_worker.id)})
    rows = db.exec(select(BaseFeedback)).all()
    assert sorted(r.about_worker_id for r in rows) == sorted([worker.id, co_worker.id])
    view = client.get(f"/cases/{case.id}/base/feedback")
    assert "Priya Shah" in view.text and "Sam Okafor" in view.text


def test_social_worker_feedback_names_the_rater(client, db, settings):
    worker, case, _ = case_with_family(db)
    login(client, db, worker, settings)
    assert (
        client.post(
            f"/cases/{case.id}/base/feedback/social_worker",
            data={"id": uid(), "rater_name": "Dee Social Worker", "round": "2", **answers("4")},
        ).status_code
        == 303
    )
    row = db.exec(select(BaseFeedback)).one()
    assert (row.perspective, row.rater_name, row.round) == ("social_worker", "Dee Social Worker", 2)


def test_worker_starts_a_new_review_round_and_the_family_form_records_into_it(client, db, settings):
    worker, case, mother = case_with_family(db)
    login(client, db, worker, settings)
    client.post(
        f"/cases/{case.id}/base/feedback/parent", data={"id": uid(), "rater": mother.id, "round": "1", **answers()}
    )
    view = client.get(f"/cases/{case.id}/base/feedback")
    assert "Start review 2" in view.text
    view = client.get(f"/cases/{case.id}/base/feedback?round=2")
    assert "/base/feedback/parent?round=2" in view.text and "No feedback for this review yet." in view.text
    enter_family_mode(db, case, mother)
    form = client.get(f"/family/{case.id}/{mother.id}/feedback?round=2")
    assert 'name="round" value="2"' in form.text


# ---- the family's own screen: /family/<case>/<person>/feedback ----------------------------------


def _family(db, client, settings):
    from tests.family.factories import with_pin, young_person

    worker, case, mother = case_with_family(db)
    with_pin(worker, db)
    db.commit()
    login(client, db, worker, settings)
    return worker, case, mother, young_person(db, case)


def _rows(db) -> list[BaseFeedback]:
    db.expire_all()
    return list(db.exec(select(BaseFeedback).order_by(BaseFeedback.perspective)).all())


def test_family_screen_in_family_mode_records_each_persons_answers_in_their_name(client, db, settings):
    from app.audit.models import AuditEntry
    from tests.family.factories import hand_over

    worker, case, mother, amira = _family(db, client, settings)
    assert hand_over(client, case, amira).status_code == 303
    home = client.get(f"/family/{case.id}/{amira.id}").text
    assert f'href="/family/{case.id}/{amira.id}/feedback"' in home  # the family find it on their home screen
    page = client.get(f"/family/{case.id}/{amira.id}/feedback")
    assert page.status_code == 200
    # A family screen: locked to the case, no way out but "Hand back", one question at a time.
    assert f'data-family-lock data-case="{case.id}" data-person="{amira.id}"' in page.text
    assert 'class="site-nav"' not in page.text and "data-one-at-a-time" in page.text
    assert f'data-offline-next="/family/{case.id}/{amira.id}/done"' in page.text and 'data-offline="true"' in page.text
    assert "helping you feel safe and strong" in page.text  # the young person's wording
    saved = client.post(
        f"/family/{case.id}/{amira.id}/feedback",
        data={
            "id": uid(),
            "round": "1",
            "about_worker": str(worker.id),
            **answers("5", risks="cant_say"),
            "comment_listening": "She listens",
        },
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/family/{case.id}/{amira.id}/done"

    client.post(f"/family/{case.id}/who", data={"person": mother.id})
    assert "worker" in client.get(f"/family/{case.id}/{mother.id}/feedback").text
    assert (
        client.post(
            f"/family/{case.id}/{mother.id}/feedback", data={"id": uid(), "round": "1", **answers("3")}
        ).status_code
        == 303
    )

    rows = _rows(db)
    assert [
        (r.perspective, r.rater_name, r.given_in_family_mode, r.recorded_by_id, r.about_worker_id) for r in rows
    ] == [
        ("parent", "Samira Hassan", True, worker.id, worker.id),
        ("young_person", "Amira Hassan", True, worker.id, worker.id),
    ]
    assert {a["theme"]: a["score"] for a in rows[1].answers}["risks"] is None
    audited = db.exec(
        select(AuditEntry.object_id).where(AuditEntry.object_type == "base_feedback", AuditEntry.action == "create")
    ).all()
    assert sorted(audited) == sorted(r.id for r in rows)
    # The worker's own screens stay closed until the hand-back.
    assert client.get(f"/cases/{case.id}/base/feedback").status_code == 403


def test_family_screen_answers_sent_later_by_the_workers_session_apply_once_in_the_persons_name(client, db, settings):
    """After an offline hand-over the outbox replays the family's answers as the worker's user."""
    from app.sync.models import SyncOperation

    worker, case, mother, amira = _family(db, client, settings)
    # The worker opens the screen as "Take offline" does: the same family screen.
    page = client.get(f"/family/{case.id}/{mother.id}/feedback")
    assert page.status_code == 200 and "data-family-lock" in page.text and 'name="round" value="1"' in page.text
    op = uid()
    sent = {"id": op, "round": "1", **answers("2"), "comment_explaining": "Clear about the plan"}
    first = client.post(f"/family/{case.id}/{mother.id}/feedback", data=sent, headers={"Idempotency-Key": op})
    again = client.post(f"/family/{case.id}/{mother.id}/feedback", data=sent, headers={"Idempotency-Key": op})
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"] == f"/family/{case.id}/{mother.id}/done"
    assert again.headers.get("Idempotent-Replayed") == "true"
    # Even without the ledger's header, the client's id keeps it one record.
    client.post(f"/family/{case.id}/{mother.id}/feedback", data=sent)
    row = _rows(db)
    assert len(row) == 1 and row[0].id == op
    assert (row[0].perspective, row[0].rater_name, row[0].given_in_family_mode, row[0].recorded_by_id) == (
        "parent",
        "Samira Hassan",
        True,
        worker.id,
    )
    assert db.get(SyncOperation, op) is not None


def test_family_screen_answers_under_another_raters_id_are_kept_as_theirs_not_told_saved_and_lost(client, db, settings):
    worker, case, mother, amira = _family(db, client, settings)
    op = uid()
    sent = {"id": op, "round": "1", **answers("2")}
    assert client.post(f"/family/{case.id}/{mother.id}/feedback", data=sent).status_code == 303
    assert client.post(f"/family/{case.id}/{amira.id}/feedback", data=sent).status_code == 303
    assert client.post(f"/family/{case.id}/{amira.id}/feedback", data=sent).status_code == 303
    rows = _rows(db)
    assert [(r.perspective, r.rater_name) for r in rows] == [
        ("parent", "Samira Hassan"),
        ("young_person", "Amira Hassan"),
    ]
    assert rows[0].id == op and rows[1].id != op
    # Another case's id is not found, and nothing is stored.
    _, other, other_mother = case_with_family(db, key_worker_id=worker.id)
    db.commit()
    assert client.post(f"/family/{other.id}/{other_mother.id}/feedback", data=sent).status_code == 404
    assert len(_rows(db)) == 2
    assert client.post(f"/family/{other.id}/{other_mother.id}/feedback", data={**sent, "id": uid()}).status_code == 303


def test_family_screen_answers_sent_again_after_the_person_was_renamed_stay_saved_once(client, db, settings):
    worker, case, mother, amira = _family(db, client, settings)
    op = uid()
    sent = {"id": op, "round": "1", **answers("2")}
    assert client.post(f"/family/{case.id}/{mother.id}/feedback", data=sent).status_code == 303
    mother.name = "Samira Hassan-Ali"
    db.add(mother)
    db.commit()
    again = client.post(f"/family/{case.id}/{mother.id}/feedback", data=sent)
    assert again.status_code == 303 and again.headers["location"] == f"/family/{case.id}/{mother.id}/done"
    assert [(r.id, r.rater_name) for r in _rows(db)] == [(op, "Samira Hassan")]


def test_family_screen_refuses_a_missing_answer_beside_it_keeping_the_id_and_the_rest(client, db, settings):
    worker, case, mother, amira = _family(db, client, settings)
    data = {"id": uid(), "round": "1", **answers("4")}
    del data["score_explaining"]
    refused = client.post(f"/family/{case.id}/{amira.id}/feedback", data=data)
    assert refused.status_code == 422 and 'id="score_explaining-error"' in refused.text
    assert f'name="id" value="{data["id"]}"' in refused.text and 'value="4" checked' in refused.text
    assert _rows(db) == []


def test_family_screen_refuses_a_long_comment_beside_its_box_and_the_box_says_its_limit(client, db, settings):
    worker, case, mother, amira = _family(db, client, settings)
    url = f"/family/{case.id}/{amira.id}/feedback"
    assert 'name="comment_explaining" maxlength="1000"' in client.get(url).text
    data = {"id": uid(), "round": "1", **answers("4"), "comment_explaining": "y" * 1100}
    refused = client.post(url, data=data)
    assert refused.status_code == 422 and 'id="comment_explaining-error"' in refused.text
    assert "Keep this to 1000 characters or fewer (it has 1100)." in refused.text
    assert 'aria-describedby="comment_explaining-error" aria-invalid="true"' in refused.text
    assert _rows(db) == []


def test_family_screen_is_only_for_people_on_the_case_and_the_cases_worker(client, db, settings):
    from tests.factories import make_case
    from tests.family.factories import hand_over, young_person

    worker, case, mother, amira = _family(db, client, settings)
    other = make_case(db, worker=worker)
    theirs = young_person(db, other)
    db.commit()
    # Someone from another case in the address: not found, and nothing recorded.
    assert client.get(f"/family/{case.id}/{theirs.id}/feedback").status_code == 404
    assert (
        client.post(
            f"/family/{case.id}/{theirs.id}/feedback", data={"id": uid(), "round": "1", **answers()}
        ).status_code
        == 404
    )
    # In family mode, only the handed-over case.
    hand_over(client, case, amira)
    assert client.get(f"/family/{other.id}/{theirs.id}/feedback").status_code == 404
    assert (
        client.post(
            f"/family/{other.id}/{theirs.id}/feedback", data={"id": uid(), "round": "1", **answers()}
        ).status_code
        == 404
    )
    # Another worker, not on the case: not found.
    stranger = make_user(db)
    db.commit()
    login(client, db, stranger, settings)
    assert client.get(f"/family/{case.id}/{amira.id}/feedback").status_code == 404
    assert (
        client.post(f"/family/{case.id}/{amira.id}/feedback", data={"id": uid(), "round": "1", **answers()}).status_code
        == 404
    )
    assert _rows(db) == []


def test_family_screen_adds_to_the_latest_review_unless_the_link_names_one(client, db, settings):
    worker, case, mother, amira = _family(db, client, settings)
    url = f"/family/{case.id}/{amira.id}/feedback"
    assert 'name="round" value="1"' in client.get(url).text
    client.post(
        f"/cases/{case.id}/base/feedback/social_worker",
        data={"id": uid(), "rater_name": "Dee", "round": "2", **answers()},
    )
    assert 'name="round" value="2"' in client.get(url).text
    assert 'name="round" value="3"' in client.get(f"{url}?round=3").text
    view = client.get(f"/cases/{case.id}/base/feedback?round=3").text
    assert "The family screens add to the latest review with feedback (review 2)" in view


def test_take_offline_keeps_the_feedback_screen_of_everyone_on_the_case(client, db, settings):
    worker, case, mother, amira = _family(db, client, settings)
    listed = client.get(f"/cases/{case.id}/offline-pages").json()["pages"]
    screens = [f"/family/{case.id}/{amira.id}/feedback", f"/family/{case.id}/{mother.id}/feedback"]
    assert set(screens) <= set(listed)  # before any assessment too
    # With what the family need around them: their home, "All done", the hand-over and hand-back.
    assert {
        f"/family/{case.id}/{amira.id}",
        f"/family/{case.id}/{mother.id}/done",
        f"/cases/{case.id}/hand-to-family",
        f"/family/{case.id}/hand-back",
    } <= set(listed)
    for url in screens:
        page = client.get(url)
        assert page.status_code == 200 and 'data-offline="true"' in page.text, url


def test_family_screen_with_two_workers_asks_which_and_records_about_the_one_chosen(client, db, settings):
    worker, case, mother, amira = _family(db, client, settings)
    co_worker = make_user(db, full_name="Priya Shah", team=None, team_id=worker.team_id)
    case.co_worker_id = co_worker.id
    db.add(case)
    db.commit()
    url = f"/family/{case.id}/{amira.id}/feedback"
    page = client.get(url).text
    assert "Which worker is this about?" in page and page.count('<span class="mark" aria-hidden="true"></span>') == 2
    assert (
        client.post(url, data={"id": uid(), "round": "1", "about_worker": str(co_worker.id), **answers()}).status_code
        == 303
    )
    assert [r.about_worker_id for r in _rows(db)] == [co_worker.id]


def test_second_parents_answers_under_the_first_parents_reused_form_id_are_kept_as_their_own(client, db, settings):
    """A device that reuses the first parent's form id for the second parent: the second parent's
    answers are a new record (told saved, and they are), and sending them again is still one."""
    worker, case, mother, amira = _family(db, client, settings)
    father = Person(case_id=case.id, name="Omar Hassan", given_name="Omar", relationship="Father", in_household=True)
    db.add(father)
    db.commit()
    op = uid()
    assert client.post(f"/family/{case.id}/{mother.id}/feedback", data={"id": op, "round": "1", **answers("2")})
    dad = {"id": op, "round": "1", **answers("5"), "comment_listening": "He listens to me"}
    first = client.post(f"/family/{case.id}/{father.id}/feedback", data=dad)
    again = client.post(f"/family/{case.id}/{father.id}/feedback", data=dad)
    assert first.status_code == again.status_code == 303
    rows = sorted(_rows(db), key=lambda r: r.rater_name)
    assert [(r.rater_name, {a["theme"]: a["score"] for a in r.answers}["listening"]) for r in rows] == [
        ("Omar Hassan", 5),
        ("Samira Hassan", 2),
    ]
    assert rows[1].id == op and rows[0].id != op
    view = client.get(f"/cases/{case.id}/base/feedback?round=1").text
    assert "Omar Hassan" in view and "He listens to me" in view


def test_two_parents_of_one_name_giving_the_same_answers_under_a_reused_id_are_both_kept(client, db, settings):
    """Two people on the case share a name (a mother and a stepfather both called Alex Morgan) and
    a device reused the first one's form id: the second's answers, the same as the first's, were
    taken for a replay and dropped while the screen said they were saved. Each is stored under
    the person who gave it."""
    worker, case, mother, amira = _family(db, client, settings)
    mother.name = "Alex Morgan"
    stepfather = Person(case_id=case.id, name="Alex Morgan", given_name="Alex", relationship="Stepfather")
    db.add_all([mother, stepfather])
    db.commit()
    sent = {"id": uid(), "round": "1", **answers("4")}
    assert client.post(f"/family/{case.id}/{mother.id}/feedback", data=sent).status_code == 303
    assert client.post(f"/family/{case.id}/{stepfather.id}/feedback", data=sent).status_code == 303
    assert client.post(f"/family/{case.id}/{stepfather.id}/feedback", data=sent).status_code == 303  # sent again
    assert sorted(r.rater_person_id for r in _rows(db)) == sorted([mother.id, stepfather.id])
    # The worker's own form for a parent's answers names the person too.
    client.post(
        f"/cases/{case.id}/base/feedback/parent", data={"id": uid(), "rater": stepfather.id, "round": "2", **answers()}
    )
    assert [r.rater_person_id for r in _rows(db) if r.round == 2] == [stepfather.id]


def test_same_parents_changed_answers_under_their_own_id_are_not_dropped_as_a_replay(client, db, settings):
    worker, case, mother, amira = _family(db, client, settings)
    op = uid()
    assert client.post(f"/family/{case.id}/{mother.id}/feedback", data={"id": op, "round": "1", **answers("2")})
    changed = client.post(f"/family/{case.id}/{mother.id}/feedback", data={"id": op, "round": "1", **answers("4")})
    assert changed.status_code == 303
    assert sorted({a["score"] for a in r.answers}.pop() for r in _rows(db)) == [2, 4]


def test_from_the_outbox_a_second_parents_answers_under_a_reused_id_are_not_told_saved(client, db, settings):
    """The outbox sends the form's id as the Idempotency-Key: the ledger answered the first
    parent's "saved" (and her done page) for the second parent's answers, which were lost. Now the
    item is refused with a message and waits on the device, and nothing is stored in anyone's name."""
    worker, case, mother, amira = _family(db, client, settings)
    father = Person(case_id=case.id, name="Omar Hassan", given_name="Omar", relationship="Father", in_household=True)
    db.add(father)
    db.commit()
    op = uid()
    keyed = {"Idempotency-Key": op, "Accept": "application/json"}
    mum = {"id": op, "round": "1", **answers("2")}
    assert client.post(f"/family/{case.id}/{mother.id}/feedback", data=mum, headers=keyed).status_code == 303
    dad = client.post(f"/family/{case.id}/{father.id}/feedback", data={**mum, **answers("5")}, headers=keyed)
    assert dad.status_code == 422 and "already used for another form" in dad.json()["detail"]
    assert dad.headers["X-Homeward-Id-Used"] == "true"  # Edit and retry sends it under an id of its own
    assert [r.rater_name for r in _rows(db)] == ["Samira Hassan"]
    again = client.post(f"/family/{case.id}/{mother.id}/feedback", data=mum, headers=keyed)
    assert again.status_code == 303 and again.headers["Idempotent-Replayed"] == "true"
