"""Submitting, returning with comments, resubmitting and approving, as people use the pages."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from app.audit.models import AuditEntry
from app.refused import Refused
from app.review import service
from app.review.models import Notification, Submission
from app.signs_of_safety.models import Category
from tests.factories import login, make_case, make_team, make_user
from tests.network.factories import make_family_case, meeting_form
from tests.signs_of_safety.factories import add_item


def _team(db):
    team = make_team(db)
    worker = make_user(db, team=team, full_name="Sam Okafor")
    supervisor = make_user(db, team=team, role="supervisor", full_name="Priya Shah")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    return worker, supervisor, case


def _submit_map(client, case, base_version):
    return client.post(f"/cases/{case.id}/signs-of-safety/submit", data={"base_version": str(base_version)})


def test_submitted_map_waits_in_the_supervisors_queue_oldest_first(client, db, settings):
    worker, supervisor, case = _team(db)
    other = make_case(db, worker=worker, young_person_name="Tyler Brown")
    add_item(db, case=other, by=worker)
    add_item(db, case=case, by=worker)
    db.commit()
    login(client, db, worker, settings)
    assert _submit_map(client, other, 1).status_code == 303
    assert _submit_map(client, case, 1).status_code == 303
    login(client, db, supervisor, settings)
    page = client.get("/review").text
    assert "<h1>Review queue</h1>" in page
    assert page.index("Tyler Brown") < page.index("Kayla Morgan")
    assert "Signs of Safety map, version 1" in page and "Today" in page
    assert db.exec(select(Notification).where(Notification.user_id == supervisor.id)).all()


def test_queue_filters_by_worker_and_kind(client, db, settings):
    worker, supervisor, case = _team(db)
    worker2 = make_user(db, team_id=worker.team_id, full_name="Jo Evans")
    case2 = make_case(db, worker=worker2, young_person_name="Tyler Brown")
    add_item(db, case=case, by=worker)
    add_item(db, case=case2, by=worker2)
    db.commit()
    login(client, db, worker, settings)
    _submit_map(client, case, 1)
    login(client, db, worker2, settings)
    _submit_map(client, case2, 1)
    login(client, db, supervisor, settings)
    page = client.get(f"/review?worker={worker2.id}").text
    assert "Tyler Brown" in page and "Kayla Morgan" not in page
    assert "Nothing is waiting" in client.get("/review?kind=network_meeting").text


def test_return_needs_a_rationale_and_the_worker_sees_the_section_comment_then_resubmits_and_approval_shows_changes(
    client, db, settings
):
    worker, supervisor, case = _team(db)
    add_item(db, case=case, by=worker, category=Category.strength, text="Nan collects Kayla from school.")
    db.commit()
    login(client, db, worker, settings)
    _submit_map(client, case, 1)
    submission = db.exec(select(Submission)).one()

    login(client, db, supervisor, settings)
    page = client.get(f"/review/{submission.id}").text
    assert "Approve" in page and "Return" in page and "Strengths" in page
    assert (
        client.post(
            f"/review/{submission.id}/comments", data={"section": "Strengths", "text": "Say how often Nan does this."}
        ).status_code
        == 303
    )
    refused = client.post(f"/review/{submission.id}/return", data={"rationale": "  "})
    assert refused.status_code == 422 and "Why it is returned" in refused.text
    assert (
        client.post(f"/review/{submission.id}/return", data={"rationale": "Strengths need detail."}).status_code == 303
    )

    login(client, db, worker, settings)
    returned = client.get("/review/returned").text
    assert "Strengths need detail." in returned and "Say how often Nan does this." in returned
    # The cases it named are in the audit trail, as for every list of cases.
    from app.audit.models import AuditEntry

    listed = db.exec(select(AuditEntry.detail).where(AuditEntry.object_type == "returned_work")).all()
    assert listed == [f"cases {submission.case_id}"]
    # The worker's next change starts version 2; submitting it puts version 2 in the queue.
    add_item(
        db,
        case=case,
        by=worker,
        base_version=1,
        category=Category.strength,
        text="Nan collects Kayla every Tuesday and Thursday.",
    )
    db.commit()
    assert _submit_map(client, case, 2).status_code == 303
    assert "Nothing has been returned to you" in client.get("/review/returned").text
    second = db.exec(select(Submission).where(Submission.version_number == 2)).one()

    login(client, db, supervisor, settings)
    page = client.get(f"/review/{second.id}").text
    assert "changes are shown against version 1, which was returned" in page
    assert (
        'class="review-added"><span class="visually-hidden">Added: </span>Nan collects Kayla every Tuesday and Thursday.'
        in page
    )
    assert "Version 1" in page  # history kept
    assert client.post(f"/review/{second.id}/approve").status_code == 303
    db.expire_all()
    assert db.get(Submission, second.id).status == "approved"
    assert db.get(Submission, submission.id).status == "returned"


def test_changes_are_shown_against_the_last_approved_version(client, db, settings):
    worker, supervisor, case = _team(db)
    add_item(db, case=case, by=worker, text="Nan collects Kayla from school.")
    db.commit()
    login(client, db, worker, settings)
    _submit_map(client, case, 1)
    first = db.exec(select(Submission)).one()
    login(client, db, supervisor, settings)
    client.post(f"/review/{first.id}/approve")
    add_item(
        db, case=case, by=worker, base_version=1, category=Category.next_step, text="Meet school about the timetable."
    )
    db.commit()
    login(client, db, worker, settings)
    _submit_map(client, case, 2)
    second = db.exec(select(Submission).where(Submission.version_number == 2)).one()
    login(client, db, supervisor, settings)
    page = client.get(f"/review/{second.id}").text
    assert "against version 1, the last approved" in page
    assert re.search(
        r'class="review-added"><span class="visually-hidden">Added: </span>Meet school about the timetable.', page
    )
    assert "Changed" in page


def test_worker_cannot_approve_and_another_teams_supervisor_cannot_see_it(client, db, settings):
    worker, supervisor, case = _team(db)
    add_item(db, case=case, by=worker)
    db.commit()
    login(client, db, worker, settings)
    _submit_map(client, case, 1)
    submission = db.exec(select(Submission)).one()
    assert client.post(f"/review/{submission.id}/approve").status_code == 403
    assert client.get("/review").status_code == 403
    outsider = make_user(db, role="supervisor", full_name="Other Team")
    db.commit()
    login(client, db, outsider, settings)
    assert client.get(f"/review/{submission.id}").status_code == 404
    assert "Kayla Morgan" not in client.get("/review").text


def test_finalised_meeting_notes_go_for_review_and_a_returned_one_is_sent_again_as_version_2(client, db, settings):
    worker, case, people = make_family_case(db)
    supervisor = make_user(db, role="supervisor", team_id=worker.team_id, full_name="Priya Shah")
    db.commit()
    login(client, db, worker, settings)
    data = meeting_form(people)
    url = client.post(f"/cases/{case.id}/network/meetings", data=data).headers["location"]
    assert client.post(f"{url}/finalise", data={"base_version": "1"}).status_code == 303
    submission = db.exec(select(Submission)).one()
    assert submission.kind == "network_meeting"
    login(client, db, supervisor, settings)
    assert "I want to stay at home." in client.get(f"/review/{submission.id}").text
    client.post(f"/review/{submission.id}/return", data={"rationale": "Add who chaired private family time."})
    login(client, db, worker, settings)
    client.post(
        f"{url}/addenda",
        data={"id": "0b8f7f52-6a55-4c1e-9d7a-0c8c9e4c2b11", "addendum": "Nan chaired private family time."},
    )
    response = client.post(f"/review/{submission.id}/resubmit")
    assert response.status_code == 303
    again = db.exec(select(Submission).where(Submission.version_number == 2)).one()
    assert "Nan chaired private family time." in client.get(f"/review/{again.id}").text
    assert client.post(f"/review/{submission.id}/resubmit").status_code == 303  # refused politely, nothing new
    assert len(db.exec(select(Submission)).all()) == 2


def test_notification_badge_counts_unread_and_list_marks_them_read(client, db, settings):
    worker, supervisor, case = _team(db)
    add_item(db, case=case, by=worker)
    db.commit()
    login(client, db, worker, settings)
    _submit_map(client, case, 1)
    login(client, db, supervisor, settings)
    badge = client.get("/notifications/badge", headers={"HX-Request": "true"}).text
    assert '1<span class="visually-hidden"> unread' in badge
    assert "waiting for review" in client.get("/notifications").text
    client.post("/notifications/read")
    assert "unread" not in client.get("/notifications/badge", headers={"HX-Request": "true"}).text


def test_an_item_waiting_over_five_working_days_says_so_in_words_not_only_in_red(client, db, settings):
    from datetime import timedelta

    from app.timeutil import utcnow

    worker, supervisor, case = _team(db)
    fresh = make_case(db, worker=worker, young_person_name="Tyler Brown")
    for c in (case, fresh):
        add_item(db, case=c, by=worker)
    db.commit()
    login(client, db, worker, settings)
    assert _submit_map(client, case, 1).status_code == 303
    assert _submit_map(client, fresh, 1).status_code == 303
    old = db.exec(select(Submission).where(Submission.case_id == case.id)).one()
    old.submitted_at = utcnow() - timedelta(days=14)  # two weeks: ten working days, whatever today is
    db.add(old)
    db.commit()
    login(client, db, supervisor, settings)
    page = client.get("/review").text
    rows = {
        name: page[page.index(name) : page.index("</tr>", page.index(name))] for name in ("Kayla Morgan", "Tyler Brown")
    }
    assert "over 5 working days" in rows["Kayla Morgan"]
    assert "over 5 working days" not in rows["Tyler Brown"]


def test_each_meeting_notes_version_shows_the_corrections_made_before_it_was_sent(client, db, settings):
    worker, case, people = make_family_case(db)
    supervisor = make_user(db, role="supervisor", team_id=worker.team_id, full_name="Priya Shah")
    db.commit()
    login(client, db, worker, settings)
    url = client.post(f"/cases/{case.id}/network/meetings", data=meeting_form(people)).headers["location"]
    client.post(f"{url}/finalise", data={"base_version": "1"})
    first = db.exec(select(Submission)).one()
    login(client, db, supervisor, settings)
    client.post(f"/review/{first.id}/return", data={"rationale": "Add who chaired private family time."})
    login(client, db, worker, settings)
    client.post(
        f"{url}/addenda",
        data={"id": "0b8f7f52-6a55-4c1e-9d7a-0c8c9e4c2b11", "addendum": "Nan chaired private family time."},
    )
    # Version 1 is what was returned: the correction made after it was sent is not part of it.
    assert "Nan chaired private family time." not in client.get(f"/review/{first.id}").text
    client.post(f"/review/{first.id}/resubmit")
    second = db.exec(select(Submission).where(Submission.version_number == 2)).one()
    login(client, db, supervisor, settings)
    page = client.get(f"/review/{second.id}").text
    assert 'id="s-corrections">Corrections <span class="review-tag">Changed</span>' in page
    assert '<span class="visually-hidden">Added: </span>Nan chaired private family time.' in page
    client.post(f"/review/{second.id}/approve")
    # A correction added after approval is not shown as part of what the supervisor approved.
    login(client, db, worker, settings)
    client.post(
        f"{url}/addenda", data={"id": "5d1c7d0e-2b9a-4f7e-8d43-1f0f6b2a9c33", "addendum": "Jordan left at 4pm."}
    )
    login(client, db, supervisor, settings)
    page = client.get(f"/review/{second.id}").text
    assert "Nan chaired private family time." in page and "Jordan left at 4pm." not in page


def test_the_co_worker_who_sent_meeting_notes_sends_them_again_and_a_supervisor_may_not(client, db, settings):
    co_worker = make_user(db, full_name="Jo Evans")
    worker, case, people = make_family_case(db, co_worker=co_worker)
    co_worker.team_id = worker.team_id
    supervisor = make_user(db, role="supervisor", team_id=worker.team_id, full_name="Priya Shah")
    db.commit()
    login(client, db, co_worker, settings)
    url = client.post(f"/cases/{case.id}/network/meetings", data=meeting_form(people)).headers["location"]
    client.post(f"{url}/finalise", data={"base_version": "1"})
    first = db.exec(select(Submission)).one()
    login(client, db, supervisor, settings)
    client.post(f"/review/{first.id}/return", data={"rationale": "Add who chaired private family time."})
    # The supervisor is not offered the button, and sending it by hand is refused, on the record.
    assert "Send for review again" not in client.get(f"/review/{first.id}").text
    assert client.post(f"/review/{first.id}/resubmit").status_code == 403
    assert len(db.exec(select(Submission)).all()) == 1
    refused = db.exec(select(AuditEntry).where(AuditEntry.action == "refused")).all()
    assert [(e.object_id, e.detail) for e in refused] == [
        (str(case.id), "POST /review/{submission_id}/resubmit answered 403")
    ]

    login(client, db, co_worker, settings)
    assert "Send for review again" in client.get(f"/review/{first.id}").text
    assert client.post(f"/review/{first.id}/resubmit").status_code == 303
    again = db.exec(select(Submission).where(Submission.version_number == 2)).one()
    assert again.submitted_by_id == co_worker.id and again.status == "waiting"


def test_two_supervisors_deciding_at_once_the_second_is_told_it_was_already_decided(client, db, engine, settings):
    worker, supervisor, case = _team(db)
    other = make_user(db, team_id=worker.team_id, role="supervisor", full_name="Helen Marsh")
    add_item(db, case=case, by=worker)
    db.commit()
    login(client, db, worker, settings)
    _submit_map(client, case, 1)
    submission_id = db.exec(select(Submission)).one().id
    # Both opened the review screen while it was waiting: each holds it as "waiting".
    with Session(engine) as first, Session(engine) as second:
        mine, theirs = first.get(Submission, submission_id), second.get(Submission, submission_id)
        service.approve(session=first, submission=mine, by=supervisor, rationale="Clear.")
        first.commit()
        with pytest.raises(Refused, match="already been decided"):
            service.return_to_worker(session=second, submission=theirs, by=other, rationale="Needs the worries.")
        second.rollback()
    db.expire_all()
    decided = db.get(Submission, submission_id)
    assert (decided.status, decided.decided_by_id, decided.rationale) == ("approved", supervisor.id, "Clear.")


def test_a_section_comment_that_cannot_be_saved_comes_back_open_in_its_own_section_with_the_reason(
    client, db, settings
):
    worker, supervisor, case = _team(db)
    add_item(db, case=case, by=worker, category=Category.strength, text="Nan collects Kayla from school.")
    db.commit()
    login(client, db, worker, settings)
    _submit_map(client, case, 1)
    submission = db.exec(select(Submission)).one()
    login(client, db, supervisor, settings)
    long = "Say how often Nan does this. " * 80
    refused = client.post(f"/review/{submission.id}/comments", data={"section": "Strengths", "text": long})
    assert refused.status_code == 422
    strengths = refused.text.split('id="s-strengths"', 1)[1].split("</section>", 1)[0]
    general = refused.text.split('id="general-h"', 1)[1].split("</section>", 1)[0]
    assert '<details class="review-comment-form" open>' in strengths
    assert "Keep this to 2000 characters or fewer" in strengths and long.strip() in strengths
    assert "Keep this to 2000" not in general and "Say how often" not in general
    blank = client.post(f"/review/{submission.id}/comments", data={"section": "Strengths", "text": "   "})
    strengths = blank.text.split('id="s-strengths"', 1)[1].split("</section>", 1)[0]
    assert blank.status_code == 422 and "Comment is needed." in strengths
    # A general comment's error stays with the general box.
    general = client.post(f"/review/{submission.id}/comments", data={"section": "", "text": " "}).text
    assert "Comment is needed." in general.split('id="general-h"', 1)[1]
    assert "Comment is needed." not in general.split('id="s-strengths"', 1)[1].split("</section>", 1)[0]
