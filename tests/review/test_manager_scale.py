"""The pages a manager lives on stay bounded as the service grows (issue 21): the review queue and
the dormant register are paged, the all-teams oversight is a line per team with each team's detail
one click away, a team's flag lists show their first cases with the rest in team cases, and each
page runs the same number of SQL statements with small and large data."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from app.accounts.models import User
from app.cases.models import CaseEvent
from app.endings.models import DormantSpell
from app.review.models import Submission
from app.timeutil import today, utcnow
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
                item_id=f"item-{team.id}-{start + i}",
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


def test_the_review_queue_runs_the_same_statements_with_10_and_130_items(client, db, settings, engine):
    (team, worker), _ = _teams(db, 2)
    manager = make_user(db, role="manager", full_name="Morag Bell")
    _waiting(db, team, worker, 10)
    db.commit()
    login(client, db, manager, settings)
    client.get("/review")
    with count_queries(engine) as small:
        assert client.get("/review").status_code == 200
    _waiting(db, team, worker, 120, start=10)
    db.commit()
    # Making the items can take over a minute on a loaded machine: the sign-in's once-a-minute
    # last-seen write then falls due, so it is made by this request, not the measured one.
    client.get("/review")
    with count_queries(engine) as large:
        page = client.get("/review").text
    assert "130 waiting" in page
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
        _waiting(db, team, worker, 10)
    db.commit()
    with count_queries(engine) as large:
        page = client.get("/review/oversight").text
    assert page.count('href="/review/oversight?team=') == 12
    assert len(small) == len(large), (len(small), len(large))


def _dormant(db, worker, count, start=0, *, due_in=None):
    """`count` dormant cases; with `due_in`, each has an open spell due that many days on plus its
    number, else it went dormant (an event only) 140 days and its number ago."""
    made = []
    for i in range(start, start + count):
        case = make_case(db, worker=worker, status="dormant", young_person_name=f"Dormant {i:03d}")
        if due_in is not None:
            db.add(DormantSpell(case_id=case.id, review_due_on=today() + timedelta(days=due_in + i)))
        else:
            db.add(
                CaseEvent(
                    case_id=case.id,
                    kind="dormant",
                    from_status="active",
                    to_status="dormant",
                    rationale="Work ended.",
                    occurred_at=utcnow() - timedelta(days=140 + i),
                    by_user_id=worker.id,
                )
            )
        made.append(case)
    return made


def _register_names(page: str) -> list[str]:
    return re.findall(r'<a href="/cases/\d+">(Dormant \d+)</a>', page.split("<h2>Prompts and flags</h2>")[0])


def test_the_dormant_register_is_paged_soonest_review_first_and_pages_follow_on(client, db, settings):
    ((team, worker),) = _teams(db, 1)
    manager = make_user(db, role="manager", full_name="Morag Bell")
    # 30 with an open spell's review date (due in 0..29 days), and 30 dated from when they went
    # dormant, 170..199 days ago: due 3 months on, so overdue and before every spell's date, the
    # last named first (neither the names' order nor the spells' dates alone give the order).
    _dormant(db, worker, 30, due_in=0)
    _dormant(db, worker, 30, start=30)
    db.commit()
    login(client, db, manager, settings)
    first = client.get("/dormant").text
    assert "60 dormant, the soonest review first · page 1 of 2." in first
    second = client.get("/dormant?page=2").text
    shown = _register_names(first) + _register_names(second)
    assert len(_register_names(first)) == 50 and len(_register_names(second)) == 10
    assert shown == [f"Dormant {i:03d}" for i in [*range(59, 29, -1), *range(30)]]
    assert 'href="/dormant?page=2" rel="next"' in first and 'href="/dormant?page=1" rel="prev"' in second
    assert "page 2 of 2" in client.get("/dormant?page=999").text  # past the end: the last page
    assert "page 1 of 2" in client.get("/dormant?page=x").text


def test_the_dormant_register_runs_the_same_statements_with_10_and_60_cases(client, db, settings, engine):
    ((team, worker),) = _teams(db, 1)
    manager = make_user(db, role="manager", full_name="Morag Bell")
    _dormant(db, worker, 5, due_in=3)
    _dormant(db, worker, 5, start=5)
    db.commit()
    login(client, db, manager, settings)
    client.get("/dormant")
    with count_queries(engine) as small:
        assert client.get("/dormant").status_code == 200
    _dormant(db, worker, 25, start=10, due_in=3)
    _dormant(db, worker, 25, start=35)
    db.commit()
    client.get("/dormant")
    with count_queries(engine) as large:
        page = client.get("/dormant").text
    assert "60 dormant" in page
    assert len(small) == len(large), (len(small), len(large))


def test_team_oversight_lists_the_first_flagged_cases_by_name_and_counts_them_all(client, db, settings, engine):
    ((team, worker),) = _teams(db, 1)
    supervisor = db.exec(select(User).where(User.team_id == team.id, User.role == "supervisor")).one()
    quiet = utcnow() - timedelta(days=60)
    for i in reversed(range(4)):
        make_case(db, worker=worker, young_person_name=f"Quiet {i:02d}", opened_at=quiet)
    db.commit()
    login(client, db, supervisor, settings)
    client.get("/review/oversight")
    with count_queries(engine) as small:
        assert client.get("/review/oversight").status_code == 200
    for i in reversed(range(4, 60)):
        make_case(db, worker=worker, young_person_name=f"Quiet {i:02d}", opened_at=quiet)
    db.commit()
    with count_queries(engine) as large:
        page = client.get("/review/oversight").text
    assert len(small) == len(large), (len(small), len(large))
    label = f"No contact for {settings.no_contact_flag_days} days"
    listed = page.split(f"<summary>{label}: <strong>60</strong></summary>", 1)[1].split("</details>", 1)[0]
    assert re.findall(r">(Quiet \d+)</a>", listed) == [f"Quiet {i:02d}" for i in range(10)]
    assert "/team/cases?flag=no_contact&amp;sort=name" in listed and "All 60, a page at a time" in listed
    by_worker = page.split('id="flags-by-worker-h"', 1)[1].split("</section>", 1)[0]
    assert len(re.findall(r">Quiet \d+</a>", by_worker)) == 10 and "The first 10 by name." in by_worker
    # The whole list, a page at a time, keeping the flag and the order.
    cases = client.get("/team/cases?flag=no_contact&sort=name").text
    assert "60 cases · page 1 of 3" in cases and "Quiet 00" in cases and "Quiet 25" not in cases
    assert "flag=no_contact" in cases.split('rel="next"')[0].rsplit("<a href=", 1)[1]
    assert "Quiet 59" in client.get("/team/cases?flag=no_contact&sort=name&page=3").text
