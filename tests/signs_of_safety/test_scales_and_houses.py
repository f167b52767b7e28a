"""Safety scales (append-only, anchors kept on each rating, chart and table) and the three houses."""

from __future__ import annotations

import base64
import re

import pytest
from sqlmodel import select

from app.cases.models import new_id
from app.signs_of_safety import rules
from app.signs_of_safety.models import Category, ScaleRating, ThreeHousesEntry
from tests.factories import login, make_case, make_user
from tests.signs_of_safety.factories import add_item, make_person, young_person

# A 1x1 PNG, as a canvas would send it.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture
def worker_case(client, db, settings):
    worker = make_user(db, full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Amira Hassan", practice_context="cp")
    mum = make_person(db, case=case, name="Samira Hassan")
    pair = add_item(
        db, case=case, by=worker, category=Category.pair, text="Worried Mr K will hurt Amira.", goal="Mr K stays away."
    )
    login(client, db, worker, settings)
    return worker, case, mum, pair


def rate(client, case, rater, **scores):
    data = {"id": new_id(), "rater": rater, **{k.replace("_", "-"): str(v) for k, v in scores.items()}}
    return client.post(f"/cases/{case.id}/signs-of-safety/scales/ratings", data=data)


def test_parent_sees_parent_anchors_and_they_are_stored_with_the_rating(client, db, worker_case):
    _, case, mum, pair = worker_case
    page = client.get(f"/cases/{case.id}/signs-of-safety/scales/rate?rater=person:{mum.id}").text
    low, high = rules.anchors(rater_role="parent_carer", practice_context="cp")
    assert low in page and high in page
    response = client.post(
        f"/cases/{case.id}/signs-of-safety/scales/ratings",
        data={
            "id": new_id(),
            "rater": f"person:{mum.id}",
            "score-0": "4",
            "why-0": "I changed the locks.",
            "higher-0": "Not being scared.",
            "score-1": "3",
        },
    )
    assert response.status_code == 303
    rows = db.exec(select(ScaleRating).order_by(ScaleRating.pair_key)).all()
    assert {(r.pair_key, r.score) for r in rows} == {(None, 4), (pair.item_key, 3)}
    overall = next(r for r in rows if r.pair_key is None)
    assert (overall.anchor_low, overall.anchor_high, overall.rater_role, overall.rater_name) == (
        low,
        high,
        "parent_carer",
        "Samira Hassan",
    )
    assert (overall.why_not_lower, overall.one_step_higher) == ("I changed the locks.", "Not being scared.")


def test_young_person_and_worker_get_their_own_anchor_words(db):
    young = rules.anchors(rater_role="young_person", practice_context="cp")
    worker = rules.anchors(rater_role="key_worker", practice_context="cp")
    assert young != worker
    assert "cannot safely live at home" in worker[0]
    assert rules.anchors(rater_role="key_worker", practice_context="early_help") != worker


def test_same_rating_sent_twice_is_stored_once(client, db, worker_case):
    _, case, _, _ = worker_case
    data = {"id": new_id(), "rater": "key_worker", "score-0": "5", "score-1": "6"}
    for _ in range(2):
        assert client.post(f"/cases/{case.id}/signs-of-safety/scales/ratings", data=data).status_code == 303
    assert len(db.exec(select(ScaleRating)).all()) == 2  # overall + one pair, once each


def test_rating_without_the_overall_number_is_refused_beside_the_field(client, db, worker_case):
    _, case, _, _ = worker_case
    response = rate(client, case, "key_worker", score_1=11)
    assert response.status_code == 422
    assert 'id="score-0-error"' in response.text and 'id="score-1-error"' in response.text
    assert db.exec(select(ScaleRating)).first() is None


def test_new_ratings_never_replace_old_ones_and_the_chart_and_table_show_both(client, db, worker_case):
    _, case, mum, _ = worker_case
    young = young_person(db, case)
    assert rate(client, case, "key_worker", score_0=2).status_code == 303
    assert rate(client, case, "key_worker", score_0=5).status_code == 303
    assert rate(client, case, f"person:{young.id}", score_0=7).status_code == 303
    assert rate(client, case, f"person:{mum.id}", score_0=4).status_code == 303
    assert [
        r.score
        for r in db.exec(
            select(ScaleRating).where(ScaleRating.rater_role == "key_worker").order_by(ScaleRating.rated_at)
        ).all()
    ] == [2, 5]

    page = client.get(f"/cases/{case.id}/signs-of-safety/scales").text
    overall = page.split('id="scale-overall-h"')[1].split("</section>")[0]
    assert overall.count('role="img"') == 1
    title = re.search(r"<title[^>]*>(.*?)</title>", overall, re.S).group(1)
    assert "Sam Okafor (key worker) 2, 5" in title
    headers = re.findall(r'<th scope="col">([^<]*)</th>', overall)
    assert headers[0] == "Date"
    assert set(headers[1:]) == {
        "Amira Hassan (young person)",
        "Sam Okafor (key worker)",
        "Samira Hassan (parent or carer)",
    }
    rows = re.findall(r'<tr><th scope="row">[^<]*</th>(.*?)</tr>', overall)
    assert len(rows) == 1  # all on one day, so one row with both of the worker's numbers
    cells = dict(zip(headers[1:], re.findall(r"<td>([^<]*)</td>", rows[0]), strict=False))
    assert cells == {
        "Amira Hassan (young person)": "7",
        "Sam Okafor (key worker)": "2, then 5",
        "Samira Hassan (parent or carer)": "4",
    }
    assert overall.count('class="sos-line"') == 3  # one line per rater


def test_chart_places_scores_on_a_zero_to_ten_axis():
    from datetime import UTC, datetime

    chart = rules.chart({"Mum": [(datetime(2026, 1, 1, tzinfo=UTC), 0), (datetime(2026, 2, 1, tzinfo=UTC), 10)]})
    low, high = chart.lines[0].points
    assert low.y == chart.top + chart.plot_height and high.y == chart.top
    assert chart.left < low.x < high.x < chart.left + chart.plot_width


def test_a_rating_given_just_after_midnight_in_summer_is_shown_on_its_own_day():
    """Stored in UTC, 00:30 on 15 June in the UK is 23:30 on the 14th: the table and the chart's
    days are the days where the ratings were given."""
    from datetime import UTC, date, datetime

    series = {
        "Mum": [(datetime(2026, 6, 14, 23, 30, tzinfo=UTC), 4)],
        "Sam": [(datetime(2026, 6, 14, 9, 0, tzinfo=UTC), 6)],
    }
    table = rules.score_table(series)
    assert [(day, scores) for day, scores in table.rows] == [
        (date(2026, 6, 14), [[], [6]]),
        (date(2026, 6, 15), [[4], []]),
    ]
    chart = rules.chart(series)
    assert chart.lines[0].points[0].x != chart.lines[1].points[0].x  # two days apart on the chart, not one


def test_young_person_writes_in_the_house_of_dreams_in_their_own_words(client, db, worker_case):
    _, case, _, _ = worker_case
    response = client.post(
        f"/cases/{case.id}/signs-of-safety/three-houses/entries",
        data={
            "id": new_id(),
            "house": "dreams",
            "text": "Art college in Manchester.",
            "own_words": "1",
            "consent_to_share": "1",
        },
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "&ldquo;Art college in Manchester.&rdquo;" in page and "In their own words" in page and "OK to share" in page
    entry = db.exec(select(ThreeHousesEntry)).one()
    assert entry.person_id == young_person(db, case).id and entry.house == "dreams"


def test_drawing_is_saved_as_png_and_served_only_for_the_case(client, db, settings, worker_case):
    _, case, _, _ = worker_case
    entry_id = new_id()
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    for _ in range(2):  # an outbox replay
        response = client.post(
            f"/cases/{case.id}/signs-of-safety/three-houses/entries",
            data={"id": entry_id, "house": "good_things", "drawing": data_url, "drawing_description": "My dog Biscuit"},
        )
        assert response.status_code == 303
    assert len(db.exec(select(ThreeHousesEntry)).all()) == 1
    page = client.get(f"/cases/{case.id}/signs-of-safety/three-houses?house=good_things").text
    assert 'alt="Drawing: My dog Biscuit"' in page
    image = client.get(f"/cases/{case.id}/signs-of-safety/three-houses/{entry_id}/drawing.png")
    assert image.status_code == 200 and image.content == PNG and image.headers["content-type"] == "image/png"
    assert "no-store" in image.headers["cache-control"]
    login(client, db, make_user(db), settings)
    assert client.get(f"/cases/{case.id}/signs-of-safety/three-houses/{entry_id}/drawing.png").status_code == 404


def test_drawing_that_is_not_a_png_or_has_no_description_is_refused(client, db, worker_case):
    _, case, _, _ = worker_case
    bad = client.post(
        f"/cases/{case.id}/signs-of-safety/three-houses/entries",
        data={
            "id": new_id(),
            "house": "worries",
            "drawing": "data:image/png;base64," + base64.b64encode(b"<svg/>").decode(),
            "drawing_description": "x",
        },
    )
    assert bad.status_code == 422 and 'id="drawing-error"' in bad.text
    undescribed = client.post(
        f"/cases/{case.id}/signs-of-safety/three-houses/entries",
        data={"id": new_id(), "house": "worries", "drawing": "data:image/png;base64," + base64.b64encode(PNG).decode()},
    )
    assert undescribed.status_code == 422 and 'id="drawing_description-error"' in undescribed.text
    empty = client.post(
        f"/cases/{case.id}/signs-of-safety/three-houses/entries", data={"id": new_id(), "house": "worries"}
    )
    assert empty.status_code == 422 and 'id="text-error"' in empty.text
    assert db.exec(select(ThreeHousesEntry)).first() is None


def test_jargon_hints_find_labels_as_whole_words():
    assert rules.jargon_hints("Concerns about neglect and mental health")
    assert rules.jargon_hints("Mum takes Kayla to school") == []
    assert rules.jargon_hints("neglected garden") == []


def test_rater_roles_come_from_the_relationship():
    assert rules.rater_role_for(relationship="Young person", is_young_person=True) == "young_person"
    assert rules.rater_role_for(relationship="Stepfather", is_young_person=False) == "parent_carer"
    assert rules.rater_role_for(relationship="Uncle", is_young_person=False) == "network_member"


def test_in_family_mode_the_workers_rating_and_three_houses_screens_refuse_and_store_nothing(
    client, db, settings, worker_case
):
    from app.security.models import UserSession
    from app.signs_of_safety.models import ScaleRating

    worker, case, mum, _ = worker_case
    other = make_case(db, worker=worker)
    for user_session in db.exec(select(UserSession).where(UserSession.user_id == worker.id)).all():
        user_session.family_case_id = case.id
        user_session.family_person_id = mum.id
    db.commit()
    # The worker's forms name their rater in a field: the family could rate as the key worker.
    assert client.get(f"/cases/{case.id}/signs-of-safety/scales/rate?rater=person:{mum.id}").status_code == 403
    assert client.get(f"/cases/{case.id}/signs-of-safety/three-houses").status_code == 403
    for rater in (f"person:{mum.id}", "key_worker"):
        response = client.post(
            f"/cases/{case.id}/signs-of-safety/scales/ratings", data={"id": new_id(), "rater": rater, "score-0": "6"}
        )
        assert response.status_code == 403 and "hand the tablet back" in response.text
    assert db.exec(select(ScaleRating)).all() == []
    assert client.get(f"/cases/{case.id}/signs-of-safety").status_code == 403
    assert client.get(f"/cases/{case.id}/signs-of-safety/scales").status_code == 403
    assert client.get(f"/cases/{other.id}/signs-of-safety/three-houses").status_code == 403


def test_rating_made_offline_keeps_the_time_it_was_given_unless_that_time_is_implausible(client, db, worker_case):
    from datetime import UTC, datetime, timedelta

    _, case, _, _ = worker_case
    visit = (datetime.now(UTC) - timedelta(days=3)).replace(microsecond=0)
    client.post(
        f"/cases/{case.id}/signs-of-safety/scales/ratings",
        data={
            "id": new_id(),
            "rater": "key_worker",
            "score-0": "5",
            "recorded_at": visit.isoformat().replace("+00:00", "Z"),
        },
    )
    client.post(
        f"/cases/{case.id}/signs-of-safety/scales/ratings",
        data={"id": new_id(), "rater": "key_worker", "score-0": "6", "recorded_at": "2099-01-01T00:00:00Z"},
    )
    rows = {r.score: r.rated_at for r in db.exec(select(ScaleRating)).all()}
    assert rows[5] == visit
    assert abs(rows[6] - datetime.now(UTC)) < timedelta(minutes=1)


@pytest.mark.parametrize("stamp", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_a_rating_stamped_at_the_calendars_edge_is_saved_as_given_now(client, db, worker_case, stamp):
    from datetime import UTC, datetime, timedelta

    _, case, _, _ = worker_case
    response = client.post(
        f"/cases/{case.id}/signs-of-safety/scales/ratings",
        data={"id": new_id(), "rater": "key_worker", "score-0": "6", "recorded_at": stamp},
    )
    assert response.status_code == 303
    stored = db.exec(select(ScaleRating)).one()
    assert abs(stored.rated_at - datetime.now(UTC)) < timedelta(minutes=1)


def test_a_co_worker_rates_in_their_own_name_and_each_team_supervisor_is_offered_by_name(client, db, settings):
    """The rating screen opens on the person using it: a co-worker's view is not stored as the key
    worker's, and the worker recording a supervisor's rating chooses which supervisor."""
    from tests.factories import make_team

    team = make_team(db, name="Sefton North")
    key_worker = make_user(db, team=team, full_name="Sam Okafor")
    co_worker = make_user(db, team=team, full_name="Jo Reyes")
    make_user(db, team=team, role="supervisor", full_name="Priya Shah")
    make_user(db, team=team, role="supervisor", full_name="Tom Hale")
    case = make_case(db, worker=key_worker, co_worker=co_worker, young_person_name="Amira Hassan")
    login(client, db, co_worker, settings)

    page = client.get(f"/cases/{case.id}/signs-of-safety/scales/rate").text
    assert "<h1>Jo Reyes&#39;s rating</h1>" in page or "<h1>Jo Reyes's rating</h1>" in page
    rater = re.search(r'name="rater" value="([^"]+)"', page).group(1)
    assert rate(client, case, rater, score_0=6).status_code == 303
    stored = db.exec(select(ScaleRating)).one()
    assert (stored.rater_name, stored.rater_role) == ("Jo Reyes", "key_worker")

    who = client.get(f"/cases/{case.id}/signs-of-safety/scales").text
    for name in ("Sam Okafor", "Jo Reyes", "Priya Shah", "Tom Hale"):
        assert f'data-rater-name="{name}"' in who


def test_a_drawing_sent_without_its_description_comes_back_with_the_form(client, db, settings, worker_case):
    """Asked to say what the drawing shows, the young person is not made to draw it all again."""
    _, case, _, _ = worker_case
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    refused = client.post(
        f"/cases/{case.id}/signs-of-safety/three-houses/entries",
        data={"id": new_id(), "house": "good_things", "drawing": data_url},
    )
    assert refused.status_code == 422 and 'id="drawing_description-error"' in refused.text
    assert f'name="drawing" value="{data_url}"' in refused.text
    assert db.exec(select(ThreeHousesEntry)).all() == []


def test_one_rating_form_naming_the_overall_scale_twice_stores_one_overall_rating(client, db, worker_case):
    _, case, mum, _ = worker_case
    data = {"id": new_id(), "rater": f"person:{mum.id}", "scale-0": "overall", "score-0": "3",
            "scale-1": "overall", "score-1": "9"}  # fmt: skip
    assert client.post(f"/cases/{case.id}/signs-of-safety/scales/ratings", data=data).status_code == 303
    assert [(r.pair_key, r.score) for r in db.exec(select(ScaleRating)).all()] == [(None, 3)]
