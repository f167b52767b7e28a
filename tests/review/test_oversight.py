"""Team oversight: counts, flags linking to the case, managers' service view, constant queries."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import CaseEvent, Contact
from app.review import oversight
from app.review.models import Submission
from app.timeutil import today, utcnow
from tests.factories import login, make_case, make_team, make_user
from tests.querycount import count_queries


def _team(db, name="Sefton North"):
    team = make_team(db, name=name)
    worker = make_user(db, team=team, full_name="Sam Okafor")
    supervisor = make_user(db, team=team, role="supervisor", full_name="Priya Shah")
    return team, worker, supervisor


def _contact(db, case, worker, days_ago, *, attended=True, seen_alone=False, minutes=60, kind="visit"):
    db.add(
        Contact(
            case_id=case.id,
            kind=kind,
            occurred_on=today() - timedelta(days=days_ago),
            attended=attended,
            seen_alone=seen_alone,
            direct_minutes=minutes if attended else 0,
            by_user_id=worker.id,
        )
    )


def test_dashboard_counts_active_dormant_weighted_contacts_and_hours(client, db, settings):
    team, worker, supervisor = _team(db)
    cp = make_case(db, worker=worker, practice_context="cp", opened_at=utcnow() - timedelta(days=30))
    make_case(db, worker=worker, status="dormant")
    _contact(db, cp, worker, 3, seen_alone=True, minutes=90)
    _contact(db, cp, worker, 40, minutes=60)  # outside four weeks
    db.commit()
    board = oversight.dashboard(session=db, viewer=supervisor, settings=settings, today=today(), now=utcnow())
    row = next(r for r in board.rows if r.worker.id == worker.id)
    assert (row.active, row.dormant, row.weighted, row.contacts, row.direct_hours) == (1, 1, 2.25, 1, 1.5)
    login(client, db, supervisor, settings)
    page = client.get("/review/oversight").text
    assert "<h1>Team oversight</h1>" in page and "Sam Okafor" in page
    # No reflective supervision yet, and none due: said, not a bare "Last" (until December 2026).
    sams = page[page.index(">Sam Okafor</a>") :]
    sams = sams[: sams.index("</tr>")]
    assert not row.reflective_due and "None yet" in sams and "Last </td>" not in sams


def test_flags_link_to_the_case_at_day_14_but_not_day_13(client, db, settings):
    team, worker, supervisor = _team(db)
    quiet = make_case(
        db,
        worker=worker,
        young_person_name="Quiet Case",
        opened_at=utcnow() - timedelta(days=60),
        first_contact_at=utcnow() - timedelta(days=59),
    )
    fine = make_case(
        db,
        worker=worker,
        young_person_name="Fine Case",
        opened_at=utcnow() - timedelta(days=60),
        first_contact_at=utcnow() - timedelta(days=59),
    )
    _contact(db, quiet, worker, 14, seen_alone=True)
    _contact(db, fine, worker, 13, seen_alone=True)
    db.commit()
    board = oversight.dashboard(session=db, viewer=supervisor, settings=settings, today=today(), now=utcnow())
    flagged = {(f.key, f.name) for f in board.flags}
    assert ("no_contact", "Quiet Case") in flagged
    assert ("no_contact", "Fine Case") not in flagged
    login(client, db, supervisor, settings)
    page = client.get("/review/oversight").text
    assert f'href="/cases/{quiet.id}"' in page
    # Who saw that this family is known: every case the page named is in the audit trail.
    listed = db.exec(
        select(AuditEntry.detail).where(AuditEntry.action == "list", AuditEntry.object_type == "team_oversight")
    ).one()
    linked = {int(n) for n in re.findall(r'href="/cases/(\d+)"', page)}
    assert quiet.id in linked and {int(n) for n in listed.removeprefix("cases ").split(",")} == linked


def test_each_flag_with_data_on_this_branch_is_raised(db, settings):
    team, worker, supervisor = _team(db)
    long_ago = utcnow() - timedelta(days=300)
    make_case(
        db,
        worker=worker,
        young_person_name="New Referral",
        status="referred",
        opened_at=utcnow() - timedelta(days=3),
        referral_date=today() - timedelta(days=3),
    )
    overdue = make_case(
        db,
        worker=worker,
        young_person_name="Review Due",
        next_review_on=today() - timedelta(days=1),
        opened_at=long_ago,
        first_contact_at=long_ago,
    )
    missing = make_case(
        db,
        worker=worker,
        young_person_name="Missing Visits",
        opened_at=utcnow() - timedelta(days=20),
        first_contact_at=utcnow() - timedelta(days=20),
    )
    _contact(db, missing, worker, 10, seen_alone=True)
    for days in (6, 4, 2):
        _contact(db, missing, worker, days, attended=False)
    dormant = make_case(db, worker=worker, young_person_name="Dormant Kid", status="dormant")
    db.add(
        CaseEvent(
            case_id=dormant.id,
            kind="status_change",
            to_status="dormant",
            occurred_at=utcnow() - timedelta(weeks=13),
            by_user_id=worker.id,
        )
    )
    db.add(
        Submission(
            kind="sos_map",
            case_id=overdue.id,
            team_id=team.id,
            item_id=str(overdue.id),
            submitted_by_id=worker.id,
            submitted_at=utcnow() - timedelta(days=10),
        )
    )
    db.commit()
    board = oversight.dashboard(session=db, viewer=supervisor, settings=settings, today=today(), now=utcnow())
    flagged = {(f.key, f.name) for f in board.flags}
    assert ("first_contact", "New Referral") in flagged
    assert {
        ("review_overdue", "Review Due"),
        ("too_long", "Review Due"),
        ("voice", "Review Due"),
        ("no_contact", "Review Due"),
    } <= flagged
    assert ("engagement", "Missing Visits") in flagged
    assert ("voice", "Missing Visits") not in flagged
    assert ("dormant_review", "Dormant Kid") in flagged
    assert ("waiting", "Review Due") in flagged


def test_the_missed_visits_flag_counts_missed_visits_not_unanswered_calls(db, settings):
    _team_, worker, supervisor = _team(db)
    recently = utcnow() - timedelta(days=20)
    calls = make_case(db, worker=worker, young_person_name="Calls Unanswered", opened_at=recently)
    _contact(db, calls, worker, 10)
    for days in (6, 4, 2):
        _contact(db, calls, worker, days, attended=False, kind="phone")
    visits = make_case(db, worker=worker, young_person_name="Visits Missed", opened_at=recently)
    _contact(db, visits, worker, 10)
    _contact(db, visits, worker, 7, attended=False)
    _contact(db, visits, worker, 6, attended=False)
    _contact(db, visits, worker, 5, kind="phone")  # a call answered is not a visit: the run goes on
    _contact(db, visits, worker, 2, attended=False)
    db.commit()
    board = oversight.dashboard(session=db, viewer=supervisor, settings=settings, today=today(), now=utcnow())
    flagged = {(f.key, f.name) for f in board.flags}
    assert ("engagement", "Visits Missed") in flagged
    assert ("engagement", "Calls Unanswered") not in flagged


def test_manager_sees_every_team_and_service_totals_and_a_worker_is_refused(client, db, settings):
    _t1, worker1, _s1 = _team(db, "North")
    _t2, worker2, _s2 = _team(db, "South")
    make_case(db, worker=worker1)
    make_case(db, worker=worker2)
    manager = make_user(db, role="manager", full_name="Morag Bell")
    db.commit()
    login(client, db, manager, settings)
    page = client.get("/review/oversight").text
    assert "Service total" in page and "North" in page and "South" in page
    # A line per team (issue 21); each team's workers one click away.
    assert "Sam Okafor" not in page
    assert "Sam Okafor" in client.get(f"/review/oversight?team={_t1.id}").text
    login(client, db, worker1, settings)
    assert client.get("/review/oversight").status_code == 403


def _cases(db, worker, n):
    for i in range(n):
        case = make_case(
            db, worker=worker, practice_context="cin" if i % 2 else "early_help", opened_at=utcnow() - timedelta(days=i)
        )
        _contact(db, case, worker, i % 20, seen_alone=bool(i % 3))
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


def test_dashboard_statements_are_the_same_with_10_and_200_cases(client, db, settings, engine):
    team, worker, supervisor = _team(db)
    _cases(db, worker, 10)
    db.commit()
    login(client, db, supervisor, settings)
    client.get("/review/oversight")
    with count_queries(engine) as small:
        assert client.get("/review/oversight").status_code == 200
    _cases(db, worker, 190)
    db.commit()
    with count_queries(engine) as large:
        page = client.get("/review/oversight").text
    assert '<td data-count="active">200</td>' in page
    assert len(small) == len(large), (len(small), len(large))
    print("oversight statements:", len(large))


def test_base_assessment_with_a_skipped_stage_is_flagged_and_its_submission_joins_the_queue(client, db, settings):
    from app.base import service as base_service
    from app.base.demo.acting import _actor
    from app.cases.models import new_id

    team, worker, supervisor = _team(db)
    case = make_case(db, worker=worker, young_person_name="Callum Reid", first_contact_at=utcnow())
    actor = _actor(worker)
    draft = base_service.start(session=db, case=case, by=actor, version_id=new_id())
    base_service.save_risk(
        session=db,
        version=draft,
        by=actor,
        item_id=new_id(),
        risk=base_service.RiskInput(hazard="Carrying a knife", likelihood=3, imminence=3, impact=4),
    )
    base_service.submit(session=db, version=draft, by=actor)
    db.commit()
    board = oversight.dashboard(session=db, viewer=supervisor, settings=settings, today=today(), now=utcnow())
    assert ("base_skipped", "Callum Reid") in {(f.key, f.name) for f in board.flags}
    from app.review import service

    rows = service.queue(session=db, user=supervisor)
    assert [(r.submission.kind, r.submission.version_number) for r in rows] == [("base_assessment", 1)]
    login(client, db, supervisor, settings)
    page = client.get(f"/review/{rows[0].submission.id}").text
    assert "BASE assessment, version 1" in page and "Carrying a knife" in page


def test_dormant_review_follows_the_date_the_worker_chose_and_an_ending_without_a_plan_is_flagged(db, settings):
    from app.endings.models import DormantSpell, Ending

    team, worker, supervisor = _team(db)
    due = make_case(db, worker=worker, young_person_name="Review Today", status="dormant")
    later = make_case(db, worker=worker, young_person_name="Review Later", status="dormant")
    db.add(DormantSpell(case_id=due.id, review_due_on=today()))
    db.add(DormantSpell(case_id=later.id, review_due_on=today() + timedelta(days=1)))
    db.add(Ending(case_id=due.id, outcome="dormant", sustainability_plan="", by_user_id=worker.id))
    db.add(
        Ending(
            case_id=later.id,
            outcome="dormant",
            sustainability_plan="Mum calls Aunt Sue first; the youth club on Tuesdays.",
            by_user_id=worker.id,
        )
    )
    db.commit()
    board = oversight.dashboard(session=db, viewer=supervisor, settings=settings, today=today(), now=utcnow())
    flagged = {(f.key, f.name) for f in board.flags}
    assert ("dormant_review", "Review Today") in flagged
    assert ("dormant_review", "Review Later") not in flagged
    assert ("no_sustainability_plan", "Review Today") in flagged
    assert ("no_sustainability_plan", "Review Later") not in flagged


def test_the_plan_flag_reads_each_dormant_cases_latest_approved_ending_on_the_board_and_the_case_page(db, settings):
    """The latest approved ending decides (an earlier one without a plan is put right by a later one
    with it; one still waiting for approval does not count yet), a dormant case with no ending is not
    said to lack a plan, and the case page's "Needs doing" says what the board says."""
    from app.endings.models import Ending
    from app.review.case_section import flags_for

    team, worker, supervisor = _team(db)
    put_right = make_case(db, worker=worker, young_person_name="Put Right", status="dormant")
    waiting = make_case(db, worker=worker, young_person_name="Plan Waiting", status="dormant")
    no_ending = make_case(db, worker=worker, young_person_name="No Ending", status="dormant")
    earlier = utcnow() - timedelta(days=30)
    plan = "Gran has him on Fridays; the school's mentor on Mondays."
    db.add(
        Ending(
            case_id=put_right.id, outcome="dormant", sustainability_plan="", by_user_id=worker.id, recorded_at=earlier
        )
    )
    db.add(Ending(case_id=put_right.id, outcome="dormant", sustainability_plan=plan, by_user_id=worker.id))
    db.add(
        Ending(case_id=waiting.id, outcome="dormant", sustainability_plan="", by_user_id=worker.id, recorded_at=earlier)
    )
    db.add(Ending(case_id=waiting.id, outcome="dormant", sustainability_plan=plan, by_user_id=worker.id, pending=True))
    db.commit()
    board = oversight.dashboard(session=db, viewer=supervisor, settings=settings, today=today(), now=utcnow())
    flagged = {f.name for f in board.flags if f.key == "no_sustainability_plan"}
    assert flagged == {"Plan Waiting"}
    label = "Ending without a sustainability plan"
    assert [label in flags_for(session=db, case=c) for c in (put_right, waiting, no_ending)] == [False, True, False]


def test_missed_visits_are_counted_since_the_last_attended_visit_on_the_board_and_the_case_page(db, settings):
    from app.review.case_section import flags_for

    team, worker, supervisor = _team(db)
    recently = utcnow() - timedelta(days=30)
    run = make_case(db, worker=worker, young_person_name="Three In A Row", opened_at=recently)
    broken = make_case(db, worker=worker, young_person_name="Run Broken", opened_at=recently)
    never = make_case(db, worker=worker, young_person_name="Never Seen", opened_at=recently)
    for days in (12, 9, 7, 5):  # missed before the attended visit: the run starts again after it
        _contact(db, broken, worker, days, attended=False)
    _contact(db, broken, worker, 4)
    _contact(db, broken, worker, 2, attended=False)
    _contact(db, run, worker, 10)
    for days in (6, 4, 2):
        _contact(db, run, worker, days, attended=False)
    for days in (8, 3, 1):  # no attended visit ever: every missed one counts
        _contact(db, never, worker, days, attended=False)
    db.commit()
    board = oversight.dashboard(session=db, viewer=supervisor, settings=settings, today=today(), now=utcnow())
    assert {f.name for f in board.flags if f.key == "engagement"} == {"Three In A Row", "Never Seen"}
    label = f"{settings.missed_visits_flag} or more visits missed in a row"
    assert [label in flags_for(session=db, case=c) for c in (run, broken, never)] == [True, False, True]


def test_a_young_persons_own_diamond_rating_counts_as_their_voice(db, settings):
    from app.cases.models import Person
    from app.diamond.models import DiamondRating

    team, worker, supervisor = _team(db)
    heard = make_case(
        db,
        worker=worker,
        young_person_name="Heard Recently",
        opened_at=utcnow() - timedelta(days=120),
        first_contact_at=utcnow() - timedelta(days=119),
    )
    unheard = make_case(
        db,
        worker=worker,
        young_person_name="Not Heard",
        opened_at=utcnow() - timedelta(days=120),
        first_contact_at=utcnow() - timedelta(days=119),
    )
    _contact(db, heard, worker, 2)
    _contact(db, unheard, worker, 2)
    young = db.exec(select(Person).where(Person.case_id == heard.id, Person.is_young_person.is_(True))).one()
    db.add(
        DiamondRating(
            case_id=heard.id,
            person_id=young.id,
            aim="wellbeing",
            score=6,
            rated_on=today() - timedelta(days=3),
            recorded_by_user_id=worker.id,
            in_family_mode=True,
        )
    )
    db.commit()
    board = oversight.dashboard(session=db, viewer=supervisor, settings=settings, today=today(), now=utcnow())
    flagged = {(f.key, f.name) for f in board.flags}
    assert ("voice", "Not Heard") in flagged
    assert ("voice", "Heard Recently") not in flagged


def test_team_waiting_total_agrees_with_the_review_queue_and_names_work_sent_by_others(client, db, settings):
    team, worker, supervisor = _team(db)
    other_team = make_team(db, name="Knowsley")
    visiting = make_user(db, team=other_team, full_name="Jo Evans")  # co-works one of this team's cases
    left = make_user(db, team=team, full_name="Dee Moss")
    case = make_case(db, worker=worker, co_worker=visiting, young_person_name="Kayla Morgan")
    for n, by in enumerate([worker, visiting, left]):
        db.add(
            Submission(
                kind="sos_map",
                case_id=case.id,
                team_id=team.id,
                item_id=f"item-{n}",
                version_id=f"version-{n}",
                submitted_by_id=by.id,
            )
        )
    left.is_active = False  # the account disabled after sending
    db.commit()
    login(client, db, supervisor, settings)
    assert "3 waiting, oldest first" in client.get("/review").text
    page = client.get("/review/oversight").text
    sam = re.search(r"Sam Okafor</a>.*?</tr>", page, re.S).group(0)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", sam)[5] == "1"  # Sam's own row: what Sam sent
    others = re.search(r'<tr class="oversight-others">.*?</tr>', page, re.S).group(0)
    assert "sent by someone not listed" in others and "<td>2</td>" in others
    total = re.search(r"Team total</th>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", total)[5] == "3"
    # The manager's whole service counts the team's queue the same way.
    manager = make_user(db, role="manager", full_name="Mo Patel")
    db.commit()
    login(client, db, manager, settings)
    line = re.search(r"Sefton North</a></th>(.*?)</tr>", client.get("/review/oversight").text, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", line)[4] == "3"


def test_a_disabled_workers_open_cases_stay_on_team_oversight_flagged_for_reallocation(client, db, settings):
    team, worker, supervisor = _team(db)
    left = make_user(db, team=team, full_name="Dee Moss")
    quiet = make_case(
        db, worker=left, young_person_name="Quiet Case", practice_context="cp", opened_at=utcnow() - timedelta(days=60)
    )
    make_case(db, worker=worker, young_person_name="Held Case")
    left.is_active = False  # Dee has left; her case has not been reallocated yet
    db.commit()
    board = oversight.dashboard(session=db, viewer=supervisor, settings=settings, today=today(), now=utcnow())
    flagged = {(f.key, f.case_id) for f in board.flags}
    assert ("key_worker_gone", quiet.id) in flagged and ("no_contact", quiet.id) in flagged
    assert board.others.active == 1 and board.totals.active == 2
    assert board.flag_counts()["key_worker_gone"] == 1

    login(client, db, supervisor, settings)
    page = client.get("/review/oversight").text
    others = re.search(r'<tr class="oversight-others">.*?</tr>', page, re.S).group(0)
    assert "account is disabled" in others and "flag=key_worker_gone" in others
    assert re.findall(r"<td>([^<]*)</td>", others)[0] == "1"  # the active case, on the Others line
    total = re.search(r"Team total</th>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", total)[0] == "2"
    listed = client.get("/team/cases?flag=key_worker_gone").text
    assert "Quiet Case" in listed and "Held Case" not in listed
    # The case page says why, in the same words.
    assert "account disabled or moved to another team: reallocate" in client.get(f"/cases/{quiet.id}").text
