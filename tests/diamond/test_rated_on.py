"""Back-dated Diamond ratings (issue 18, "recording past work"): a rating is dated when it was given,
never in the future nor before the referral; the audit keeps when it was entered; the charts go by
the day it was given; the family never sees a date, the worker sets it before handing over."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import select

from app.audit.models import AuditEntry
from app.diamond.models import DiamondRating
from app.family.models import FamilyHandover
from app.timeutil import LOCAL, local, today, utcnow
from tests.diamond.factories import four, rate
from tests.factories import login, make_case, make_user
from tests.family.factories import PIN, with_pin, young_person


def _day(d) -> str:
    return f"{d:%-d %b %Y}"


def _rate(client, case, scores, **extra):
    return client.post(f"/cases/{case.id}/diamond/rate", data={"id": str(uuid.uuid4()), **scores, **extra})


def _worker_case(client, db, settings, **case_fields):
    worker = with_pin(make_user(db, full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan", **case_fields)
    login(client, db, worker, settings)
    return worker, case


def test_the_rating_form_offers_a_date_defaulting_to_today(client, db, settings):
    _, case = _worker_case(client, db, settings)
    page = client.get(f"/cases/{case.id}/diamond/rate").text
    field = re.search(r'<input id="rated_on"[^>]*>', page).group(0)
    assert 'type="date"' in field and f'value="{today().isoformat()}"' in field
    assert f'max="{today().isoformat()}"' in field
    assert '<label for="rated_on">Rated on</label>' in page
    # The worker rates how they see the young person: each aim is explained about her, not in the
    # words the family screens say to her ("how you feel"), as it was until December 2026.
    assert "This is about how Kayla Morgan feels most days." in page and "how you feel" not in page


def test_a_back_dated_rating_keeps_its_day_and_the_audit_keeps_when_it_was_entered(client, db, settings):
    _, case = _worker_case(client, db, settings)
    assert _rate(client, case, four(5, 5, 5, 5)).status_code == 303
    week_ago = today() - timedelta(days=7)
    before = utcnow()
    assert _rate(client, case, four(2, 2, 2, 2), rated_on=week_ago.isoformat()).status_code == 303
    back_dated = db.exec(select(DiamondRating).where(DiamondRating.case_id == case.id, DiamondRating.score == 2)).all()
    assert len(back_dated) == 4 and {r.rated_on for r in back_dated} == {week_ago}
    entries = db.exec(
        select(AuditEntry).where(
            AuditEntry.object_type == "diamond_rating", AuditEntry.object_id.in_([r.id for r in back_dated])
        )
    ).all()
    assert len(entries) == 4
    assert all(local(e.at).date() == today() and e.at >= before.replace(tzinfo=e.at.tzinfo) for e in entries)
    assert all(f"rated on {week_ago.isoformat()}" in e.detail for e in entries)
    # The charts go by the day given: entered last, the week-old rating is "last time", not "latest".
    page = client.get(f"/cases/{case.id}/diamond").text
    latest = page.split("Everyone's latest numbers")[1].split("</table>")[0]
    assert _day(today()) in latest and ">5<" in latest and ">2<" not in latest
    assert re.search(rf"Last time, {_day(week_ago)}</th>(<td>2</td>){{4}}", page)


def test_a_future_rating_date_is_refused_beside_the_field_and_nothing_is_lost(client, db, settings):
    _, case = _worker_case(client, db, settings)
    tomorrow = today() + timedelta(days=1)
    response = _rate(client, case, four(3, 4, 5, 6), rated_on=tomorrow.isoformat(), positive_experiences="Cooking")
    assert response.status_code == 422
    field = response.text.split('<label for="rated_on">')[1].split("</div>")[0]
    assert "The rating date is in the future; it should be today or earlier." in field
    assert 'id="wellbeing-3" name="wellbeing" value="3" checked' in response.text and "Cooking" in response.text
    assert not db.exec(select(DiamondRating).where(DiamondRating.case_id == case.id)).all()


def test_a_rating_dated_before_the_referral_is_refused_with_the_referral_date(client, db, settings):
    referred = today() - timedelta(days=30)
    _, case = _worker_case(client, db, settings, referral_date=referred)
    response = _rate(client, case, four(3, 4, 5, 6), rated_on=(referred - timedelta(days=1)).isoformat())
    assert response.status_code == 422
    field = response.text.split('<label for="rated_on">')[1].split("</div>")[0]
    assert f"before the referral on {_day(referred)}" in field
    assert not db.exec(select(DiamondRating).where(DiamondRating.case_id == case.id)).all()
    assert _rate(client, case, four(3, 4, 5, 6), rated_on=referred.isoformat()).status_code == 303


def _family_rates(client, db, case, score=6):
    y = young_person(db, case)
    page = client.get(f"/family/{case.id}/{y.id}/diamond/wellbeing").text
    form_id = re.search(r'name="id" value="([0-9a-f-]{36})"', page).group(1)
    made_on = re.search(r'name="rated_on" value="([0-9-]*)"', page).group(1)
    response = client.post(
        f"/family/{case.id}/{y.id}/diamond/wellbeing", data={"id": form_id, "score": score, "rated_on": made_on}
    )
    return page, response


def test_the_worker_dates_the_family_ratings_before_handing_over_and_the_family_sees_no_date(client, db, settings):
    _, case = _worker_case(client, db, settings)
    page = client.get(f"/cases/{case.id}/hand-to-family").text
    assert re.search(rf'<input id="rated_on" name="rated_on" type="date" value="{today().isoformat()}"', page)
    visit_day = today() - timedelta(days=2)
    y = young_person(db, case)
    response = client.post(
        f"/cases/{case.id}/hand-to-family", data={"person": y.id, "pin": PIN, "rated_on": visit_day.isoformat()}
    )
    assert response.status_code == 303
    family_page, answer = _family_rates(client, db, case)
    assert 'type="date"' not in family_page
    assert answer.status_code == 303
    rating = db.exec(select(DiamondRating).where(DiamondRating.case_id == case.id)).one()
    assert rating.rated_on == visit_day and rating.person_id == y.id
    assert db.exec(select(FamilyHandover).where(FamilyHandover.case_id == case.id)).one().rated_on == visit_day


def test_the_family_cannot_move_the_date_the_worker_set(client, db, settings):
    _, case = _worker_case(client, db, settings)
    y = young_person(db, case)
    client.post(f"/cases/{case.id}/hand-to-family", data={"person": y.id, "pin": PIN})
    page = client.get(f"/family/{case.id}/{y.id}/diamond/wellbeing").text
    form_id = re.search(r'name="id" value="([0-9a-f-]{36})"', page).group(1)
    earlier = (today() - timedelta(days=5)).isoformat()
    client.post(f"/family/{case.id}/{y.id}/diamond/wellbeing", data={"id": form_id, "score": 7, "rated_on": earlier})
    assert db.exec(select(DiamondRating).where(DiamondRating.case_id == case.id)).one().rated_on == today()


def test_a_future_hand_over_date_is_refused_beside_the_field(client, db, settings):
    _, case = _worker_case(client, db, settings)
    y = young_person(db, case)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = client.post(f"/cases/{case.id}/hand-to-family", data={"person": y.id, "pin": PIN, "rated_on": tomorrow})
    assert response.status_code == 422
    assert "The rating date is in the future" in response.text.split('<label for="rated_on">')[1].split("</div>")[0]
    assert not db.exec(select(FamilyHandover).where(FamilyHandover.case_id == case.id)).all()


def test_a_family_answer_made_offline_keeps_the_day_it_was_made_when_it_syncs_later(client, db, settings):
    """The device fills in `rated_on` when the answer is made (offline.js); the outbox replays it
    after the hand-back, as the worker, days later."""
    _, case = _worker_case(client, db, settings)
    y = young_person(db, case)
    made_on = today() - timedelta(days=3)
    for aim, day in (("wellbeing", made_on), ("learning", today() + timedelta(days=9))):
        response = client.post(
            f"/family/{case.id}/{y.id}/diamond/{aim}",
            data={"id": str(uuid.uuid4()), "score": 6, "rated_on": day.isoformat()},
            headers={"Idempotency-Key": str(uuid.uuid4()), "Accept": "application/json"},
        )
        assert response.status_code == 303
    rows = {r.aim: r for r in db.exec(select(DiamondRating).where(DiamondRating.case_id == case.id)).all()}
    assert rows["wellbeing"].rated_on == made_on and rows["wellbeing"].in_family_mode
    # A day that cannot be right (a device clock in the future) is not trusted: the answer is kept, dated today.
    assert rows["learning"].rated_on == today()


def test_a_back_dated_rating_is_on_the_timeline_on_the_day_it_was_given(client, db, settings):
    _, case = _worker_case(client, db, settings)
    week_ago = today() - timedelta(days=7)
    assert _rate(client, case, four(2, 2, 2, 2), rated_on=week_ago.isoformat()).status_code == 303
    page = client.get(f"/cases/{case.id}").text
    item = re.search(r'<li class="timeline-rating">\s*<time datetime="([^"]+)">([^<]+)</time>', page)
    assert item.group(2).startswith(f"{_day(week_ago)}, ")
    assert local(datetime.fromisoformat(item.group(1))).date() == week_ago


def _latest(client, case) -> str:
    page = client.get(f"/cases/{case.id}/diamond").text
    return page.split("Everyone's latest numbers")[1].split("</table>")[0]


def _stamp(at) -> str:
    """As the page's script fills `recorded_at` when the form is sent (app.js)."""
    return at.isoformat().replace("+00:00", "Z")


def _earlier_today():
    """Four hours ago, or the day's first moment if that was yesterday: a stamp from before the
    day rated is not trusted (rules.given_at), so just after midnight "earlier" is midnight."""
    day_began = datetime.combine(today(), time(0), LOCAL).astimezone(UTC)
    return max(utcnow() - timedelta(hours=4), day_began)


def test_a_worker_rating_sent_late_from_the_tablet_does_not_undo_a_correction_made_since(client, db, settings):
    """Rated 3 on the tablet offline in the morning, put right to 5 in the office, the tablet syncs
    in the evening: the 5 stands, since the 3 carries the time it was given, not the time it arrived."""
    _, case = _worker_case(client, db, settings)
    page = client.get(f"/cases/{case.id}/diamond/rate").text
    form = re.search(r"<form [^>]*/diamond/rate[^>]*>", page).group(0)
    assert "data-stamp" in form and '<input type="hidden" name="recorded_at" value="">' in page
    given_on_the_tablet = _earlier_today()
    assert _rate(client, case, four(5, 5, 5, 5)).status_code == 303
    assert _rate(client, case, four(3, 3, 3, 3), recorded_at=_stamp(given_on_the_tablet)).status_code == 303
    latest = _latest(client, case)
    assert latest.count("<td>5</td>") == 4 and "<td>3</td>" not in latest


def test_a_family_answer_sent_late_from_the_tablet_does_not_undo_a_correction_made_since(client, db, settings):
    _, case = _worker_case(client, db, settings)
    y = young_person(db, case)
    page = client.get(f"/family/{case.id}/{y.id}/diamond/wellbeing").text
    form = re.search(r"<form [^>]*/diamond/wellbeing[^>]*>", page).group(0)
    assert "data-stamp" in form and '<input type="hidden" name="recorded_at" value="">' in page
    url = f"/family/{case.id}/{y.id}/diamond/wellbeing"
    assert client.post(url, data={"id": str(uuid.uuid4()), "score": 7}).status_code == 303
    late = {"id": str(uuid.uuid4()), "score": 2, "recorded_at": _stamp(_earlier_today())}
    assert client.post(url, data=late, headers={"Idempotency-Key": late["id"]}).status_code == 303
    latest = _latest(client, case)
    assert "<td>7</td>" in latest and "<td>2</td>" not in latest


def test_with_a_tablet_clock_a_day_behind_a_correction_stands_on_the_chart_and_in_the_distance(client, db, settings):
    """Both stamps are from before the day rated, so neither is trusted: each is given when it
    arrived, and the chart, the glance and the case page's distance all take the 3 put right after
    the 8."""
    worker, case = _worker_case(client, db, settings)
    rate(db, case=case, by_user=worker, scores=four(5, 5, 5, 5), on=today() - timedelta(days=10))
    db.commit()
    before = utcnow()
    behind = before - timedelta(days=1, hours=2)
    assert _rate(client, case, four(8, 8, 8, 8), recorded_at=_stamp(behind)).status_code == 303
    assert _rate(client, case, four(3, 3, 3, 3), recorded_at=_stamp(behind + timedelta(hours=1))).status_code == 303
    given = {r.score: r.recorded_at for r in db.exec(select(DiamondRating).where(DiamondRating.rated_on == today()))}
    assert given[3] > given[8] >= before.replace(tzinfo=given[8].tzinfo)
    latest = _latest(client, case)
    assert latest.count("<td>3</td>") == 4 and "<td>8</td>" not in latest
    page = client.get(f"/cases/{case.id}").text
    assert "<td>Sam Okafor (worker)</td><td>Learning</td><td>5</td><td>3</td><td>down 2</td><td>2</td>" in page
    assert "latest average: worker 3 " in page


@pytest.mark.parametrize("stamp", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_a_stamp_at_the_calendars_edge_is_saved_as_given_now(client, db, settings, stamp):
    """A stamp that cannot be turned into UTC is no stamp: the rating is saved, not a server error
    that would leave the device's outbox stuck on it."""
    _, case = _worker_case(client, db, settings)
    before = utcnow()
    assert _rate(client, case, four(3, 3, 3, 3), recorded_at=stamp).status_code == 303
    stored = db.exec(select(DiamondRating).where(DiamondRating.case_id == case.id)).all()
    assert len(stored) == 4 and all(r.recorded_at.replace(tzinfo=None) >= before.replace(tzinfo=None) for r in stored)


def test_a_stamp_from_a_tablet_clock_running_fast_is_taken_as_now(client, db, settings):
    """A device a day ahead cannot make its rating outlast a correction made after it."""
    _, case = _worker_case(client, db, settings)
    tomorrow = utcnow() + timedelta(days=1)
    assert _rate(client, case, four(3, 3, 3, 3), recorded_at=_stamp(tomorrow)).status_code == 303
    stored = db.exec(select(DiamondRating).where(DiamondRating.case_id == case.id)).all()
    assert all(r.recorded_at.replace(tzinfo=None) <= utcnow().replace(tzinfo=None) for r in stored)
    assert _rate(client, case, four(5, 5, 5, 5)).status_code == 303
    latest = _latest(client, case)
    assert latest.count("<td>5</td>") == 4 and "<td>3</td>" not in latest
