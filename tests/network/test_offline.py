"""The network's part of "Take offline", and meetings recorded from a page kept on the device."""

from __future__ import annotations

import json
import uuid

from sqlmodel import func, select

from app.network import offline
from app.network.models import NetworkMeeting, NetworkTask
from tests.cases.factories import actor_for
from tests.factories import login, make_user
from tests.network.factories import make_family_case, meeting_form
from tests.querycount import count_queries


def test_take_offline_keeps_the_map_the_meeting_form_and_the_latest_meetings_with_their_letters(client, db, settings):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    draft = meeting_form(people)
    # A meeting's tasks fall due after it (issue 18): the review's tasks are dated after 12 November.
    final = meeting_form(
        people, held_on="2026-11-12", kind="review", **{f"task-{n}-due": "2026-11-26" for n in range(4)}
    )
    for data in (draft, final):
        assert client.post(f"/cases/{case.id}/network/meetings", data=data).status_code == 303
    assert (
        client.post(f"/cases/{case.id}/network/meetings/{final['id']}/finalise", data={"base_version": "1"}).status_code
        == 303
    )

    pages = client.get(f"/cases/{case.id}/offline-pages").json()["pages"]
    base = f"/cases/{case.id}/network"
    for page in (
        base,
        f"{base}/meetings/new",
        f"{base}/meetings/{draft['id']}",
        f"{base}/meetings/{draft['id']}/letter",
        f"{base}/meetings/{draft['id']}/edit",
        f"{base}/meetings/{final['id']}",
        f"{base}/meetings/{final['id']}/letter/print",
    ):
        assert page in pages
    assert f"{base}/meetings/{final['id']}/edit" not in pages  # a final record is corrected by addenda
    # Every page listed opens, and its forms work offline (or it has none), so the device keeps it.
    for page in (p for p in pages if p.startswith(base)):
        response = client.get(page)
        assert response.status_code == 200, page
        main = response.text[response.text.index("<main") : response.text.index("</main>")]
        assert main.count('method="post"') == main.count("data-offline="), page


def test_a_reader_is_not_given_the_forms_to_keep(db, settings):
    worker, case, _people = make_family_case(db)
    manager = make_user(db, role="manager", team_id=worker.team_id)
    listed = offline.pages(session=db, case=case, actor=actor_for(manager))
    assert listed == [f"/cases/{case.id}/network"]


def test_listing_the_pages_takes_one_query_however_many_meetings(db, engine, client, settings):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    actor = actor_for(worker)
    with count_queries(engine) as none_yet:
        offline.pages(session=db, case=case, actor=actor)
    for day in range(5):
        client.post(f"/cases/{case.id}/network/meetings", data=meeting_form(people, held_on=f"2026-10-0{day + 1}"))
    with count_queries(engine) as five:
        listed = offline.pages(session=db, case=case, actor=actor)
    assert len(none_yet) == len(five) == 1
    assert len([p for p in listed if p.endswith("/letter")]) == offline.RECENT_MEETINGS


def test_two_meetings_recorded_from_the_same_kept_page_get_tasks_of_their_own(client, db, settings):
    """A page kept on the device carries the same task ids every time it opens."""
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    first = meeting_form(people)
    second = {**first, "id": str(uuid.uuid4()), "held_on": "2026-10-02"}  # the same page, a new meeting id
    for data in (first, second, second):  # the second one replayed as well
        assert client.post(f"/cases/{case.id}/network/meetings", data=data).status_code == 303
    db.expire_all()
    assert db.exec(select(func.count()).select_from(NetworkMeeting)).one() == 2
    by_meeting = {
        m: db.exec(select(func.count()).select_from(NetworkTask).where(NetworkTask.meeting_id == m)).one()
        for m in (first["id"], second["id"])
    }
    assert by_meeting == {first["id"]: 4, second["id"]: 4}
    assert db.get(NetworkTask, first["task-0-id"]).meeting_id == first["id"]  # the first keeps the ids it was given


def test_review_saved_from_a_kept_page_changes_only_the_tasks_changed_on_it(client, db, settings):
    """The kept review form shows the tasks as they were when the case was taken offline."""
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    first = meeting_form(people)
    client.post(f"/cases/{case.id}/network/meetings", data=first)
    kept = client.get(f"/cases/{case.id}/network/meetings/new").text
    share = first["task-2-id"]
    assert "was-progress" not in kept and "data-offline-shown" in kept  # offline.js adds `shown`
    # Meanwhile the task list on the case page says the phone location is partly done.
    assert (
        client.post(
            f"/cases/{case.id}/network/tasks/{share}",
            data={"status": "partly", "note": "Most evenings", "base_version": "1"},
        ).status_code
        == 303
    )

    review = {"id": str(uuid.uuid4()), "kind": "review", "held_on": "2026-11-12", "task-count": "0"}
    for key in ("task-0-id", "task-1-id", "task-2-id", "task-3-id"):
        review.update({f"progress-{first[key]}": "open", f"progress-{first[key]}-note": ""})
    review["shown"] = json.dumps(review)  # what the kept page showed (offline.js)
    review.update({f"progress-{first['task-0-id']}": "done", f"progress-{first['task-1-id']}": "done"})
    assert client.post(f"/cases/{case.id}/network/meetings", data=review).status_code == 303
    db.expire_all()
    tasks = {t.id: (t.status, t.status_note) for t in db.exec(select(NetworkTask)).all()}
    assert tasks[first["task-0-id"]][0] == tasks[first["task-1-id"]][0] == "done"
    assert tasks[share] == ("partly", "Most evenings")  # not put back to what the kept page showed
    assert tasks[first["task-3-id"]][0] == "open"
