"""Oversight over time (issue 19): flags per week for the last 12 weeks, kept by `homeward tick`,
and reflective supervision due per worker every REFLECTIVE_SUPERVISION_WEEKS weeks."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from app.review import oversight, rules, service
from app.review.models import FlagWeek
from app.timeutil import today, utcnow
from tests.factories import login, make_case, make_team, make_user
from tests.querycount import count_queries


def _team(db):
    team = make_team(db, name="Sefton North")
    sam = make_user(db, team=team, full_name="Sam Okafor", created_at=utcnow() - timedelta(days=200))
    priya = make_user(db, team=team, role="supervisor", full_name="Priya Shah")
    return team, sam, priya


def _trend_row(page: str, label: str) -> list[str]:
    trend = page.split('id="trend-h"', 1)[1].split("</table>", 1)[0]
    row = trend.split(f'<th scope="row">{label}</th>', 1)[1].split("</tr>", 1)[0]
    return re.findall(r"<td>([^<]*)</td>", row)


def test_tick_keeps_each_weeks_flags_and_oversight_shows_twelve_weeks(client, db, settings):
    team, sam, priya = _team(db)
    make_case(db, worker=sam, young_person_name="Quiet Case", opened_at=utcnow() - timedelta(days=60))
    db.commit()
    three_weeks_ago = today() - timedelta(weeks=3)
    oversight.keep_week(session=db, settings=settings, today=three_weeks_ago, now=utcnow())
    oversight.keep_week(session=db, settings=settings, today=three_weeks_ago, now=utcnow())  # replaced, not added
    db.commit()
    kept = db.exec(select(FlagWeek).where(FlagWeek.flag_key == "no_contact", FlagWeek.team_id == team.id)).all()
    assert [(k.week_start, k.count) for k in kept] == [(rules.week_start(three_weeks_ago), 1)]

    login(client, db, priya, settings)
    page = client.get("/review/oversight").text
    label = f"No contact for {settings.no_contact_flag_days} days"
    cells = _trend_row(page, label)
    assert len(cells) == 12 and cells[-1] == "1"  # this week, as it stands
    assert cells[8] == "1" and cells[7] == "–"  # three weeks ago kept; four weeks ago nobody kept
    assert "This week" in page


def test_reflective_supervision_is_due_every_n_weeks_per_worker(client, db, settings):
    assert rules.reflective_supervision_due(
        last_on=today() - timedelta(days=28), since_on=today(), today=today(), weeks=4
    )
    assert not rules.reflective_supervision_due(
        last_on=today() - timedelta(days=27), since_on=today(), today=today(), weeks=4
    )
    _team_, sam, priya = _team(db)
    make_case(db, worker=sam)
    db.commit()
    login(client, db, priya, settings)
    table = client.get("/review/oversight").text.split('<table class="oversight-table">', 1)[1]
    assert "Due</strong> (none yet)" in table
    service.add_reflective_note(session=db, worker=sam, text="Talked about the Morgan family's worry.", by=priya)
    db.commit()
    table = client.get("/review/oversight").text.split('<table class="oversight-table">', 1)[1]
    assert f"Last {today():%-d %b %Y}" in table and "Due</strong>" not in table


def test_a_workers_own_reflective_note_leaves_supervision_due(client, db, settings):
    _team_, sam, priya = _team(db)
    make_case(db, worker=sam)
    db.commit()
    login(client, db, sam, settings)
    assert client.post(f"/supervision/{sam.id}/notes", data={"text": "My own thoughts on the week."}).status_code == 303
    login(client, db, priya, settings)
    table = client.get("/review/oversight").text.split('<table class="oversight-table">', 1)[1]
    assert "Due</strong> (none yet)" in table
    service.add_reflective_note(session=db, worker=sam, text="Talked it through.", by=priya)
    db.commit()
    table = client.get("/review/oversight").text.split('<table class="oversight-table">', 1)[1]
    assert "Due</strong>" not in table


def test_trend_and_reflective_columns_keep_the_statement_count_constant(client, db, settings, engine):
    team, sam, priya = _team(db)
    for i in range(5):
        make_case(db, worker=sam, young_person_name=f"Case {i}")
    db.commit()
    login(client, db, priya, settings)
    client.get("/review/oversight")
    with count_queries(engine) as small:
        client.get("/review/oversight")
    for weeks_ago in range(1, 12):
        for key in ("no_contact", "voice"):
            db.add(
                FlagWeek(
                    week_start=rules.week_start(today()) - timedelta(weeks=weeks_ago),
                    team_id=team.id,
                    flag_key=key,
                    count=3,
                )
            )
    for i in range(5):
        other = make_user(db, team=team, full_name=f"Worker {i}")
        service.add_reflective_note(session=db, worker=other, text="Reflection.", by=priya)
        make_case(db, worker=other, young_person_name=f"More {i}")
    db.commit()
    with count_queries(engine) as large:
        client.get("/review/oversight")
    assert len(small) == len(large), (len(small), len(large))
