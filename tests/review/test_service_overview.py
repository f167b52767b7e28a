"""The manager's whole-service oversight at county scale (issue 21): a line per team counted in
grouped SQL, the flags per team as the hourly `homeward tick` last counted them (the page says
when), each team's own page worked out live; without a fresh snapshot the flags are worked out now.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from app.accounts.models import Role, User
from app.review import oversight
from app.review.models import FlagWeek, Submission
from app.timeutil import today, utcnow
from tests.factories import login, make_case, make_team, make_user
from tests.querycount import count_queries


def _waiting(db, case, worker, n):
    db.add(
        Submission(
            kind="sos_map",
            case_id=case.id,
            team_id=case.team_id,
            item_id=f"item-{case.id}-{n}",
            version_id=f"version-{case.id}-{n}",
            submitted_by_id=worker.id,
            submitted_at=utcnow() - timedelta(days=10),
        )
    )


def _service(db, teams=3, first=0):
    """Teams with a mix the counts must get right: contexts and statuses, a supervisor holding
    casework and one not, a worker who left still named on cases, work waiting for review."""
    made = []
    for t in range(first, first + teams):
        team = make_team(db, name=f"Team {t:02d}")
        sam = make_user(db, team=team, full_name=f"Sam {t}")
        ann = make_user(db, team=team, full_name=f"Ann {t}")
        make_user(db, team=team, role="supervisor", full_name=f"Idle Supervisor {t}")
        holding = make_user(db, team=team, role="supervisor", full_name=f"Holding Supervisor {t}")
        gone = make_user(db, team=team, full_name=f"Gone {t}", is_active=False)
        old = utcnow() - timedelta(days=120)
        for i, (worker, status, context) in enumerate(
            [
                (sam, "active", "early_help"),
                (sam, "active", "cin"),
                (sam, "dormant", "early_help"),
                (ann, "active", "cin"),
                (ann, "referred", "early_help"),
                (ann, "closed", "cin"),
                (holding, "screening", "early_help"),
                (gone, "active", "early_help"),
            ][: 4 + t % 5]
        ):
            case = make_case(
                db,
                worker=worker,
                status=status,
                practice_context=context,
                opened_at=old,
                young_person_name=f"Young Person {t}-{i}",
                next_review_on=today() - timedelta(days=3) if i % 2 else None,
            )
            if i == 0:
                _waiting(db, case, sam, 0)
        made.append((team, sam))
    return made


def _keep(db, settings, now=None):
    now = now or utcnow()
    oversight.keep_week(session=db, settings=settings, today=today(), now=now)
    db.commit()


def _lines(overview_teams):
    return {
        s.team.id: (s.workers, s.active, s.dormant, s.weighted, s.waiting, s.flags, dict(s.by_flag))
        for s in overview_teams
    }


def test_the_snapshot_overview_counts_every_team_as_the_live_dashboard_does(db, settings):
    _service(db, teams=5)
    db.commit()
    _keep(db, settings)
    manager = User(role=Role.manager, full_name="Morag Bell")
    live = oversight.team_summaries(
        oversight.dashboard(session=db, viewer=manager, settings=settings, today=today(), now=utcnow())
    )
    overview = oversight.service_overview(session=db, settings=settings, today=today(), now=utcnow())
    assert overview.flags_at is not None  # read from the snapshot, not worked out
    assert _lines(overview.teams) == _lines(live)
    assert any(s.flags for s in live) and any(s.dormant for s in live) and any(s.waiting for s in live)
    totals = overview.totals
    assert (totals.workers, totals.active, totals.dormant, totals.waiting, totals.flags) == (
        sum(s.workers for s in live),
        sum(s.active for s in live),
        sum(s.dormant for s in live),
        sum(s.waiting for s in live),
        sum(s.flags for s in live),
    )
    assert totals.weighted == round(sum(s.weighted for s in live), 2)


def test_a_case_counts_in_its_own_team_when_its_worker_was_moved_to_another(db, settings):
    north, south = make_team(db, name="North"), make_team(db, name="South")
    sam = make_user(db, team=north, full_name="Sam Okafor")
    make_user(db, team=south, full_name="Ann Lee")
    case = make_case(db, worker=sam, practice_context="cin", opened_at=utcnow() - timedelta(days=60))
    sam.team_id = south.id  # moved before a team change was refused while holding cases
    db.add(sam)
    db.commit()
    _keep(db, settings)
    manager = User(role=Role.manager, full_name="Morag Bell")
    live = oversight.team_summaries(
        oversight.dashboard(session=db, viewer=manager, settings=settings, today=today(), now=utcnow())
    )
    overview = oversight.service_overview(session=db, settings=settings, today=today(), now=utcnow())
    assert overview.flags_at is not None
    assert _lines(overview.teams) == _lines(live)
    lines = {s.team.name: s for s in overview.teams}
    assert (lines["North"].active, lines["North"].weighted, lines["South"].active) == (1, 1.5, 0)
    assert lines["North"].by_flag.get("key_worker_gone") == 1 and lines["South"].flags == 0
    kept = db.exec(
        select(FlagWeek.team_id, FlagWeek.count).where(FlagWeek.flag_key == "no_contact", FlagWeek.count > 0)
    ).all()
    assert kept == [(north.id, 1)]
    # The team's own oversight counts it too, on its Others line, flagged to be reallocated.
    board = oversight.dashboard(
        session=db, viewer=manager, settings=settings, today=today(), now=utcnow(), team_id=north.id
    )
    assert board.totals.active == 1 and board.others.active == 1
    assert ("key_worker_gone", case.id) in {(f.key, f.case_id) for f in board.flags}


def test_a_supervisor_with_only_a_new_unflagged_referral_is_no_worker_in_either_count(db, settings):
    # Team oversight's table leaves out a supervisor holding nothing it counts or flags (issue 19):
    # the whole service's "Workers" says the same whether or not the tick's snapshot is fresh.
    north = make_team(db, name="North")
    sam = make_user(db, team=north, full_name="Sam Okafor")
    sue = make_user(db, team=north, role="supervisor", full_name="Sue Park")
    make_case(db, worker=sam, status="active", young_person_name="Amy One")
    make_case(db, worker=sue, status="referred", young_person_name="Ben Two")
    db.commit()
    manager = User(role=Role.manager, full_name="Morag Bell")
    board = oversight.dashboard(session=db, viewer=manager, settings=settings, today=today(), now=utcnow())
    assert [r.worker.full_name for r in board.rows] == ["Sam Okafor"]
    live = oversight.service_overview(session=db, settings=settings, today=today(), now=utcnow())
    _keep(db, settings)
    kept = oversight.service_overview(session=db, settings=settings, today=today(), now=utcnow())
    assert live.flags_at is None and kept.flags_at is not None
    assert [s.workers for s in kept.teams] == [s.workers for s in live.teams] == [1]


def test_the_page_says_when_the_tick_counted_and_a_team_page_is_live(client, db, settings):
    (north, sam), _ = _service(db, teams=2)
    manager = make_user(db, role="manager", full_name="Morag Bell")
    db.commit()
    _keep(db, settings)
    kept = db.exec(select(FlagWeek.recorded_at)).first()
    login(client, db, manager, settings)
    page = client.get("/review/oversight").text
    assert 'id="flags-at"' in page and "Flags as the hourly check counted them at" in page
    assert kept.strftime("%H:%M") in page.split('id="flags-at"', 1)[1].split("</p>", 1)[0]
    before = client.get(f"/review/oversight?team={north.id}").text
    assert 'id="flags-at"' not in before  # a team's own page is worked out now

    # A case raised after the tick counted: the team's page shows it at once, the service line
    # keeps the tick's count until the next tick.
    def first_contact():
        overview = oversight.service_overview(session=db, settings=settings, today=today(), now=utcnow())
        return next(s for s in overview.teams if s.team.id == north.id).by_flag.get("first_contact", 0)

    counted = first_contact()
    make_case(
        db,
        worker=sam,
        young_person_name="Brand New Referral",
        status="referred",
        opened_at=utcnow() - timedelta(days=3),
    )
    db.commit()
    assert "Brand New Referral" in client.get(f"/review/oversight?team={north.id}").text
    assert first_contact() == counted
    _keep(db, settings)
    assert first_contact() == counted + 1


def test_without_a_fresh_snapshot_the_flags_are_worked_out_now(client, db, settings):
    (north, sam), _ = _service(db, teams=2)
    manager = make_user(db, role="manager", full_name="Morag Bell")
    db.commit()
    _keep(db, settings)
    for row in db.exec(select(FlagWeek)).all():
        row.recorded_at = utcnow() - oversight.SNAPSHOT_FRESH - timedelta(minutes=5)
        row.count = 0  # the stale snapshot says nothing is flagged
        db.add(row)
    db.commit()
    login(client, db, manager, settings)
    page = client.get("/review/oversight").text
    assert 'id="flags-at"' not in page
    assert f'href="/team/cases?team={north.id}&amp;flag=review_overdue"' in page  # worked out now


def test_the_snapshot_overview_runs_the_same_statements_with_3_and_12_teams(client, db, settings, engine):
    _service(db, teams=3)
    manager = make_user(db, role="manager", full_name="Morag Bell")
    db.commit()
    _keep(db, settings)
    login(client, db, manager, settings)
    client.get("/review/oversight")
    with count_queries(engine) as small:
        assert 'id="flags-at"' in client.get("/review/oversight").text
    _service(db, teams=9, first=3)
    db.commit()
    _keep(db, settings)
    with count_queries(engine) as large:
        page = client.get("/review/oversight").text
    assert page.count('href="/review/oversight?team=') == 12 and 'id="flags-at"' in page
    assert len(small) == len(large), (len(small), len(large))
