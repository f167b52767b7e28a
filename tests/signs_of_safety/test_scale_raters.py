"""Whose name a safety-scale rating is stored under, on the worker's rating screen."""

from __future__ import annotations

from tests.factories import login, make_case, make_team, make_user


def _team_case(db):
    team = make_team(db, name="Sefton North")
    worker = make_user(db, team=team, full_name="Sam Okafor")
    priya = make_user(db, team=team, role="supervisor", full_name="Priya Shah")
    make_user(db, team=team, role="supervisor", full_name="Tom Hale")
    return worker, priya, make_case(db, worker=worker, young_person_name="Amira Hassan")


def test_a_manager_opens_the_rating_screen_on_the_key_workers_rating(client, db, settings):
    """A manager gives no rating of their own, so the screen opens on the key worker's."""
    _, _, case = _team_case(db)
    login(client, db, make_user(db, role="manager"), settings)
    page = client.get(f"/cases/{case.id}/signs-of-safety/scales/rate")
    assert page.status_code == 200
    assert 'name="rater" value="key_worker"' in page.text and "Sam Okafor" in page.text
