"""Whose name a safety-scale rating is stored under, on the worker's rating screen."""

from __future__ import annotations

import re
import uuid

from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import new_id
from app.signs_of_safety.models import ScaleRating
from tests.factories import login, make_case, make_team, make_user


def _team_case(db):
    team = make_team(db, name="Sefton North")
    worker = make_user(db, team=team, full_name="Sam Okafor")
    priya = make_user(db, team=team, role="supervisor", full_name="Priya Shah")
    make_user(db, team=team, role="supervisor", full_name="Tom Hale")
    return worker, priya, make_case(db, worker=worker, young_person_name="Amira Hassan")


def _rate(client, case, headers=None, **fields):
    data = {"id": new_id(), "score-0": "6", **fields}
    return client.post(f"/cases/{case.id}/signs-of-safety/scales/ratings", data=data, headers=headers or {})


def test_a_worker_chooses_the_supervisor_by_name_and_cannot_send_the_old_supervisor_key(client, db, settings):
    """Sent as an ordinary form, "supervisor" no longer stands for the team's first supervisor:
    the worker is asked which supervisor, beside the question, with the rating kept."""
    worker, priya, case = _team_case(db)
    login(client, db, worker, settings)

    asked = client.get(f"/cases/{case.id}/signs-of-safety/scales/rate?rater=supervisor")
    assert asked.status_code == 200 and "Which supervisor gave this rating?" in asked.text
    refused = _rate(client, case, rater="supervisor")
    assert refused.status_code == 422 and not db.exec(select(ScaleRating)).all()
    assert 'id="rater-error"' in refused.text and "Choose which supervisor gave this rating" in refused.text
    assert re.search(r'<input type="radio" name="score-0" id="score-0-6" value="6" checked>', refused.text)
    assert {"Priya Shah", "Tom Hale"} <= set(re.findall(r'<label for="rater-\d+">([^<]+)</label>', refused.text))
    # Sent from that screen without a choice (through the outbox, as a page with scripts does): asked again.
    unchosen = _rate(client, case, headers={"Idempotency-Key": str(uuid.uuid4())}, choose="supervisor")
    assert unchosen.status_code == 422 and not db.exec(select(ScaleRating)).all()

    assert _rate(client, case, rater=f"user:{priya.id}").status_code == 303
    stored = db.exec(select(ScaleRating)).one()
    assert (stored.rater_name, stored.rater_role) == ("Priya Shah", "supervisor")


def test_a_form_kept_from_before_ratings_were_per_worker_lands_as_replayed_and_says_so(client, db, settings):
    """A form kept on a device from before December 2026 names "supervisor": the outbox's replay
    still lands, under the team's first supervisor, and the audit log says who recorded it."""
    worker, _, case = _team_case(db)
    login(client, db, worker, settings)
    assert _rate(client, case, headers={"Idempotency-Key": str(uuid.uuid4())}, rater="supervisor").status_code == 303
    stored = db.exec(select(ScaleRating)).one()
    assert (stored.rater_name, stored.rater_role, stored.recorded_by_id) == ("Priya Shah", "supervisor", worker.id)
    created = db.exec(select(AuditEntry).where(AuditEntry.object_type == "sos_scale_rating")).one()
    assert "recorded for the supervisor (Priya Shah) by Sam Okafor" in created.detail


def test_a_manager_opens_the_rating_screen_on_the_key_workers_rating(client, db, settings):
    """A manager gives no rating of their own, so the screen opens on the key worker's."""
    _, _, case = _team_case(db)
    login(client, db, make_user(db, role="manager"), settings)
    page = client.get(f"/cases/{case.id}/signs-of-safety/scales/rate")
    assert page.status_code == 200
    assert 'name="rater" value="key_worker"' in page.text and "Sam Okafor" in page.text
