"""Back-dated safety scale ratings (issue 18): the worker's rating screen has "Rated on" (today by
default); a past day dates the rating and its place in the chart, a future day or one before the
referral is refused beside the field, and the audit keeps when it was entered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import new_id
from app.signs_of_safety.models import ScaleRating
from app.timeutil import local, today
from tests.factories import login, make_case, make_user


@pytest.fixture
def worker_case(client, db, settings):
    worker = make_user(db, full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Amira Hassan", referral_date=today() - timedelta(days=30))
    login(client, db, worker, settings)
    return worker, case


def _post(client, case, **extra):
    data = {"id": new_id(), "rater": "key_worker", "score-0": "5", **extra}
    return client.post(f"/cases/{case.id}/signs-of-safety/scales/ratings", data=data)


def _field(html: str) -> str:
    return html.split('<label for="rated_on">')[1].split("</div>")[0]


def test_the_workers_rating_screen_offers_rated_on_defaulting_to_today(client, db, worker_case):
    _, case = worker_case
    page = client.get(f"/cases/{case.id}/signs-of-safety/scales/rate").text
    assert f'<input id="rated_on" name="rated_on" type="date" value="{today().isoformat()}"' in page


def test_a_back_dated_scale_rating_takes_its_day_and_the_audit_the_time_entered(client, db, worker_case):
    _, case = worker_case
    day = today() - timedelta(days=4)
    assert _post(client, case, rated_on=day.isoformat()).status_code == 303
    rating = db.exec(select(ScaleRating)).one()
    assert local(rating.rated_at).date() == day
    entry = db.exec(select(AuditEntry).where(AuditEntry.object_type == "sos_scale_rating")).one()
    assert local(entry.at).date() == today()
    # Today's date leaves the time it was given as it was (the tablet's stamp or now).
    assert _post(client, case, rated_on=today().isoformat()).status_code == 303
    assert {local(r.rated_at).date() for r in db.exec(select(ScaleRating)).all()} == {day, today()}


def test_a_future_or_pre_referral_scale_date_is_refused_beside_the_field(client, db, worker_case):
    _, case = worker_case
    future = _post(client, case, rated_on=(today() + timedelta(days=1)).isoformat(), **{"why-0": "Locks changed"})
    assert future.status_code == 422 and "The rating date is in the future" in _field(future.text)
    assert "Locks changed" in future.text
    early = _post(client, case, rated_on=(case.referral_date - timedelta(days=1)).isoformat())
    assert early.status_code == 422 and "before the referral on" in _field(early.text)
    assert db.exec(select(ScaleRating)).first() is None
