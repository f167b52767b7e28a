"""The pages a manager lives on stay bounded as the service grows (issue 21): the review queue is
paged, the all-teams oversight is a line per team with each team's detail one click away, and each
page runs the same number of SQL statements with small and large data."""

from __future__ import annotations

import re
from datetime import timedelta

from app.review.models import Submission
from app.timeutil import utcnow
from tests.factories import login, make_case, make_team, make_user
from tests.querycount import count_queries


def _waiting(db, team, worker, count, start=0):
    for i in range(count):
        case = make_case(db, worker=worker, young_person_name=f"Young Person {start + i}")
        db.add(
            Submission(
                kind="sos_map",
                case_id=case.id,
                team_id=team.id,
                item_id=f"item-{start + i}",
                version_id=f"version-{start + i}",
                submitted_by_id=worker.id,
                submitted_at=utcnow() - timedelta(hours=start + i),
            )
        )


def _teams(db, n, first=0):
    made = []
    for t in range(first, first + n):
        team = make_team(db, name=f"Team {chr(65 + t)}")
        worker = make_user(db, team=team, full_name=f"Worker {chr(65 + t)}")
        make_user(db, team=team, role="supervisor", full_name=f"Supervisor {chr(65 + t)}")
        made.append((team, worker))
    return made


def test_the_review_queue_is_paged_oldest_first_and_the_pages_follow_the_filters(client, db, settings):
    (team, worker), _ = _teams(db, 2)
    manager = make_user(db, role="manager", full_name="Morag Bell")
    _waiting(db, team, worker, 60)
    db.commit()
    login(client, db, manager, settings)
    first = client.get("/review").text
    assert "60 waiting, oldest first · page 1 of 2." in first
    assert len(re.findall(r'href="/review/[0-9a-f-]{36}"', first)) == 50
    assert "Young Person 59 <" in first and "Young Person 9 <" not in first  # the oldest first
    assert f'href="/review?worker={worker.id}&amp;page=2"' in client.get(f"/review?worker={worker.id}").text
    second = client.get("/review?page=2").text
    assert len(re.findall(r'href="/review/[0-9a-f-]{36}"', second)) == 10 and "Young Person 0 <" in second
    assert "page 2 of 2" in client.get("/review?page=999").text  # past the end: the last page


def test_the_review_queue_runs_the_same_statements_with_10_and_1000_items(client, db, settings, engine):
    (team, worker), _ = _teams(db, 2)
    manager = make_user(db, role="manager", full_name="Morag Bell")
    _waiting(db, team, worker, 10)
    db.commit()
    login(client, db, manager, settings)
    client.get("/review")
    with count_queries(engine) as small:
        assert client.get("/review").status_code == 200
    _waiting(db, team, worker, 990, start=10)
    db.commit()
    # Making 990 items can take over a minute on a loaded machine: the sign-in's once-a-minute
    # last-seen write then falls due, so it is made by this request, not the measured one.
    client.get("/review")
    with count_queries(engine) as large:
        page = client.get("/review").text
    assert "1000 waiting" in page
    assert len(small) == len(large), (len(small), len(large))


def test_the_whole_service_is_a_line_per_team_and_a_team_opens_its_own_oversight(client, db, settings):
    (north, sam), (south, _) = _teams(db, 2)
    manager = make_user(db, role="manager", full_name="Morag Bell")
    make_case(db, worker=sam, young_person_name="Quiet Case", opened_at=utcnow() - timedelta(days=60))
    db.commit()
    login(client, db, manager, settings)
    page = client.get("/review/oversight").text
    teams = page.split('id="teams-h"', 1)[1].split("</table>", 1)[0]
    assert f'href="/review/oversight?team={north.id}"' in teams and "Team B" in teams
    assert "Quiet Case" not in page and "Worker A" not in page  # the detail is a click away
    assert f"/team/cases?team={north.id}&amp;flag=no_contact" in page
    detail = client.get(f"/review/oversight?team={north.id}").text
    assert "Worker A" in detail and "Quiet Case" in detail
    cases = client.get(f"/team/cases?team={north.id}&flag=no_contact").text
    assert "Quiet Case" in cases and "1 case" in cases
    assert "Quiet Case" not in client.get(f"/team/cases?team={south.id}").text


def test_the_whole_service_oversight_runs_the_same_statements_with_3_and_12_teams(client, db, settings, engine):
    made = _teams(db, 3)
    manager = make_user(db, role="manager", full_name="Morag Bell")
    for team, worker in made:
        _waiting(db, team, worker, 3)
    db.commit()
    login(client, db, manager, settings)
    client.get("/review/oversight")
    with count_queries(engine) as small:
        assert client.get("/review/oversight").status_code == 200
    for team, worker in _teams(db, 9, first=3):
        _waiting(db, team, worker, 40)
    db.commit()
    with count_queries(engine) as large:
        page = client.get("/review/oversight").text
    assert page.count('href="/review/oversight?team=') == 12
    assert len(small) == len(large), (len(small), len(large))
