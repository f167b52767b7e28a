"""Team cases: the supervisor's team's (a manager's: the service's) cases, filtered, sorted and
paged, each row saying why it is flagged, in a fixed number of statements (issue 19)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.cases import team as team_cases
from app.cases.models import Contact
from app.review.models import Submission
from app.timeutil import today, utcnow
from tests.factories import login, make_case, make_team, make_user
from tests.querycount import count_queries


def _team(db, name="Sefton North"):
    team = make_team(db, name=name)
    worker = make_user(db, team=team, full_name="Sam Okafor")
    other = make_user(db, team=team, full_name="Lena Novak")
    supervisor = make_user(db, team=team, role="supervisor", full_name="Priya Shah")
    return team, worker, other, supervisor


def _contact(db, case, worker, days_ago, *, attended=True):
    db.add(
        Contact(
            case_id=case.id,
            kind="visit",
            occurred_on=today() - timedelta(days=days_ago),
            attended=attended,
            seen_alone=True,
            direct_minutes=60 if attended else 0,
            by_user_id=worker.id,
        )
    )


def _settled(db, worker, name, **overrides):
    """A case opened a month ago with a first contact, so only what the test adds flags it."""
    fields = {"opened_at": utcnow() - timedelta(days=30), "first_contact_at": utcnow() - timedelta(days=29)}
    case = make_case(db, worker=worker, young_person_name=name, **{**fields, **overrides})
    return case


def _rows(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/cases/\d+">([^<]+)</a>', page)


def test_supervisor_lands_on_team_cases_and_each_flagged_row_says_why(client, db, settings):
    team, worker, other, supervisor = _team(db)
    quiet = _settled(db, worker, "Quiet Case")
    _contact(db, quiet, worker, 20)
    fine = _settled(db, other, "Fine Case")
    _contact(db, fine, other, 2)
    elsewhere = make_case(db, worker=make_user(db, full_name="Away Worker"), young_person_name="Other Team")
    db.commit()
    login(client, db, supervisor, settings)
    home = client.get("/")
    assert home.status_code == 303 and home.headers["location"] == "/team/cases"
    page = client.get("/team/cases").text
    assert "<h1>Team cases</h1>" in page
    assert set(_rows(page)) == {"Quiet Case", "Fine Case"}
    assert elsewhere.young_person_name not in page
    assert f"No contact for {settings.no_contact_flag_days} days" in page
    assert 'href="/team/cases"' in page and 'href="/review/oversight"' in page  # header links
    flagged = client.get("/team/cases", params={"flag": "any"}).text
    assert _rows(flagged) == ["Quiet Case"]
    assert "1 flagged" in flagged
    assert client.get("/", params={"mine": "1"}).status_code == 200
    case_page = client.get(f"/cases/{quiet.id}").text
    assert "Why this case is flagged" in case_page
    assert f"No contact for {settings.no_contact_flag_days} days" in case_page
    assert "Why this case is flagged" not in client.get(f"/cases/{fine.id}").text


def test_filters_by_worker_context_status_quiet_days_and_review_due(client, db, settings):
    team, worker, other, supervisor = _team(db)
    a = _settled(db, worker, "Alpha", practice_context="cp", next_review_on=today() + timedelta(days=3))
    _contact(db, a, worker, 10)
    b = _settled(db, other, "Bravo", practice_context="cin", next_review_on=today() + timedelta(days=30))
    _contact(db, b, other, 1)
    _settled(db, other, "Charlie", status="dormant")
    _settled(db, worker, "Delta", status="closed")
    db.commit()
    login(client, db, supervisor, settings)

    def names(**params):
        return sorted(_rows(client.get("/team/cases", params=params).text))

    assert names() == ["Alpha", "Bravo", "Charlie"]
    assert names(worker=str(other.id)) == ["Bravo", "Charlie"]
    assert names(context="cp") == ["Alpha"]
    assert names(status="dormant") == ["Charlie"]
    assert names(status="closed") == ["Delta"]
    assert names(quiet="7") == ["Alpha", "Charlie"]  # Charlie has had no contact at all
    assert names(review_due="1") == ["Alpha"]
    assert names(status="nonsense") == ["Alpha", "Bravo", "Charlie"]


def test_sorting_and_pages_keep_the_filters(client, db, settings):
    team, worker, other, supervisor = _team(db)
    for i in range(30):
        case = _settled(db, worker, f"Case {i:02d}")
        _contact(db, case, worker, i)
    db.commit()
    login(client, db, supervisor, settings)
    first = client.get("/team/cases", params={"sort": "name"}).text
    assert _rows(first)[:2] == ["Case 00", "Case 01"] and len(_rows(first)) == 25
    assert "page 1 of 2" in first and "sort=name" in first
    second = client.get("/team/cases", params={"sort": "name", "page": "2"}).text
    assert _rows(second) == [f"Case {i}" for i in range(25, 30)]
    oldest = client.get("/team/cases", params={"sort": "last_contact"}).text
    assert _rows(oldest)[0] == "Case 29"


def test_manager_sees_every_team_and_workers_cannot(client, db, settings):
    team, worker, other, supervisor = _team(db)
    _settled(db, worker, "North Case")
    away_worker = make_user(db, team=make_team(db, name="South"), full_name="Away Worker")
    _settled(db, away_worker, "South Case")
    manager = make_user(db, role="manager", full_name="Morag Bell")
    db.commit()
    login(client, db, manager, settings)
    assert client.get("/").status_code == 200  # a manager's home is unchanged
    page = client.get("/team/cases").text
    assert sorted(_rows(page)) == ["North Case", "South Case"]
    for link in re.findall(r'href="(/[^"#?]*)', page):
        if link != "/logout":
            assert client.get(link).status_code == 200, link
    login(client, db, worker, settings)
    assert client.get("/team/cases").status_code == 403


def _cases(db, worker, n):
    for i in range(n):
        case = make_case(
            db,
            worker=worker,
            practice_context="cin" if i % 2 else "early_help",
            opened_at=utcnow() - timedelta(days=i),
            next_review_on=today() - timedelta(days=i % 3),
        )
        _contact(db, case, worker, i % 20, attended=bool(i % 4))
        if i % 5 == 0:
            db.add(
                Submission(
                    kind="sos_map",
                    case_id=case.id,
                    team_id=worker.team_id,
                    item_id=str(case.id),
                    submitted_by_id=worker.id,
                )
            )


def test_team_cases_run_the_same_statements_with_10_and_500_cases(client, db, settings, engine):
    team, worker, other, supervisor = _team(db)
    _cases(db, worker, 10)
    db.commit()
    login(client, db, supervisor, settings)
    client.get("/team/cases")
    with count_queries(engine) as small:
        assert client.get("/team/cases", params={"flag": "any"}).status_code == 200
    _cases(db, other, 490)
    db.commit()
    with count_queries(engine) as large:
        page = client.get("/team/cases", params={"flag": "any"}).text
    assert "page 1 of" in page
    assert len(small) == len(large), (len(small), len(large))
    print("team cases statements:", len(large))


def test_a_supervisor_co_working_another_teams_case_finds_it_on_their_caseload_not_on_team_cases(client, db, settings):
    team, worker, _other, supervisor = _team(db)
    _settled(db, worker, "Own Team Case")
    away = make_user(db, team=make_team(db, name="Sefton South"), full_name="Away Worker")
    elsewhere = _settled(db, away, "Other Team Case", co_worker=supervisor)
    db.commit()
    login(client, db, supervisor, settings)
    page = client.get("/team/cases").text
    assert _rows(page) == ["Own Team Case"]
    assert "1 active · 0 dormant" in page  # as team oversight counts the team's cases
    assert "Other Team Case" in client.get("/", params={"mine": "1"}).text
    assert client.get(f"/cases/{elsewhere.id}").status_code == 200


@pytest.mark.parametrize("sort", ["attention", "name", "last_contact", "next_review", "worker"])
def test_cases_alike_in_every_sorted_column_keep_one_order_by_reference(db, settings, sort):
    # PostgreSQL gives rows in no set order: cases tied on the sort would swap between one page
    # load and the next, so a case could show on two pages and another on none.
    _team_, worker, _other, supervisor = _team(db)
    for n in (3, 1, 2):
        _settled(db, worker, "Sam Smith", reference=f"HW-2025-{n:04d}")
    db.commit()
    result = team_cases.team_cases(
        session=db,
        viewer=supervisor,
        settings=settings,
        filters=team_cases.TeamCaseFilters(sort=sort),
        today=today(),
        now=utcnow(),
    )
    assert [r.case.reference for r in result.rows] == ["HW-2025-0001", "HW-2025-0002", "HW-2025-0003"]
