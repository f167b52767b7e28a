"""Recording network meetings: attendees, tasks, replays from the outbox, stale edits, reviews, finality."""

from __future__ import annotations

import uuid

from sqlmodel import func, select

from app.audit.models import AuditEntry
from app.network.models import MeetingAddendum, NetworkMeeting, NetworkTask, TaskUpdate
from tests.factories import login, make_user
from tests.network.factories import make_family_case, meeting_form
from tests.sync.shown_form import kept_form, post_from


def _record(client, case, people, **overrides):
    data = meeting_form(people, **overrides)
    response = client.post(f"/cases/{case.id}/network/meetings", data=data)
    return data, response


def test_meeting_with_six_attendees_two_apologies_advocate_and_four_tasks_shows_on_case_page(client, db, settings):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    data, response = _record(client, case, people)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "Present (4)" in page and "Apologies (2)" in page
    assert "Through an advocate" in page
    assert "Donna rings the police on 101" in page
    case_page = client.get(f"/cases/{case.id}").text
    for text in (
        "Pick Kayla up from school on Tuesdays",
        "Text Nan when Kayla is home by 10pm",
        "Share phone location every evening",
        "Find a Friday youth club",
    ):
        assert text in case_page
    assert ">Network meeting</a>" in case_page
    assert (
        db.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.object_type == "network_meeting")).one()
        == 1
    )


def test_replayed_meeting_from_outbox_is_applied_exactly_once(client, db, settings):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    data, first = _record(client, case, people)
    second = client.post(f"/cases/{case.id}/network/meetings", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert db.exec(select(func.count()).select_from(NetworkMeeting)).one() == 1
    assert db.exec(select(func.count()).select_from(NetworkTask)).one() == 4


def test_task_without_who_is_refused_beside_its_field_with_values_kept(client, db, settings):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    _data, response = _record(client, case, people, **{"task-1-who": ""})
    assert response.status_code == 422
    assert 'id="task-1-who-error"' in response.text
    assert "Text Nan when Kayla is home by 10pm" in response.text
    assert db.exec(select(func.count()).select_from(NetworkMeeting)).one() == 0


def test_edit_from_an_older_version_is_a_conflict_not_an_overwrite(client, db, settings):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    data, response = _record(client, case, people)
    url = response.headers["location"]
    edit = {**data, "base_version": "1", "venue": "Family centre"}
    assert client.post(url, data=edit).status_code == 303
    assert client.post(url, data=edit).status_code == 303  # the outbox replaying the same edit
    stale = client.post(url, data={**data, "base_version": "1", "venue": "Somewhere else"})
    # Without the script nobody knows what the page showed: every field that differs waits for
    # the worker on the common conflict page (here only the venue), nothing overwritten.
    assert stale.status_code == 409 and stale.headers["location"].startswith("/conflicts/")
    assert "<legend>Where</legend>" in stale.text and stale.text.count("<legend>") == 1
    db.expire_all()
    assert db.get(NetworkMeeting, data["id"]).venue == "Family centre"


def test_edit_keeps_task_ids_so_the_case_task_list_follows_them(client, db, settings):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    data, response = _record(client, case, people)
    edit = {**data, "base_version": "1", "task-0-what": "Pick Kayla up from school on Tuesdays and Thursdays"}
    assert client.post(response.headers["location"], data=edit).status_code == 303
    db.expire_all()
    task = db.get(NetworkTask, data["task-0-id"])
    assert task.what == "Pick Kayla up from school on Tuesdays and Thursdays"
    assert db.exec(select(func.count()).select_from(NetworkTask)).one() == 4


def test_review_meeting_opens_with_earlier_tasks_and_marks_two_done(client, db, settings):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    data, _ = _record(client, case, people)
    form = client.get(f"/cases/{case.id}/network/meetings/new?kind=review").text
    assert "Tasks from earlier meetings" in form
    assert "How it went: Pick Kayla up from school on Tuesdays" in form
    done = [data["task-0-id"], data["task-1-id"]]
    review = {
        "id": "6f1b7a52-6a55-4c1e-9d7a-0c8c9e4c2b11",
        "kind": "review",
        "held_on": "2026-11-12",
        "task-count": "0",
        f"progress-{done[0]}": "done",
        f"progress-{done[0]}-note": "Every week",
        f"progress-{done[1]}": "done",
        f"progress-{data['task-2-id']}": "partly",
        f"progress-{data['task-3-id']}": "open",
    }
    response = client.post(f"/cases/{case.id}/network/meetings", data=review)
    assert response.status_code == 303, response.text[response.text.find("error-summary") :][:600]
    db.expire_all()
    statuses = {t.id: t.status for t in db.exec(select(NetworkTask)).all()}
    assert [statuses[i] for i in done] == ["done", "done"]
    assert statuses[data["task-2-id"]] == "partly"
    assert db.exec(select(func.count()).select_from(TaskUpdate)).one() == 4
    page = client.get(response.headers["location"]).text
    assert "Every week" in page
    # The next review opens only with what is still not done.
    later = client.get(f"/cases/{case.id}/network/meetings/new?kind=review").text
    assert "How it went: Share phone location every evening" in later
    assert "How it went: Pick Kayla up from school on Tuesdays" not in later


def test_finalised_meeting_takes_corrections_as_addenda_only(client, db, settings):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    data, response = _record(client, case, people)
    url = response.headers["location"]
    assert client.post(f"{url}/finalise", data={"base_version": "1"}).status_code == 303
    assert client.post(url, data={**data, "base_version": "2", "venue": "Changed"}).status_code == 409
    addendum = {
        "id": "0b8f7f52-6a55-4c1e-9d7a-0c8c9e4c2b11",
        "addendum": "Jordan sent apologies by text, not in person.",
    }
    assert client.post(f"{url}/addenda", data=addendum).status_code == 303
    assert client.post(f"{url}/addenda", data=addendum).status_code == 303
    page = client.get(url).text
    assert page.count("Jordan sent apologies by text") == 1
    db.expire_all()
    assert db.get(NetworkMeeting, data["id"]).venue == "Nan's house"


def test_a_correction_is_only_added_to_its_own_final_meeting(client, db, settings):
    """A correction's id reused on another case's meeting is not found (never "added" while nothing
    was); a correction on a draft is refused with why, since the draft itself can be changed."""
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    data, response = _record(client, case, people)
    url = response.headers["location"]
    assert client.post(f"{url}/finalise", data={"base_version": "1"}).status_code == 303
    first = {"id": str(uuid.uuid4()), "addendum": "Jordan sent apologies by text."}
    assert client.post(f"{url}/addenda", data=first).status_code == 303
    other_worker, other_case, other_people = make_family_case(db)
    login(client, db, other_worker, settings)
    other_data, response = _record(client, other_case, other_people)
    other_url = response.headers["location"]
    draft = client.post(f"{other_url}/addenda", data={"id": str(uuid.uuid4()), "addendum": "Wrong date."})
    assert draft.status_code == 409 and "still a draft, so nothing was added" in draft.text
    assert client.post(f"{other_url}/finalise", data={"base_version": "1"}).status_code == 303
    reused = client.post(f"{other_url}/addenda", data={**first, "addendum": "Wrong date."})
    assert reused.status_code == 404
    assert "Correction added" not in client.get(other_url).text
    assert db.exec(select(func.count()).select_from(MeetingAddendum)).one() == 1


def test_task_status_from_case_page_is_versioned(client, db, settings):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    data, _ = _record(client, case, people)
    url = f"/cases/{case.id}/network/tasks/{data['task-0-id']}"
    assert client.post(url, data={"status": "done", "base_version": "1"}).status_code == 303
    assert client.post(url, data={"status": "partly", "base_version": "1"}).status_code == 409
    db.expire_all()
    assert db.get(NetworkTask, data["task-0-id"]).status == "done"


def test_update_on_the_case_page_keeps_the_note_a_review_meeting_gave_the_task(client, db, settings):
    """The case page's task form sends a status only: the review's note stays, and pressing Update
    with the status as it is changes nothing (no new version for copies kept offline to clash with)."""
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    data, _ = _record(client, case, people)
    task_id = data["task-0-id"]
    new_review = f"/cases/{case.id}/network/meetings/new?kind=review"
    review = post_from(
        kept_form(client, "meeting-form", new_review),
        **{"kind": "review", f"progress-{task_id}": "partly", f"progress-{task_id}-note": "Two of four Tuesdays"},
    )
    assert client.post(f"/cases/{case.id}/network/meetings", data=review).status_code == 303
    db.expire_all()
    version = db.get(NetworkTask, task_id).version
    update = f"/cases/{case.id}/network/tasks/{task_id}"
    task_form = {"base_version": str(version), "status": "partly"}  # the case page's form, as drawn
    answer = client.post(update, data=task_form, follow_redirects=True)
    assert "Nothing to change: the task already says “Partly done”." in answer.text
    db.expire_all()
    task = db.get(NetworkTask, task_id)
    assert (task.status, task.status_note, task.version) == ("partly", "Two of four Tuesdays", version)
    updates = select(func.count()).select_from(AuditEntry).where(AuditEntry.object_type == "network_task")
    assert db.exec(updates).one() == 0
    assert client.post(update, data={**task_form, "status": "done"}).status_code == 303
    db.expire_all()
    task = db.get(NetworkTask, task_id)
    assert (task.status, task.status_note, task.version) == ("done", "Two of four Tuesdays", version + 1)
    assert db.exec(updates).one() == 1
    # Both Updates were kept on a device: its outbox moved the second's version on past the first.
    follow_on = {"base_version": str(version + 2), "status": "not_done"}
    assert client.post(update, data=follow_on).status_code == 303
    db.expire_all()
    assert db.get(NetworkTask, task_id).status == "not_done"


def test_other_workers_cannot_see_or_write_the_network(client, db, settings):
    _worker, case, people = make_family_case(db)
    stranger = make_user(db, email="other@example.org")
    login(client, db, stranger, settings)
    assert client.get(f"/cases/{case.id}/network").status_code == 404
    _data, response = _record(client, case, people)
    assert response.status_code == 404
    assert db.exec(select(func.count()).select_from(NetworkMeeting)).one() == 0


def test_task_form_offers_the_safety_plan_rules_when_signs_of_safety_has_a_plan(client, db, settings, monkeypatch):
    monkeypatch.setattr(
        "app.signs_of_safety.service.safety_plan_rules",
        lambda *, session, case: ["Kayla is home by 10pm on school nights"],
    )
    worker, case, _people = make_family_case(db)
    login(client, db, worker, settings)
    page = client.get(f"/cases/{case.id}/network/meetings/new").text
    assert 'list="safety-rules"' in page
    assert '<option value="Kayla is home by 10pm on school nights">' in page


def test_a_meeting_is_only_found_under_its_own_case(client, db, settings):
    worker, case, people = make_family_case(db)
    _w, other_case, _p = make_family_case(db, worker=worker)
    login(client, db, worker, settings)
    data, _ = _record(client, case, people)
    assert client.get(f"/cases/{other_case.id}/network/meetings/{data['id']}").status_code == 404
    assert client.get(f"/cases/{other_case.id}/network/meetings/{data['id']}/letter.pdf").status_code == 404
    replay_elsewhere = client.post(f"/cases/{other_case.id}/network/meetings", data=data)
    assert replay_elsewhere.status_code == 404
    assert db.exec(select(func.count()).select_from(NetworkMeeting)).one() == 1


def test_a_meeting_with_agencies_when_nobody_consented_warns_before_saving(client, db, settings):
    """Issue 18: recording a network meeting with agencies when nobody consented warns first."""
    worker, case, people = make_family_case(db, network_consent=False)
    login(client, db, worker, settings)
    data, response = _record(client, case, people)
    assert response.status_code == 422
    assert "Nobody in the family has consented to a network meeting with agencies" in response.text
    assert 'name="no_consent_ok"' in response.text and "Nan&#39;s house" in response.text  # typed values kept
    assert db.exec(select(NetworkMeeting)).all() == []
    anyway = client.post(f"/cases/{case.id}/network/meetings", data={**data, "no_consent_ok": "1"})
    assert anyway.status_code == 303
    # With consent given, no warning at all.
    worker2, case2, people2 = make_family_case(db)
    login(client, db, worker2, settings)
    assert _record(client, case2, people2)[1].status_code == 303


def test_a_task_a_later_meeting_reviewed_cannot_be_reworded_or_taken_out_of_its_draft(client, db, settings):
    """The review's record shows each task as it is: rewording it, or taking it out, in the draft
    meeting it was agreed at would change or empty a record already made (finalised, even)."""
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    data, first = _record(client, case, people)
    reviewed = data["task-0-id"]
    review = {"id": str(uuid.uuid4()), "kind": "review", "held_on": "2026-11-12", "task-count": "0",
              f"progress-{reviewed}": "done", f"progress-{data['task-1-id']}": "open",
              f"progress-{data['task-2-id']}": "open", f"progress-{data['task-3-id']}": "open"}  # fmt: skip
    later = client.post(f"/cases/{case.id}/network/meetings", data=review)
    assert later.status_code == 303
    assert client.post(f"{later.headers['location']}/finalise", data={"base_version": "1"}).status_code == 303

    reworded = client.post(
        first.headers["location"], data={**data, "base_version": "1", "task-0-what": "Something else"}
    )
    assert reworded.status_code == 422 and 'id="task-0-what-error"' in reworded.text
    assert "reviewed at the meeting on 12 Nov 2026" in reworded.text and 'value="Something else"' in reworded.text
    taken_out = {k: v for k, v in data.items() if not k.startswith("task-0-")} | {"base_version": "1"}
    removed = client.post(first.headers["location"], data=taken_out)
    assert removed.status_code == 422 and 'id="tasks-error"' in removed.text
    db.expire_all()
    assert db.get(NetworkTask, reviewed).what == data["task-0-what"]
    assert db.exec(select(func.count()).select_from(TaskUpdate).where(TaskUpdate.task_id == reviewed)).one() == 1
    # The rest of the draft still changes.
    other = {**data, "base_version": "1", "venue": "The family centre"}
    last = client.post(first.headers["location"], data=other)
    assert last.status_code == 303, last.text[last.text.find("error-summary") :][:800]


def test_a_meeting_entered_late_and_dated_before_a_task_was_agreed_does_not_review_it(client, db, settings):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    data, _ = _record(client, case, people)  # held on 1 October 2026
    task = data["task-0-id"]
    backfilled = {"id": str(uuid.uuid4()), "kind": "review", "held_on": "2026-09-15", "task-count": "0",
                  f"progress-{task}": "done"}  # fmt: skip
    assert client.post(f"/cases/{case.id}/network/meetings", data=backfilled).status_code == 303
    db.expire_all()
    assert db.get(NetworkTask, task).status == "open"
    assert db.exec(select(func.count()).select_from(TaskUpdate)).one() == 0


def test_two_task_rows_sent_with_one_id_are_two_tasks_not_an_error_or_one_lost(client, db, settings):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    data = meeting_form(people)
    data["task-1-id"] = data["task-0-id"]
    response = client.post(f"/cases/{case.id}/network/meetings", data=data)
    assert response.status_code == 303
    db.expire_all()
    whats = {t.what for t in db.exec(select(NetworkTask)).all()}
    assert {data["task-0-what"], data["task-1-what"]} <= whats and len(whats) == 4


def test_an_edit_whose_merge_with_the_office_breaks_a_date_rule_is_refused_beside_the_field(client, db, settings):
    """The device moves the meeting later; the office meanwhile brought the next meeting forward.
    Each change alone is fine; together the next meeting would come before this one."""
    import json

    from app.network.models import NetworkMeeting

    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    data = meeting_form(people, **{f"task-{n}-due": "2026-11-20" for n in range(4)})
    first = client.post(f"/cases/{case.id}/network/meetings", data=data)
    assert first.status_code == 303
    url = first.headers["location"]
    office = {**data, "base_version": "1", "next_meeting_on": "2026-10-20"}
    assert client.post(url, data=office).status_code == 303
    shown = {k: v for k, v in data.items() if k not in ("id", "base_version")}
    device = {**data, "base_version": "1", "held_on": "2026-11-01", "shown": json.dumps(shown)}
    response = client.post(url, data=device)
    assert response.status_code == 422 and 'id="next_meeting_on-error"' in response.text
    assert "with what Homeward holds now" in response.text
    db.expire_all()
    meeting = db.get(NetworkMeeting, data["id"])
    assert (meeting.held_on.isoformat(), meeting.next_meeting_on.isoformat()) == ("2026-10-01", "2026-10-20")


def test_a_merge_refused_by_a_date_rule_says_which_field_changed_in_homeward_as_well(client, db, settings):
    """Both sides moved the meeting: Homeward's day is kept in the check, so the task the device
    dated between the two days is refused; the meeting's day says it changed in Homeward too."""
    import json

    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    data = meeting_form(people, **{f"task-{n}-due": "2026-11-20" for n in range(4)})
    url = client.post(f"/cases/{case.id}/network/meetings", data=data).headers["location"]
    assert client.post(url, data={**data, "base_version": "1", "held_on": "2026-10-25"}).status_code == 303
    shown = {k: v for k, v in data.items() if k not in ("id", "base_version")}
    device = {
        **data,
        "base_version": "1",
        "held_on": "2026-10-15",
        "task-0-due": "2026-10-20",
        "shown": json.dumps(shown),
    }
    response = client.post(url, data=device)
    assert response.status_code == 422
    assert 'id="held_on-error"' in response.text and "Changed in Homeward as well" in response.text
    assert "2026-10-25" in response.text
