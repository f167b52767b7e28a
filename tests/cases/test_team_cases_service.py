"""A manager's whole-service team cases at county scale (issue 21): not sorted or filtered by
flags, the list is filtered, sorted and paged in SQL and the flag rules run over the page's cases
only. It must show exactly what working every case's flags out shows, in a fixed number of
statements however many cases the service holds."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlmodel import select

from app.cases import team
from app.cases.models import Case, Contact
from app.review import oversight
from app.timeutil import today, utcnow
from tests.factories import login, make_case, make_team, make_user
from tests.querycount import count_queries


def _contact(db, case, worker, days_ago, *, attended=True):
    db.add(
        Contact(
            case_id=case.id,
            kind="visit",
            occurred_on=today() - timedelta(days=days_ago),
            attended=attended,
            seen_alone=days_ago % 2 == 0,
            direct_minutes=60 if attended else 0,
            by_user_id=worker.id,
        )
    )


def _service(db, n=36, first=0):
    """Two teams' cases, every few of them different in each way a filter, a sort or a flag reads."""
    north, south = make_team(db, name=f"North {first}"), make_team(db, name=f"South {first}")
    sam = make_user(db, team=north, full_name=f"Sam Okafor {first}")
    lena = make_user(db, team=north, full_name=f"lena Novak {first}")  # lower case sorts as the rest
    ola = make_user(db, team=south, full_name=f"Ola Berg {first}")
    workers = [sam, lena, ola]
    statuses = ["active", "active", "dormant", "referred", "closed", "screening"]
    for i in range(first, first + n):
        worker = workers[i % 3]
        case = make_case(
            db,
            worker=worker,
            co_worker=workers[(i + 1) % 3] if i % 4 == 0 else None,
            young_person_name=f"Young Person {i:03d}",
            preferred_name=f"Zed {i:03d}" if i % 7 == 0 else "",
            status=statuses[i % 6],
            practice_context="cin" if i % 2 else "early_help",
            opened_at=utcnow() - timedelta(days=10 + i * 3),
            first_contact_at=utcnow() - timedelta(days=9 + i) if i % 5 else None,
            next_review_on=today() + timedelta(days=(i % 11) - 5) if i % 3 else None,
        )
        if i % 4:
            _contact(db, case, worker, (i * 7) % 40)
        if i % 6 == 1:
            _contact(db, case, worker, 1, attended=False)
    return north, south, sam


def _shown(result):
    return (
        [(r.case.id, r.key_worker_name, r.co_worker_name, r.last_contact_on, r.reasons) for r in result.rows],
        result.matching,
        result.page,
        result.pages,
        {k: v for k, v in result.counts.items() if k != "flagged"},
        result.flag_labels,
    )


@pytest.mark.parametrize("sort", ["name", "last_contact", "next_review", "worker"])
def test_the_service_paged_in_sql_shows_what_working_every_flag_out_shows(db, settings, sort):
    _north, _south, sam = _service(db)
    manager = make_user(db, role="manager", full_name="Morag Bell")
    db.commit()
    some_reasons = False
    for status, worker_id, context, quiet, review_due, page in itertools.islice(
        itertools.product(
            ["open", "active", "all", "new", "closed"],
            [None, sam.id],
            ["", "cin"],
            [None, 14],
            [False, True],
            [1, 2],
        ),
        0,
        None,
        7,
    ):
        filters = team.TeamCaseFilters(
            status=status,
            worker_id=worker_id,
            practice_context=context,
            quiet_days=quiet,
            review_due=review_due,
            sort=sort,
            page=page,
        )
        kwargs = {"session": db, "viewer": manager, "settings": settings, "filters": filters}
        kwargs |= {"today": today(), "now": utcnow()}
        in_sql = team.team_cases(**kwargs)
        worked_out = team.team_cases(**kwargs, in_sql=False)
        assert _shown(in_sql) == _shown(worked_out), filters
        some_reasons = some_reasons or any(r.reasons for r in in_sql.rows)
    assert some_reasons  # the fixture raises flags for the comparison to mean something


def test_the_whole_service_opens_by_name_and_a_team_by_flags(client, db, settings):
    north, _south, _sam = _service(db, n=12)
    manager = make_user(db, role="manager", full_name="Morag Bell")
    db.commit()
    login(client, db, manager, settings)
    page = client.get("/team/cases").text
    assert '<option value="name" selected' in page and 'href="/review/oversight">flagged cases by team' in page
    chosen = client.get(f"/team/cases?team={north.id}").text
    assert '<option value="attention" selected' in chosen and "flagged</a>" in chosen


def test_the_whole_service_runs_the_same_statements_with_few_and_many_cases(client, db, settings, engine):
    _service(db, n=12)
    manager = make_user(db, role="manager", full_name="Morag Bell")
    db.commit()
    login(client, db, manager, settings)
    client.get("/team/cases")
    with count_queries(engine) as small:
        assert client.get("/team/cases?page=2&sort=last_contact").status_code == 200
    _service(db, n=150, first=100)
    db.commit()
    with count_queries(engine) as large:
        page = client.get("/team/cases?page=2&sort=last_contact").text
    assert "page 2 of" in page
    assert len(small) == len(large), (len(small), len(large))


def _keep(db, settings, now=None):
    """What the hourly `homeward tick` keeps: every team's flag counts and every open case's flags."""
    oversight.keep_week(session=db, settings=settings, today=today(), now=now or utcnow())
    db.commit()


@pytest.mark.parametrize(
    "flag, sort, status",
    [("", "attention", "open"), ("any", "attention", "all"), ("any", "name", "open"), ("no_contact", "worker", "open")],
)
def test_the_service_by_flags_reads_the_ticks_flags_and_shows_what_working_them_out_shows(
    db, settings, flag, sort, status
):
    north, _south, _sam = _service(db)
    manager = make_user(db, role="manager", full_name="Morag Bell")
    # A case still held by a worker who has left (on no dashboard) is flagged all the same.
    gone = make_user(db, team=north, full_name="Gone Worker")
    make_case(db, worker=gone, young_person_name="Held By Gone", opened_at=utcnow() - timedelta(days=400))
    gone.is_active = False
    db.add(gone)
    db.commit()
    _keep(db, settings)
    for page in (1, 2):
        filters = team.TeamCaseFilters(status=status, flag=flag, sort=sort, page=page)
        kwargs = {"session": db, "viewer": manager, "settings": settings, "filters": filters}
        kwargs |= {"today": today(), "now": utcnow()}
        kept = team.team_cases(**kwargs)
        worked_out = team.team_cases(**kwargs, in_sql=False)
        assert kept.flags_at is not None and worked_out.flags_at is None
        assert _shown(kept) == _shown(worked_out), filters
        assert page == 2 or any(r.reasons for r in kept.rows)
    held = team.team_cases(**kwargs | {"filters": team.TeamCaseFilters(flag="too_long", sort="attention")})
    assert "Held By Gone" in {r.case.young_person_name for r in held.rows}


def test_without_a_fresh_snapshot_the_service_by_flags_is_worked_out_now(db, settings):
    _service(db, n=12)
    manager = make_user(db, role="manager", full_name="Morag Bell")
    db.commit()
    kwargs = {"session": db, "viewer": manager, "settings": settings, "today": today(), "now": utcnow()}
    filters = team.TeamCaseFilters(flag="any", sort="attention")
    assert team.team_cases(**kwargs, filters=filters).flags_at is None  # never kept
    _keep(db, settings, now=utcnow() - timedelta(days=2))
    stale = team.team_cases(**kwargs, filters=filters)
    assert stale.flags_at is None
    assert _shown(stale) == _shown(team.team_cases(**kwargs, filters=filters, in_sql=False))


def test_the_page_says_when_the_tick_worked_the_flags_out(client, db, settings):
    _service(db, n=12)
    manager = make_user(db, role="manager", full_name="Morag Bell")
    db.commit()
    login(client, db, manager, settings)
    assert 'id="flags-at"' not in client.get("/team/cases?flag=any").text  # worked out now
    _keep(db, settings)
    page = client.get("/team/cases?flag=any&sort=attention").text
    assert 'id="flags-at"' in page and "the hourly check worked them out at" in page
    assert 'id="flags-at"' not in client.get("/team/cases").text  # by name: each row's flags now


@pytest.mark.parametrize("query", ["flag=any&sort=attention", "sort=attention"])
def test_the_service_by_flags_runs_the_same_statements_with_few_and_many_cases(client, db, settings, engine, query):
    _service(db, n=12)
    manager = make_user(db, role="manager", full_name="Morag Bell")
    db.commit()
    _keep(db, settings)
    login(client, db, manager, settings)
    client.get(f"/team/cases?{query}")
    with count_queries(engine) as small:
        assert client.get(f"/team/cases?{query}").status_code == 200
    _service(db, n=150, first=100)
    db.commit()
    _keep(db, settings)
    with count_queries(engine) as large:
        page = client.get(f"/team/cases?{query}&page=2").text
    assert "page 2 of" in page
    assert len(small) == len(large), (len(small), len(large))


def _by_flags(db, settings, manager, **filters):
    """Every page of the whole service by flags, from the tick's count, and worked out now."""
    kwargs = {"session": db, "viewer": manager, "settings": settings, "today": today(), "now": utcnow()}
    rows = {}
    for in_sql in (None, False):
        first = team.team_cases(**kwargs, filters=team.TeamCaseFilters(**filters), in_sql=in_sql)
        assert (first.flags_at is not None) == (in_sql is None)
        rest = [
            team.team_cases(**kwargs, filters=team.TeamCaseFilters(**filters, page=page), in_sql=in_sql)
            for page in range(2, first.pages + 1)
        ]
        rows[in_sql] = [(r.case.id, r.reasons) for result in (first, *rest) for r in result.rows]
    return rows[None], rows[False]


def _kept_count(db, case) -> int:
    db.commit()  # end this session's snapshot: see what the tick committed
    return db.exec(select(Case.kept_flag_count).where(Case.id == case.id)).one()


@pytest.mark.parametrize("flag", ["any", ""])
def test_the_kept_count_follows_the_tick(db, settings, flag):
    """A case that gains a flag moves up the whole service by flags after the next tick, and moves
    back when it loses it: the tick counts each case's flags with case_flag, and the page sorts and
    counts by that count, showing what working every flag out shows."""
    _service(db, n=18)
    manager = make_user(db, role="manager", full_name="Morag Bell")
    worker = make_user(db, full_name="Ana Quiet")
    quiet = make_case(db, worker=worker, young_person_name="Aaron Quiet", status="active", opened_at=utcnow())
    quiet.first_contact_at, quiet.next_review_on = utcnow(), today() + timedelta(days=30)
    _contact(db, quiet, worker, 0)
    db.add(quiet)
    db.commit()
    filters = {"status": "open", "flag": flag, "sort": "attention"}
    _keep(db, settings)
    kept, worked_out = _by_flags(db, settings, manager, **filters)
    assert kept == worked_out and _kept_count(db, quiet) == 0
    assert ((quiet.id, []) in kept) == (flag == "")  # unflagged: last, by name, or filtered out

    quiet.next_review_on = today() - timedelta(days=1)  # now its review is overdue
    db.add(quiet)
    db.commit()
    assert _by_flags(db, settings, manager, **filters)[0] == kept  # the tick's count until the next tick
    version = db.exec(select(Case.page_version).where(Case.id == quiet.id)).one()
    _keep(db, settings)
    kept, worked_out = _by_flags(db, settings, manager, **filters)
    assert kept == worked_out and _kept_count(db, quiet) == 1
    # A kept count is no change to the case: its cached page stays (the page works flags out itself).
    assert db.exec(select(Case.page_version).where(Case.id == quiet.id)).one() == version
    assert (quiet.id, [("review_overdue", "Review overdue")]) in kept
    moved = [case_id for case_id, _ in kept].index(quiet.id)
    assert all(reasons for _, reasons in kept[:moved])  # up among the flagged cases

    quiet.next_review_on = today() + timedelta(days=30)  # reviewed: the flag goes
    db.add(quiet)
    db.commit()
    _keep(db, settings)
    kept, worked_out = _by_flags(db, settings, manager, **filters)
    assert kept == worked_out and _kept_count(db, quiet) == 0
    assert ((quiet.id, []) in kept) == (flag == "")
