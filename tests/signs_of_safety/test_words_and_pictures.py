"""Words and pictures: panels with words and pictures, versions fixed once shared, who saw it when."""

from __future__ import annotations

import base64

import pytest
from sqlmodel import select

from app.cases.models import new_id
from app.signs_of_safety.models import StoryPanel, StoryShare, StoryVersion
from tests.factories import login, make_case, make_user
from tests.signs_of_safety.factories import make_person
from tests.signs_of_safety.test_scales_and_houses import PNG

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def worker_case(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    mum = make_person(db, case=case)
    login(client, db, worker, settings)
    return worker, case, mum


def url(case):
    return f"/cases/{case.id}/signs-of-safety/words-and-pictures"


def test_panels_with_a_drawing_and_a_photo_make_a_storyboard(client, db, worker_case):
    _, case, _ = worker_case
    drawing = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert (
        client.post(
            f"{url(case)}/panels",
            data={
                "id": new_id(),
                "base_version": "0",
                "text": "Mum and Kayla were shouting a lot.",
                "drawing": drawing,
                "image_description": "Two people shouting",
            },
        ).status_code
        == 303
    )
    response = client.post(
        f"{url(case)}/panels",
        data={
            "id": new_id(),
            "base_version": "1",
            "text": "Now Kayla goes to Gran's when it gets loud.",
            "image_description": "Gran's front door",
        },
        files={"photo": ("door.jpg", JPEG, "image/jpeg")},
    )
    assert response.status_code == 303
    page = client.get(url(case)).text
    assert page.index("Mum and Kayla were shouting") < page.index("Now Kayla goes to Gran")
    assert 'alt="Two people shouting"' in page and 'alt="Gran&#39;s front door"' in page
    photo = db.exec(select(StoryPanel).where(StoryPanel.image_type == "image/jpeg")).one()
    image = client.get(f"{url(case)}/panels/{photo.id}/image")
    assert image.status_code == 200 and image.content == JPEG and image.headers["content-type"] == "image/jpeg"


def test_a_picture_needs_a_description_and_a_file_must_be_an_image(client, db, worker_case):
    _, case, _ = worker_case
    no_words = client.post(
        f"{url(case)}/panels",
        data={"id": new_id(), "base_version": "0", "text": "Words."},
        files={"photo": ("x.jpg", JPEG, "image/jpeg")},
    )
    assert no_words.status_code == 422 and 'id="image_description-error"' in no_words.text
    not_image = client.post(
        f"{url(case)}/panels",
        data={"id": new_id(), "base_version": "0", "text": "Words.", "image_description": "x"},
        files={"photo": ("x.txt", b"hello", "text/plain")},
    )
    assert not_image.status_code == 422 and 'id="photo-error"' in not_image.text
    assert db.exec(select(StoryPanel)).first() is None


def test_sharing_fixes_the_version_and_a_later_panel_starts_version_two(client, db, worker_case):
    _, case, mum = worker_case
    panel_id = new_id()
    for _ in range(2):  # replayed
        client.post(f"{url(case)}/panels", data={"id": panel_id, "base_version": "0", "text": "Panel one."})
    share_id = new_id()
    for _ in range(2):
        response = client.post(
            f"{url(case)}/shares",
            data={"id": share_id, "base_version": "1", "person": mum.id, "shared_on": "2026-01-10"},
        )
        assert response.status_code == 303
    assert len(db.exec(select(StoryShare)).all()) == 1 and len(db.exec(select(StoryPanel)).all()) == 1
    client.post(f"{url(case)}/panels", data={"id": new_id(), "base_version": "1", "text": "Panel two."})
    db.expire_all()
    versions = {v.number: v.status for v in db.exec(select(StoryVersion)).all()}
    assert versions == {1: "shared", 2: "draft"}
    old = client.get(f"{url(case)}/versions/1").text
    assert "Panel one." in old and "Panel two." not in old
    page = client.get(url(case)).text
    assert "Donna Morgan, 10 Jan 2026 (version 1)" in page


def test_panel_added_from_an_older_shared_version_is_a_conflict(client, db, worker_case):
    _, case, mum = worker_case
    client.post(f"{url(case)}/panels", data={"id": new_id(), "base_version": "0", "text": "One."})
    client.post(
        f"{url(case)}/shares", data={"id": new_id(), "base_version": "1", "person": mum.id, "shared_on": "2026-01-10"}
    )
    client.post(f"{url(case)}/panels", data={"id": new_id(), "base_version": "1", "text": "Two."})
    client.post(
        f"{url(case)}/shares", data={"id": new_id(), "base_version": "2", "person": mum.id, "shared_on": "2026-01-11"}
    )
    response = client.post(
        f"{url(case)}/panels", data={"id": new_id(), "base_version": "1", "text": "Late, from version 1."}
    )
    assert response.status_code == 409
    assert db.exec(select(StoryPanel).where(StoryPanel.text == "Late, from version 1.")).first() is None


def test_a_photo_sent_as_text_by_the_offline_script_is_kept_and_a_bad_one_refused(client, db, worker_case):
    _, case, _ = worker_case
    photo = "data:image/jpeg;base64," + base64.b64encode(JPEG).decode()
    data = {
        "id": new_id(),
        "base_version": "0",
        "text": "Gran's door is always open.",
        "photo_data": photo,
        "image_description": "Gran's front door",
    }
    assert client.post(f"{url(case)}/panels", data=data).status_code == 303
    panel = db.exec(select(StoryPanel)).one()
    assert (panel.image, panel.image_type) == (JPEG, "image/jpeg")
    bad = {**data, "id": new_id(), "photo_data": "data:text/html;base64," + base64.b64encode(b"<p>hi</p>").decode()}
    response = client.post(f"{url(case)}/panels", data=bad)
    assert response.status_code == 422 and 'id="photo-error"' in response.text
    assert len(db.exec(select(StoryPanel)).all()) == 1


def test_removing_a_panel_twice_or_another_cases_panel_writes_nothing_and_starts_no_version(client, db, worker_case):
    """An outbox replay of a removal from a shared version, or a key that is not this case's, neither
    starts a new draft nor says in the audit trail that a panel was removed."""
    from app.audit.models import AuditEntry

    worker, case, mum = worker_case
    panel_id = new_id()
    client.post(f"{url(case)}/panels", data={"id": panel_id, "base_version": "0", "text": "Panel one."})
    client.post(
        f"{url(case)}/shares", data={"id": new_id(), "base_version": "1", "person": mum.id, "shared_on": "2026-01-10"}
    )
    other = make_case(db, worker=worker)
    db.commit()
    key = db.exec(select(StoryPanel.panel_key)).one()
    for _ in range(2):  # removed from the shared version 1 (starting version 2), then replayed
        assert client.post(f"{url(case)}/panels/{key}/remove", data={"base_version": "1"}).status_code in (303, 409)
    assert client.post(f"{url(other)}/panels/{key}/remove", data={"base_version": "0"}).status_code == 303
    db.expire_all()
    assert sorted((v.case_id, v.number) for v in db.exec(select(StoryVersion)).all()) == [(case.id, 1), (case.id, 2)]
    removals = db.exec(
        select(AuditEntry).where(AuditEntry.object_type == "sos_story_panel", AuditEntry.action == "delete")
    )
    assert len(removals.all()) == 1
