"""A meeting edited offline merges field by field with the meeting and the plan as they are now
(app/sync merge_edit): a kept page changes only what the worker changed on it."""

from __future__ import annotations

import json
import uuid

from sqlmodel import select

from app.cases.models import Person
from app.network.models import MeetingDecision, NetworkMeeting, NetworkTask
from app.sync.models import SyncConflict
from tests.factories import login
from tests.network.factories import make_family_case, meeting_form
from tests.querycount import count_queries
from tests.sync.shown_form import kept_form, post_from


def _meeting(client, db, settings):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    data = meeting_form(people)
    url = client.post(f"/cases/{case.id}/network/meetings", data=data).headers["location"]
    return case, data, url


def _send(client, url, data):
    op = str(uuid.uuid4())
    return op, client.post(url, data=data, headers={"Idempotency-Key": op})


def test_two_edits_of_different_fields_from_one_kept_page_both_apply(client, db, settings):
    case, data, url = _meeting(client, db, settings)
    kept = kept_form(client, "meeting-form", url + "/edit")  # the edit page kept on the device, version 1
    assert _send(client, url, post_from(kept, venue="Family centre"))[1].status_code == 303
    # The outbox moved the second item's base_version on, but it still shows the first page.
    second = post_from(kept, **{"task-1-who": "Uncle Yusuf", "base_version": "2"})
    assert _send(client, url, second)[1].status_code == 303
    db.expire_all()
    meeting = db.get(NetworkMeeting, data["id"])
    assert (meeting.venue, meeting.version) == ("Family centre", 3)
    assert db.get(NetworkTask, data["task-1-id"]).who == "Uncle Yusuf"
    assert len(db.exec(select(NetworkTask).where(NetworkTask.meeting_id == meeting.id)).all()) == 4


def test_the_same_field_changed_on_both_sides_conflicts_alone_with_nothing_preselected(client, db, settings):
    case, data, url = _meeting(client, db, settings)
    kept = kept_form(client, "meeting-form", url + "/edit")
    office = kept_form(client, "meeting-form", url + "/edit")
    assert _send(client, url, post_from(office, venue="The office"))[1].status_code == 303
    op, answer = _send(client, url, post_from(kept, venue="Family centre", chair="Pat Morgan"))
    assert answer.status_code == 409 and answer.headers["location"] == f"/conflicts/{op}"
    db.expire_all()
    meeting = db.get(NetworkMeeting, data["id"])
    assert (meeting.venue, meeting.chair) == ("The office", "Pat Morgan")  # the other change is saved
    page = client.get(f"/conflicts/{op}").text
    assert page.count("<fieldset") == 1 and "<legend>Where</legend>" in page
    assert "Before: Nan&#39;s house" in page and "Keep yours: Family centre" in page
    assert "Keep Homeward's: The office" in page
    assert "checked" not in page
    assert json.loads(db.get(SyncConflict, op).mine) == {"venue": "Family centre"}
    # Choosing theirs on the conflict page posts to the meeting's own form, and settles it there.
    settle = {
        "base_version": str(meeting.version),
        "shown": json.dumps({"venue": "The office"}),
        "venue": "Family centre",
    }
    assert client.post(f"{url}?resolves={op}", data=settle).status_code == 303
    db.expire_all()
    assert db.get(NetworkMeeting, data["id"]).venue == "Family centre"
    assert db.get(SyncConflict, op).resolved_at is not None


def test_a_stale_post_without_the_script_conflicts_on_every_field_that_differs(client, db, settings):
    case, data, url = _meeting(client, db, settings)
    kept = kept_form(client, "meeting-form", url + "/edit")
    assert _send(client, url, post_from(kept, venue="The office"))[1].status_code == 303
    # No `shown`: a page posted without the script, from version 1, now 2.
    plain = {**kept.hidden, **kept.shown, "chair": "Pat Morgan"}
    op, answer = _send(client, url, plain)
    assert answer.status_code == 409
    conflict = db.get(SyncConflict, op)
    assert json.loads(conflict.mine) == {"venue": "Nan's house", "chair": "Pat Morgan"}
    db.expire_all()
    meeting = db.get(NetworkMeeting, data["id"])
    assert (meeting.venue, meeting.chair, meeting.version) == ("The office", "Sam Okafor", 2)


def test_a_review_from_a_kept_page_neither_reverts_nor_loses_a_task_updated_on_the_plan(client, db, settings):
    case, data, _url = _meeting(client, db, settings)
    share, pick = data["task-2-id"], data["task-0-id"]
    review_url = f"/cases/{case.id}/network/meetings/new?kind=review"
    kept = kept_form(client, "meeting-form", review_url)  # taken offline: every task open
    assert kept.shown[f"progress-{share}"] == "open" and not any(k.startswith("was-") for k in kept.hidden)
    # Meanwhile, on the case page: phone location partly done, and the school pick-up done.
    for task_id, status in ((share, "partly"), (pick, "done")):
        answer = client.post(
            f"/cases/{case.id}/network/tasks/{task_id}", data={"status": status, "note": "Office", "base_version": "1"}
        )
        assert answer.status_code == 303
    # On the device: Nan's text marked done (only changed there); the pick-up marked "not done".
    review = post_from(
        kept,
        **{"kind": "review", f"progress-{data['task-1-id']}": "done", f"progress-{pick}": "not_done"},
    )
    op, answer = _send(client, f"/cases/{case.id}/network/meetings", review)
    assert answer.status_code == 409 and answer.headers["location"] == f"/conflicts/{op}"
    db.expire_all()
    tasks = {t.id: (t.status, t.status_note) for t in db.exec(select(NetworkTask)).all()}
    assert tasks[data["task-1-id"]][0] == "done"
    assert tasks[share] == ("partly", "Office")  # not put back to what the kept page showed
    assert tasks[pick] == ("done", "Office")  # changed on both sides: waits for the worker
    page = client.get(f"/conflicts/{op}").text
    assert page.count("<fieldset") == 1 and "How it went: Pick Kayla up from school on Tuesdays" in page
    conflict = db.get(SyncConflict, op)
    new_meeting = review["id"]
    assert conflict.target == f"/cases/{case.id}/network/meetings/{new_meeting}"
    # The worker keeps theirs from the conflict page: the meeting's own form applies the choice.
    settle = {
        "base_version": str(db.get(NetworkMeeting, new_meeting).version),
        "shown": json.dumps({f"progress-{pick}": "done"}),
        f"progress-{pick}": "not_done",
    }
    assert client.post(f"{conflict.target}?resolves={op}", data=settle).status_code == 303
    db.expire_all()
    assert db.get(NetworkTask, pick).status == "not_done"
    assert db.get(NetworkTask, share).status == "partly"
    assert db.get(SyncConflict, op).resolved_at is not None


def test_an_edit_of_a_review_moves_a_task_only_where_the_worker_changed_it(client, db, settings):
    case, data, _url = _meeting(client, db, settings)
    share = data["task-2-id"]
    review = post_from(
        kept_form(client, "meeting-form", f"/cases/{case.id}/network/meetings/new?kind=review"), kind="review"
    )
    review_url = client.post(f"/cases/{case.id}/network/meetings", data=review).headers["location"]
    kept = kept_form(client, "meeting-form", review_url + "/edit")
    answer = client.post(
        f"/cases/{case.id}/network/tasks/{share}", data={"status": "partly", "note": "", "base_version": "1"}
    )
    assert answer.status_code == 303
    assert _send(client, review_url, post_from(kept, venue="Library"))[1].status_code == 303
    db.expire_all()
    assert db.get(NetworkTask, share).status == "partly"
    assert db.get(NetworkMeeting, review["id"]).venue == "Library"


def test_a_task_added_in_the_office_keeps_its_id_when_a_kept_page_is_saved(client, db, settings):
    """The kept page drew blank rows with ids of their own where the office has since added a task."""
    case, data, url = _meeting(client, db, settings)
    kept = kept_form(client, "meeting-form", url + "/edit")
    office = kept_form(client, "meeting-form", url + "/edit")
    added = {"task-4-what": "Ring the youth club", "task-4-who": "Sam Okafor"}
    assert _send(client, url, post_from(office, **added))[1].status_code == 303
    office_task = office.hidden["task-4-id"]
    assert kept.hidden["task-4-id"] != office_task  # each page drew its own blank rows' ids
    assert _send(client, url, post_from(kept, venue="Library"))[1].status_code == 303
    db.expire_all()
    assert db.get(NetworkTask, office_task).what == "Ring the youth club"
    assert len(db.exec(select(NetworkTask).where(NetworkTask.meeting_id == data["id"])).all()) == 5
    assert db.get(NetworkMeeting, data["id"]).venue == "Library"


def test_merging_a_review_edit_reads_the_same_whatever_the_number_of_earlier_tasks(client, db, settings, engine):
    case, data, _url = _meeting(client, db, settings)
    review = post_from(kept_form(client, "meeting-form", f"/cases/{case.id}/network/meetings/new?kind=review"))
    review_url = client.post(f"/cases/{case.id}/network/meetings", data={**review, "kind": "review"}).headers[
        "location"
    ]

    def reads(venue: str, *, tasks: int) -> int:
        kept = kept_form(client, "meeting-form", review_url + "/edit")
        assert len([k for k in kept.shown if k.startswith("progress-") and not k.endswith("-note")]) == tasks
        with count_queries(engine) as statements:
            assert _send(client, review_url, post_from(kept, venue=venue))[1].status_code == 303
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    four = reads("Library", tasks=4)
    people = {p.name.split()[0]: p for p in db.exec(select(Person).where(Person.case_id == case.id)).all()}
    later = meeting_form(people, held_on="2026-10-05")  # four more open tasks for the review to show
    assert client.post(f"/cases/{case.id}/network/meetings", data=later).status_code == 303
    # The first save after them adds the review's rows for the four new tasks (one more read, for
    # the case pages those rows move); each edit after it keeps the rows it has, as the first did.
    assert reads("Town hall", tasks=8) == four + 1
    assert reads("Museum", tasks=8) == four


CLEAR_TASK_0 = {"task-0-what": "", "task-0-who": "", "task-0-due": "", "task-0-checker": "", "task-0-rule": ""}


def _tasks(db, meeting_id):
    db.expire_all()
    rows = db.exec(select(NetworkTask).where(NetworkTask.meeting_id == meeting_id)).all()
    return {t.id: (t.what, t.safety_rule) for t in rows}


def test_a_device_edit_of_a_task_lands_on_that_task_when_a_task_before_it_went_in_the_office(client, db, settings):
    """Rows are numbered by position: the office clears the first task, so the second moves up.
    The device's safety rule for its second task is that task's (found by id), not the new first's;
    the device's deleting its third task deletes that one. Until December 2026 neither held."""
    case, data, url = _meeting(client, db, settings)
    device = kept_form(client, "meeting-form", url + "/edit")
    office = kept_form(client, "meeting-form", url + "/edit")
    assert _send(client, url, post_from(office, **CLEAR_TASK_0))[1].status_code == 303
    clear_2 = {k.replace("task-0", "task-2"): v for k, v in CLEAR_TASK_0.items()}
    _, answer = _send(client, url, post_from(device, **{"task-1-rule": "Home by 10pm, or ring Nan"}, **clear_2))
    assert answer.status_code == 303
    tasks = _tasks(db, data["id"])
    assert tasks[data["task-1-id"]] == ("Text Nan when Kayla is home by 10pm", "Home by 10pm, or ring Nan")
    assert data["task-0-id"] not in tasks and data["task-2-id"] not in tasks
    assert tasks[data["task-3-id"]][1] == ""


def test_a_device_edit_of_a_task_deleted_in_the_office_is_a_conflict_not_an_edit_of_another(client, db, settings):
    case, data, url = _meeting(client, db, settings)
    device = kept_form(client, "meeting-form", url + "/edit")
    office = kept_form(client, "meeting-form", url + "/edit")
    assert _send(client, url, post_from(office, **CLEAR_TASK_0))[1].status_code == 303
    _, answer = _send(client, url, post_from(device, **{"task-0-rule": "Never alone after 10pm"}))
    assert answer.status_code == 409
    assert all(rule != "Never alone after 10pm" for _, rule in _tasks(db, data["id"]).values())


def test_rows_without_ids_that_moved_in_the_office_are_conflicts_not_merged_by_position(client, db, settings):
    """Decisions have no ids. Two decisions; the office deletes the first, so the second moves up;
    the device gives the first its reason. Merged by position it would be the second's reason: it
    waits for the worker instead."""
    case, data, url = _meeting(client, db, settings)
    two = {"decision-0-why": "", "decision-1": "Nan drives Kayla on Tuesdays", "decision-1-why": ""}
    assert _send(client, url, post_from(kept_form(client, "meeting-form", url + "/edit"), **two))[1].status_code == 303
    device = kept_form(client, "meeting-form", url + "/edit")
    office = kept_form(client, "meeting-form", url + "/edit")
    gone = {"decision-0": "", "decision-0-why": ""}
    assert _send(client, url, post_from(office, **gone))[1].status_code == 303
    _, answer = _send(client, url, post_from(device, **{"decision-0-why": "Everyone wants it"}))
    assert answer.status_code == 409
    db.expire_all()
    kept = db.exec(select(MeetingDecision.decision, MeetingDecision.rationale)).all()
    assert [tuple(d) for d in kept] == [("Nan drives Kayla on Tuesdays", "")]


def test_a_meeting_or_a_family_group_meeting_step_dated_in_the_future_is_refused_beside_the_field(client, db, settings):
    """The family's letter would thank them for coming to a meeting not yet held."""
    from datetime import timedelta

    from app.timeutil import today

    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    later = (today() + timedelta(days=200)).isoformat()
    answer = client.post(f"/cases/{case.id}/network/meetings", data={**meeting_form(people), "held_on": later})
    assert answer.status_code == 422 and "The date of the meeting" in answer.text
    assert "Kayla stays at home" in answer.text  # nothing typed is lost
    fgdm = {"id": str(uuid.uuid4()), "fgdm_status": "held", "fgdm_date": later}
    answer = client.post(f"/cases/{case.id}/network/fgdm", data=fgdm)
    assert answer.status_code == 422 and "The date" in answer.text
    assert db.exec(select(NetworkMeeting)).first() is None


def test_correcting_a_review_keeps_what_it_recorded_and_never_undoes_a_later_update(client, db, settings):
    """Review R recorded the pick-up as partly done; the case page marked it done since. R's edit
    page shows (and keeps) what R recorded; changing it there corrects R's record, and the task
    moves only where R's word on it is still the latest."""
    case, data, _url = _meeting(client, db, settings)
    pick, text = data["task-0-id"], data["task-1-id"]
    new_review = f"/cases/{case.id}/network/meetings/new?kind=review"
    said = {f"progress-{pick}": "partly", f"progress-{pick}-note": "Half the Tuesdays"}
    review = post_from(kept_form(client, "meeting-form", new_review), kind="review", **said)
    review_url = client.post(f"/cases/{case.id}/network/meetings", data=review).headers["location"]
    later = {"status": "done", "note": "All done now", "base_version": "2"}
    assert client.post(f"/cases/{case.id}/network/tasks/{pick}", data=later).status_code == 303
    kept = kept_form(client, "meeting-form", review_url + "/edit")
    assert (kept.shown[f"progress-{pick}"], kept.shown[f"progress-{pick}-note"]) == ("partly", "Half the Tuesdays")
    assert _send(client, review_url, post_from(kept, venue="Family centre"))[1].status_code == 303
    record = client.get(review_url).text
    assert "Half the Tuesdays" in record and "All done now" not in record
    db.expire_all()
    assert (db.get(NetworkTask, pick).status, db.get(NetworkTask, pick).status_note) == ("done", "All done now")
    # Corrected on R's edit page: R's record changes; the later update on the case page stays.
    kept = kept_form(client, "meeting-form", review_url + "/edit")
    fixed = {f"progress-{pick}-note": "One Tuesday in four", f"progress-{text}": "done"}
    assert _send(client, review_url, post_from(kept, **fixed))[1].status_code == 303
    assert "One Tuesday in four" in client.get(review_url).text
    db.expire_all()
    assert (db.get(NetworkTask, pick).status, db.get(NetworkTask, pick).status_note) == ("done", "All done now")
    assert db.get(NetworkTask, text).status == "done"  # R's word on it is the latest: the plan follows


def test_of_two_professionals_of_one_name_the_one_who_came_stays_the_one_who_came(client, db, settings):
    """The network map has two Sarah Joneses: the school nurse and a CAMHS worker. Only the nurse
    came. The edit page shows her alone as there, and saving a change of venue from it keeps her
    attendance and nobody else's. Until December 2026 attendance was matched by name: the page
    showed both as there, and the save recorded the CAMHS worker as present instead of the nurse."""
    from app.network.models import MeetingAttendee, NetworkMember

    worker, case, people = make_family_case(db)
    nurse = NetworkMember(case_id=case.id, name="Sarah Jones", role="School nurse", circle="professionals")
    camhs = NetworkMember(case_id=case.id, name="Sarah Jones", role="CAMHS worker", circle="professionals")
    db.add_all([nurse, camhs])
    db.commit()
    login(client, db, worker, settings)
    data = meeting_form(people, **{f"attend-{nurse.id}": "present"})
    url = client.post(f"/cases/{case.id}/network/meetings", data=data).headers["location"]
    edit = kept_form(client, "meeting-form", url + "/edit")
    assert edit.shown.get(f"attend-{nurse.id}") == "present" and not edit.shown.get(f"attend-{camhs.id}")
    assert _send(client, url, post_from(edit, venue="Family centre"))[1].status_code == 303
    db.expire_all()
    sarahs = db.exec(
        select(MeetingAttendee.role, MeetingAttendee.attendance).where(
            MeetingAttendee.meeting_id == data["id"], MeetingAttendee.name == "Sarah Jones"
        )
    ).all()
    assert sarahs == [("School nurse", "present")]
