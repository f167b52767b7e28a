"""Team oversight explains itself: flags grouped by worker, the supervisor not listed as an idle
worker, every link valid for a supervisor and a manager, constant statements (issue 19)."""

from __future__ import annotations

import re
from datetime import timedelta

from app.cases.models import Contact
from app.timeutil import today, utcnow
from tests.factories import login, make_case, make_team, make_user
from tests.querycount import count_queries


def _quiet_case(db, worker, name):
    case = make_case(
        db,
        worker=worker,
        young_person_name=name,
        opened_at=utcnow() - timedelta(days=60),
        first_contact_at=utcnow() - timedelta(days=59),
    )
    db.add(
        Contact(
            case_id=case.id,
            kind="visit",
            occurred_on=today() - timedelta(days=30),
            attended=True,
            seen_alone=True,
            by_user_id=worker.id,
        )
    )
    return case


def _links(page: str) -> list[str]:
    main = page.split("<main", 1)[1]
    return sorted({link.replace("&amp;", "&") for link in re.findall(r'href="(/[^"#]*)"', main)})


def test_flags_grouped_by_worker_and_the_supervisor_is_not_a_worker_row(client, db, settings):
    team = make_team(db, name="Sefton North")
    sam = make_user(db, team=team, full_name="Sam Okafor")
    priya = make_user(db, team=team, role="supervisor", full_name="Priya Shah")
    _quiet_case(db, sam, "Quiet Case")
    db.commit()
    login(client, db, priya, settings)
    page = client.get("/review/oversight").text
    table = page.split('<table class="oversight-table">', 1)[1].split("</table>", 1)[0]
    assert "Sam Okafor" in table and "Priya Shah" not in table
    grouped = page.split('id="flags-by-worker-h"', 1)[1].split("</section>", 1)[0]
    assert "Sam Okafor: <strong>" in grouped and "Quiet Case" in grouped
    assert f"No contact for {settings.no_contact_flag_days} days" in grouped


def test_every_link_on_oversight_and_team_cases_opens_for_supervisor_and_manager(client, db, settings):
    team = make_team(db, name="Sefton North")
    sam = make_user(db, team=team, full_name="Sam Okafor")
    priya = make_user(db, team=team, role="supervisor", full_name="Priya Shah")
    manager = make_user(db, role="manager", full_name="Morag Bell")
    _quiet_case(db, sam, "Quiet Case")
    db.commit()
    for viewer in (priya, manager):
        login(client, db, viewer, settings)
        for start in ("/review/oversight", "/team/cases?flag=any"):
            for link in _links(client.get(start).text):
                response = client.get(link)
                assert response.status_code in (200, 303), (viewer.role, start, link, response.status_code)


def test_dashboard_runs_the_same_statements_with_10_and_100_cases(client, db, settings, engine):
    team = make_team(db, name="Sefton North")
    sam = make_user(db, team=team, full_name="Sam Okafor")
    priya = make_user(db, team=team, role="supervisor", full_name="Priya Shah")
    for i in range(10):
        _quiet_case(db, sam, f"Case {i}")
    db.commit()
    login(client, db, priya, settings)
    client.get("/review/oversight")
    with count_queries(engine) as small:
        assert client.get("/review/oversight").status_code == 200
    for i in range(90):
        _quiet_case(db, sam, f"More {i}")
    db.commit()
    with count_queries(engine) as large:
        page = client.get("/review/oversight").text
    assert '<td data-count="active">100</td>' in page
    assert len(small) == len(large), (len(small), len(large))
    print("oversight statements:", len(large))


def test_case_supervision_due_every_n_weeks_is_flagged_until_a_case_note_is_added(client, db, settings):
    from app.review import rules

    assert not rules.case_supervision_due(
        status="active", last_supervised_on=today() - timedelta(days=41), opened_on=today(), today=today(), weeks=6
    )
    assert rules.case_supervision_due(
        status="active", last_supervised_on=today() - timedelta(days=42), opened_on=today(), today=today(), weeks=6
    )
    assert not rules.case_supervision_due(
        status="dormant", last_supervised_on=None, opened_on=today() - timedelta(days=400), today=today(), weeks=6
    )
    team = make_team(db, name="Sefton North")
    sam = make_user(db, team=team, full_name="Sam Okafor")
    priya = make_user(db, team=team, role="supervisor", full_name="Priya Shah")
    case = _quiet_case(db, sam, "Long Case")
    db.commit()
    login(client, db, priya, settings)
    label = f"No case supervision for {settings.case_supervision_weeks} weeks"
    assert label in client.get(f"/cases/{case.id}").text
    client.post(
        f"/cases/{case.id}/supervision",
        data={"text": "Talked through the missed visits.", "decision": "Visit with school", "rationale": "Ask first"},
    )
    assert label not in client.get(f"/cases/{case.id}").text
