"""The scorecard against a hand-computed fixture, its scope by role, and its statement count."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from app.base.models import BaseFeedback
from app.cases.models import CaseEvent, Contact, EligibilityDecision, Person
from app.diamond.models import DiamondRating
from app.endings.models import Ending, Reactivation
from app.outcomes.card import Period
from app.outcomes.models import OutcomeRecord
from app.outcomes.scorecard import scorecard
from app.signs_of_safety.models import ScaleRating
from tests.factories import login, make_case, make_team, make_user
from tests.querycount import count_queries

PERIOD = Period(date(2026, 1, 1), date(2026, 6, 30))  # previous: 2025-07-04 to 2025-12-31


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def contact(db, case, on, *, attended=True, direct=60, admin=20):
    db.add(
        Contact(
            case_id=case.id,
            kind="visit",
            occurred_on=on,
            attended=attended,
            direct_minutes=direct if attended else 0,
            admin_minutes=admin if attended else 0,
            by_user_id=case.key_worker_id,
        )
    )


def young_person(db, case) -> str:
    return db.exec(select(Person.id).where(Person.case_id == case.id, Person.is_young_person)).one()


def diamond(db, case, score, on, *, by_worker=False, at: datetime | None = None):
    db.add(
        DiamondRating(
            case_id=case.id,
            person_id=None if by_worker else young_person(db, case),
            user_id=case.key_worker_id if by_worker else None,
            aim="wellbeing",
            score=score,
            rated_on=on,
            recorded_at=at or noon(on),
            recorded_by_user_id=case.key_worker_id,
        )
    )


def scale(db, case, score, on):
    db.add(
        ScaleRating(
            case_id=case.id,
            rater_role="young_person",
            rater_name="YP",
            score=score,
            anchor_low="worst",
            anchor_high="best",
            rated_at=noon(on),
            created_at=noon(on),
            recorded_by_id=case.key_worker_id,
        )
    )


def ending(db, case, outcome, reason, on, *, at: datetime | None = None):
    """An ending of active work as the app records it: the `Ending` and the case's move out of
    active (`transition`'s event), which is what the scorecard counts."""
    at = at or noon(on)
    db.add(
        Ending(case_id=case.id, outcome=outcome, closure_reason=reason, recorded_at=at, by_user_id=case.key_worker_id)
    )
    moved_out(db, case, outcome, reason, at)


def moved_out(db, case, to, reason, at):
    """The case's move out of active work, as `app.cases.service.transition` records it."""
    db.add(
        CaseEvent(
            case_id=case.id,
            kind=to,
            from_status="active",
            to_status=to,
            reason=(reason or "") if to == "closed" else "",
            occurred_at=at,
            by_user_id=case.key_worker_id,
        )
    )


def record(db, case, point, on, **fields):
    db.add(OutcomeRecord(case_id=case.id, point=point, taken_on=on, by_user_id=case.key_worker_id, **fields))


@pytest.fixture
def service(db):
    """Two teams; every number below is worked out by hand in the test that reads it."""
    a, b = make_team(db, name="North"), make_team(db, name="South")
    w1, w2 = make_user(db, team=a), make_user(db, team=a)
    w3 = make_user(db, team=b)
    sup = make_user(db, role="supervisor", team=a)
    mgr = make_user(db, role="manager")
    c = [None]
    c.append(
        make_case(
            db,
            worker=w1,
            referral_date=date(2026, 1, 10),
            date_of_birth=date(2012, 7, 1),
            opened_at=datetime(2026, 1, 10, 9, tzinfo=UTC),
            first_contact_at=datetime(2026, 1, 10, 20, tzinfo=UTC),
        )
    )
    c.append(
        make_case(
            db,
            worker=w1,
            referral_date=date(2026, 1, 10),
            date_of_birth=date(2012, 6, 30),
            opened_at=datetime(2026, 1, 10, 9, tzinfo=UTC),
            first_contact_at=datetime(2026, 1, 12, 9, tzinfo=UTC),
        )
    )
    c.append(
        make_case(
            db,
            worker=w2,
            referral_date=date(2026, 1, 10),
            date_of_birth=date(2010, 1, 1),
            opened_at=datetime(2026, 1, 10, 9, tzinfo=UTC),
            first_contact_at=datetime(2026, 1, 11, 8, tzinfo=UTC),
        )
    )
    c.append(make_case(db, worker=w2, referral_date=date(2026, 1, 10)))
    c.append(make_case(db, worker=w2, referral_date=date(2026, 1, 10), status="dormant"))
    c.append(make_case(db, worker=w2, referral_date=date(2025, 8, 1), status="closed"))
    c.append(make_case(db, worker=w3, referral_date=date(2026, 2, 1), date_of_birth=None))
    c.append(make_case(db, worker=w3))
    for i in range(1, 7):
        contact(db, c[i], date(2026, 2, 1))
    contact(db, c[1], date(2026, 2, 2), attended=False)
    contact(db, c[1], date(2025, 9, 1), direct=30, admin=30)
    contact(db, c[2], date(2025, 9, 1), direct=30, admin=30)
    contact(db, c[7], date(2026, 3, 1))
    ending(db, c[5], "dormant", None, date(2026, 3, 1))
    ending(db, c[6], "closed", "consent_withdrawn", date(2026, 4, 1))
    ending(db, c[6], "dormant", None, date(2025, 10, 1))
    record(db, c[1], "baseline", date(2026, 1, 12), living="in_care")
    record(db, c[5], "ending", date(2026, 3, 1), living="with_parents")
    record(db, c[6], "ending", date(2026, 4, 1), living="in_care", care_status="cla", placement="foster")
    record(db, c[6], "follow_up_6", date(2025, 11, 1))
    for days, case, kind in ((61, c[5], "reactivated"), (10, c[1], "reactivated"), (30, c[2], "reactivated")):
        db.add(
            Reactivation(
                case_id=case.id, kind=kind, days_dormant=days, reactivated_at=noon(date(2026, 5, 1)), by_user_id=w1.id
            )
        )
    db.add(Reactivation(case_id=c[6].id, kind="reopened", reactivated_at=noon(date(2026, 6, 1)), by_user_id=sup.id))
    diamond(db, c[1], 3, date(2025, 12, 1))
    diamond(db, c[1], 6, date(2026, 2, 1))
    diamond(db, c[1], 5, date(2026, 1, 5), by_worker=True)
    diamond(db, c[1], 5, date(2026, 3, 1), by_worker=True)
    diamond(db, c[2], 7, date(2026, 1, 10))
    diamond(db, c[2], 4, date(2026, 2, 10))
    diamond(db, c[3], 8, date(2026, 2, 10))
    diamond(db, c[4], 2, date(2025, 1, 1), by_worker=True)
    diamond(db, c[4], 4, date(2025, 6, 1), by_worker=True)
    scale(db, c[1], 2, date(2026, 1, 3))
    scale(db, c[1], 5, date(2026, 2, 3))
    db.commit()
    return {"a": a, "b": b, "sup": sup, "mgr": mgr, "cases": c}


def test_service_scorecard_matches_the_hand_computed_figures(db, service):
    card = scorecard(session=db, period=PERIOD, team_id=None)
    assert (card.worked_with.now, card.worked_with.before) == (7, 2)
    assert (card.contacts.now, card.contacts.before) == (8, 2)
    assert (card.direct_minutes.now, card.recorded_minutes.now) == (420, 560)
    assert (card.referrals.now, card.referrals.before) == (6, 1)
    # First contact after 11 h and 23 h (within 24), 48 h (late); the others not contacted yet.
    assert (card.first_contacts.now, card.first_contacts_on_target.now) == (3, 2)
    assert (card.first_contacts.before, card.first_contacts_on_target.before) == (0, 0)
    assert (card.active_now, card.workers_holding) == (6, 3)
    assert (card.endings["dormant"].now, card.endings["dormant"].before) == (1, 1)
    assert (card.endings["closed"].now, card.endings["consent_withdrawn"].now) == (1, 1)
    assert (card.endings["to_dormant"].now, card.endings["to_dormant"].before) == (1, 1)
    at_home, known = card.at_home["ending"]
    assert (at_home.now, known.now) == (1, 2)
    assert card.at_home["follow_up_6"][1].before == 0  # not known is not counted as known
    assert (card.entered_care.now, card.entered_care.before) == (1, 0)  # the baseline does not count
    assert (card.reactivations.now, card.re_referrals.now) == (3, 1)
    assert card.days_dormant_quartiles() == (10, 30, 61)
    changes = {c.rater: c for c in card.diamond}
    yp = changes["Young person"]
    assert (yp.pairs, yp.mean_change, yp.improved, yp.same, yp.worse) == (2, 0.0, 1, 0, 1)
    assert (changes["Worker"].pairs, changes["Worker"].same) == (1, 1)
    (sos,) = card.scales
    assert (sos.pairs, sos.mean_change, sos.improved) == (1, 3.0, 1)
    assert {g: (p.now, p.before) for g, p in card.by_group} == {
        "12_13": (1, 1),
        "14_15": (4, 1),
        "16_17": (1, 0),
        "not_known": (1, 0),
    }
    # Case 5 (at home at ending) and case 6 (in care at ending) were both born 2011-05-17: 14 to 15.
    at, of = card.home_by_group["14_15"]
    assert (at.now, of.now) == (1, 2) and set(card.home_by_group) == {"14_15"}
    assert {g: (p.now, p.before) for g, p in card.care_by_group.items()} == {"14_15": (1, 0)}


def test_team_scorecard_counts_only_that_team(db, service):
    card = scorecard(session=db, period=PERIOD, team_id=service["a"].id, breakdown="gender")
    assert (card.worked_with.now, card.active_now, card.workers_holding) == (6, 4, 2)
    assert {g: p.now for g, p in card.by_group} == {"not_known": 6}


def test_page_withholds_small_numbers_and_supervisor_sees_only_their_team(client, db, service, settings):
    login(client, db, service["sup"], settings)
    page = client.get("/scorecard", params={"start": "2026-01-01", "end": "2026-06-30", "team": str(service["b"].id)})
    assert page.status_code == 200
    assert "Your team" in page.text
    assert "<td>6</td>" in page.text  # young people worked with in the supervisor's team
    assert "fewer than 5" in page.text
    assert "<svg" in page.text and "Evaluator export" not in page.text
    # The two care figures say what each counts (a manager read "Entered care" 0 beside 5 as one).
    assert "Recorded in care in the period (at ending, a follow-up or the care-status import)" in page.text
    assert "counts the records made in the period, so the two can differ" in page.text


def test_period_problems_are_named_beside_the_field(client, db, service, settings):
    login(client, db, service["mgr"], settings)
    response = client.get("/scorecard", params={"start": "2026-07-01", "end": "2026-06-30"})
    assert response.status_code == 422 and 'id="start-error"' in response.text
    response = client.get("/scorecard", params={"start": "2026-01-01", "end": "2999-01-01"})
    assert response.status_code == 422 and 'id="end-error"' in response.text
    response = client.get("/scorecard", params={"start": "nonsense"})
    assert response.status_code == 422 and "2026-03-14" in response.text


def test_workers_cannot_open_the_scorecard(client, db, service, settings):
    worker = make_user(db, team=service["a"])
    login(client, db, worker, settings)
    assert client.get("/scorecard").status_code == 403


def test_manager_downloads_the_pdf_and_it_is_audited(client, db, service, settings):
    from app.audit.models import AuditEntry

    login(client, db, service["mgr"], settings)
    response = client.get(
        "/scorecard.pdf", params={"start": "2026-01-01", "end": "2026-06-30", "breakdown": "ethnicity"}
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    entry = db.exec(select(AuditEntry).where(AuditEntry.object_type == "scorecard_pdf")).one()
    assert "start=2026-01-01" in entry.detail and "breakdown=ethnicity" in entry.detail


def _grow(db, n: int):
    team = make_team(db, name=f"Team {n}")
    worker = make_user(db, team=team)
    for i in range(n):
        case = make_case(
            db, worker=worker, referral_date=date(2026, 1, 1 + i % 28), status="active" if i % 3 else "dormant"
        )
        contact(db, case, date(2026, 2, 1 + i % 28))
        diamond(db, case, i % 10, date(2026, 1, 2))
        diamond(db, case, (i * 3) % 10, date(2026, 3, 2))
        scale(db, case, i % 10, date(2026, 1, 2))
        scale(db, case, (i * 7) % 10, date(2026, 3, 2))
        db.add(EligibilityDecision(case_id=case.id, criteria_set="default", set_version="1", rule="any",
                                   rule_met=True, eligible=i % 4 > 0, decided_at=noon(date(2026, 1, 3)),
                                   by_user_id=worker.id))  # fmt: skip
        db.add(BaseFeedback(case_id=case.id, perspective="young_person", answers=[{"theme": "t", "score": i % 5 + 1}],
                            recorded_at=noon(date(2026, 3, 3)), recorded_by_id=worker.id))  # fmt: skip
        if i % 3 == 0:
            ending(db, case, "closed", "aims_achieved", date(2026, 2, 10))
            record(db, case, "ending", date(2026, 2, 10), living="with_parents", care_status="cla",
                   care_status_since=date(2026, 1, 1 + i % 28))  # fmt: skip
            db.add(
                Reactivation(
                    case_id=case.id, days_dormant=i % 90, reactivated_at=noon(date(2026, 4, 1)), by_user_id=worker.id
                )
            )
    db.commit()


@pytest.mark.parametrize("breakdown", ["age_band", "prior_history"])
def test_statements_do_not_grow_with_the_number_of_cases(client, db, engine, settings, breakdown):
    manager = make_user(db, role="manager")
    login(client, db, manager, settings)
    params = {"start": "2026-01-01", "end": "2026-06-30", "breakdown": breakdown}
    _grow(db, 10)
    with count_queries(engine) as small:
        assert client.get("/scorecard", params=params).status_code == 200
    _grow(db, 110)
    # A fresh session: growing the data can take over a minute on a busy machine, and the session's
    # once-a-minute "last seen" write would then be counted as the page's.
    login(client, db, manager, settings)
    with count_queries(engine) as large:
        page = client.get("/scorecard", params=params)
    assert page.status_code == 200
    assert len(large) == len(small)
    card = scorecard(session=db, period=PERIOD, team_id=None)
    assert card.worked_with.now == 120
    assert (card.screened.now, card.eligible.now, card.feedback[0].responses.now) == (120, 89, 120)
    assert card.care_days_known.now == 41 and "median" in page.text
    # The breakdowns and entered care within 12 months come from the same constant statements.
    assert sum(p.now for p in card.contacts_by_group.values()) == 120
    assert card.endings_by_group["14_15"]["aims_achieved"].now == 41
    assert card.care_within_12["yes"].now == 41  # in care at the ending: day 0 of the 12 months
    assert sum(c.pairs for _, c in card.diamond_by_group) == 120
    assert f"Endings in this period by reason and {'age band' if breakdown == 'age_band' else 'prior CIN'}" in page.text


def test_a_supervisor_without_a_team_is_not_shown_the_whole_service(client, db, service, settings):
    login(client, db, make_user(db, role="supervisor", team_id=None), settings)
    assert client.get("/scorecard").status_code == 403


def test_eligibility_days_in_care_and_feedback_match_hand_computed_figures(db, service):
    c, sup = service["cases"], service["sup"]

    def decided(case, on, eligible, overridden=False):
        db.add(EligibilityDecision(case_id=case.id, criteria_set="default", set_version="1", rule="any",
                                   rule_met=eligible, eligible=eligible, overridden=overridden, decided_at=noon(on),
                                   by_user_id=sup.id))  # fmt: skip

    decided(c[1], date(2026, 1, 10), False)
    decided(c[1], date(2026, 1, 20), True, overridden=True)  # only the latest in the period counts
    decided(c[2], date(2026, 1, 11), True)
    decided(c[3], date(2026, 2, 11), False)
    decided(c[4], date(2025, 9, 1), True)  # the previous period
    # Looked after since 1 March; 30 days by 31 March (ending), 61 by 1 May (follow-up): the longest, 61.
    for point, on in (("ending", date(2026, 3, 31)), ("follow_up_3", date(2026, 5, 1))):
        record(db, c[2], point, on, living="in_care", care_status="cla", care_status_since=date(2026, 3, 1))
    record(db, c[3], "ending", date(2026, 4, 1), care_status="cla", care_status_since=date(2026, 1, 1),
           care_status_until=date(2026, 1, 11))  # fmt: skip
    record(db, c[4], "ending", date(2026, 4, 1), care_status="cla")  # start not known: not counted
    record(db, c[7], "baseline", date(2026, 4, 1), care_status="cla", care_status_since=date(2020, 1, 1))

    def feedback(case, perspective, scores, on):
        answers = [{"theme": f"t{i}", "text": "q", "score": s} for i, s in enumerate(scores)]
        db.add(BaseFeedback(case_id=case.id, perspective=perspective, answers=answers, recorded_at=noon(on),
                            recorded_by_id=case.key_worker_id))  # fmt: skip

    feedback(c[1], "young_person", [5, 4, 3, None], date(2026, 2, 1))
    feedback(c[2], "young_person", [2, 5], date(2026, 3, 1))
    feedback(c[1], "parent", [4], date(2026, 2, 1))
    feedback(c[2], "young_person", [5], date(2025, 10, 1))
    db.commit()
    card = scorecard(session=db, period=PERIOD, team_id=None)
    assert (card.screened.now, card.eligible.now, card.overridden.now) == (3, 2, 1)
    assert (card.screened.before, card.eligible.before) == (1, 1)
    assert (card.care_days_known.now, card.days_in_care) == (2, [(10, 1), (61, 1)])
    assert card.days_in_care_quartiles() == (10, 10, 61)
    # Cases 6, 2 (at ending and again at follow-up: counted once), 3 and 4; not case 7's baseline.
    assert card.entered_care.now == 4
    yp, parent = card.feedback
    assert (yp.perspective, yp.responses.now, yp.answers.now, yp.good.now) == ("Young people", 2, 5, 3)
    assert (yp.responses.before, yp.good.before) == (1, 1)
    assert (parent.perspective, parent.responses.now, parent.good.now) == ("Parents and carers", 1, 1)


def test_of_two_ratings_on_one_day_the_one_recorded_later_counts_as_the_latest(db):
    """The distance's key orders a day's ratings by the second they were recorded (a date_part of
    the recording time on PostgreSQL, strftime on SQLite): the 2 recorded a moment after the 7 is
    the latest, so the young person moved from 4 to 2 (the higher score must not win the tie)."""
    case = make_case(db, worker=make_user(db, team=make_team(db)))
    for score, on, at in (
        (4, date(2026, 1, 10), datetime(2026, 1, 10, 12, 0, 0, tzinfo=UTC)),
        (2, date(2026, 3, 2), datetime(2026, 3, 2, 15, 30, 1, tzinfo=UTC)),
        (7, date(2026, 3, 2), datetime(2026, 3, 2, 15, 30, 0, 999000, tzinfo=UTC)),
    ):
        diamond(db, case, score, on, at=at)
    db.commit()
    changes = {c.rater: c for c in scorecard(session=db, period=PERIOD, team_id=None).diamond}
    young = changes["Young person"]
    assert (young.pairs, young.mean_change, young.improved, young.worse) == (1, -2.0, 0, 1)


def test_a_corrected_outcome_record_counts_once_as_corrected(db):
    """Records are never edited: a correction is a new record for the same point. Six young people
    first recorded in care at ending, then put right (at home): at home, not in care."""
    worker = make_user(db, team=make_team(db))
    for n in range(6):
        case = make_case(db, worker=worker)
        first = {
            "living": "in_care",
            "care_status": "cla",
            "placement": "foster",
            "recorded_at": noon(date(2026, 3, 1)),
        }
        record(db, case, "ending", date(2026, 3, 1), **first)
        db.add(
            OutcomeRecord(
                case_id=case.id,
                point="ending",
                taken_on=date(2026, 3, 1),
                living="with_parents",
                care_status="none",
                by_user_id=worker.id,
                recorded_at=datetime(2026, 3, 2, 9, n, tzinfo=UTC),
            )
        )
    db.commit()
    card = scorecard(session=db, period=PERIOD, team_id=None)
    at_home, known = card.at_home["ending"]
    assert (at_home.now, known.now) == (6, 6)
    assert card.entered_care.now == 0


def test_the_safety_scale_compares_each_person_with_themselves_on_the_overall_scale_only(db):
    """A mother's 8 then 6 is worse; a father's 3 then 5 is better (not mother 8 against father 5);
    a statement pair's 9 is not the young person's latest overall score."""
    case = make_case(db, worker=make_user(db, team=make_team(db)))
    mum = Person(case_id=case.id, name="Donna Morgan", relationship="Mother")
    dad = Person(case_id=case.id, name="Lee Morgan", relationship="Father")
    db.add_all([mum, dad])
    db.flush()

    def rate(score, on, role, person=None, pair=None):
        db.add(
            ScaleRating(
                case_id=case.id,
                rater_role=role,
                rater_person_id=person,
                rater_name="x",
                pair_key=pair,
                score=score,
                anchor_low="worst",
                anchor_high="best",
                rated_at=noon(on),
                created_at=noon(on),
                recorded_by_id=case.key_worker_id,
            )
        )

    rate(8, date(2026, 1, 5), "parent_carer", mum.id)
    rate(3, date(2026, 1, 6), "parent_carer", dad.id)
    rate(6, date(2026, 3, 5), "parent_carer", mum.id)
    rate(5, date(2026, 3, 6), "parent_carer", dad.id)
    yp = young_person(db, case)
    rate(2, date(2026, 1, 5), "young_person", yp)
    rate(9, date(2026, 3, 5), "young_person", yp, pair="pair-1")
    db.commit()
    scales = {c.rater: c for c in scorecard(session=db, period=PERIOD, team_id=None).scales}
    parents = next(c for name, c in scales.items() if "arent" in name)
    assert (parents.pairs, parents.improved, parents.worse, parents.mean_change) == (2, 1, 1, 0.0)
    assert all("oung" not in name for name in scales)  # one overall rating only: no pair to compare


def test_a_workers_diamond_ratings_are_compared_with_that_workers_own_after_a_reallocation(db):
    team = make_team(db)
    first, second = make_user(db, team=team), make_user(db, team=team)
    case = make_case(db, worker=first)
    diamond(db, case, 3, date(2026, 1, 5), by_worker=True)
    case.key_worker_id = second.id
    db.add(case)
    db.flush()
    diamond(db, case, 8, date(2026, 3, 5), by_worker=True)
    diamond(db, case, 7, date(2026, 4, 5), by_worker=True)
    db.commit()
    changes = {c.rater: c for c in scorecard(session=db, period=PERIOD, team_id=None).diamond}
    # Only the second worker rated twice: 8 to 7 (not the first worker's 3 to the second's 7).
    assert (changes["Worker"].pairs, changes["Worker"].worse, changes["Worker"].mean_change) == (1, 1, -1.0)


def test_work_ended_to_dormant_without_a_closure_reason_is_its_own_row_not_reason_not_given(db):
    """The endings form asks no closure reason for dormant (the case stays open)."""
    from app.outcomes.figures import endings_by_reason

    worker = make_user(db, team=make_team(db))
    for n in range(3):
        ending(db, make_case(db, worker=worker), "dormant", None, date(2026, 2, 1 + n))
    ending(db, make_case(db, worker=worker), "closed", "aims_achieved", date(2026, 2, 5))
    db.commit()
    rows = {label: now for label, now, _ in endings_by_reason(scorecard(session=db, period=PERIOD, team_id=None))}
    assert rows == {"To dormant (no closure reason asked: the case stays open)": 3, "Plan aims achieved": 1}


def test_every_way_active_work_ends_counts_once_and_nothing_else_does(db):
    """Closing from the status screen and a step-up that closes make no `Ending` row; they are
    endings all the same. A dormant case closed later, or a referral closed before any work, is
    not another ending of active work."""
    from datetime import timedelta

    from app.cases import service as cases
    from app.timeutil import today
    from tests.cases.factories import actor_for

    worker = make_user(db, team=make_team(db))
    by = actor_for(worker)
    closed, stepped, dormant, referral = (make_case(db, worker=worker) for _ in range(4))
    referral.status = "referred"
    db.add(referral)
    db.flush()
    cases.close(session=db, case=closed, by=by, rationale="Family moving to Wales.", closure_reason="moved_away")
    cases.step(session=db, case=stepped, by=by, direction="up", destination="cp", rationale="Harm", closes=True)
    cases.move_to_dormant(session=db, case=dormant, by=by, rationale="Work done.")
    cases.close(session=db, case=dormant, by=by, rationale="No contact in a year.", closure_reason="aims_achieved")
    cases.close(session=db, case=referral, by=by, rationale="Not taken up.", closure_reason="not_taken_up")
    db.commit()
    card = scorecard(session=db, period=Period(today() - timedelta(days=30), today()), team_id=None)
    assert {code: pair.now for code, pair in card.endings.items()} == {
        "closed": 2,
        "moved_away": 1,
        "stepped_up": 1,
        "dormant": 1,
        "to_dormant": 1,
    }


def test_first_contact_is_timed_from_the_referral_as_the_case_page_times_it(db):
    """Referred on 2 March at 09:00, entered on 4 March at 10:00, first seen on 4 March at 14:00:
    53 hours, late (not 4 hours). Each case's verdict is the case page's own, summer time included."""
    from datetime import time

    from app.cases import rules as case_rules

    worker = make_user(db, team=make_team(db))
    london = case_rules.LOCAL
    shapes = [
        # (referral day, referral time, entered at, first contact at), local times
        (date(2026, 3, 2), time(9, 0), datetime(2026, 3, 4, 10), datetime(2026, 3, 4, 14)),
        (date(2026, 3, 2), None, datetime(2026, 3, 3, 10), datetime(2026, 3, 3, 1)),  # from midnight: 25 h
        (date(2026, 3, 3), None, datetime(2026, 3, 3, 10), datetime(2026, 3, 4, 9)),  # same day: from entry
        (date(2026, 6, 10), time(23, 30), datetime(2026, 6, 11, 9), datetime(2026, 6, 11, 23, 15)),  # BST
        (date(2026, 3, 28), time(22, 0), datetime(2026, 3, 29, 8), datetime(2026, 3, 29, 22, 30)),  # clocks go forward
        (date(2026, 4, 1), time(10, 0), datetime(2026, 4, 1, 11), datetime(2026, 4, 1, 9)),  # seen before entry
    ]
    expected = 0
    for day, at, entered, seen in shapes:
        entered, seen = entered.replace(tzinfo=london), seen.replace(tzinfo=london)
        make_case(db, worker=worker, referral_date=day, referral_time=at, opened_at=entered, first_contact_at=seen)
        hours = case_rules.first_contact_hours(case_rules.referral_started_at(day, entered, at), seen)
        expected += bool(case_rules.first_contact_within_target(hours, 24))
    db.commit()
    card = scorecard(session=db, period=Period(date(2026, 1, 1), date(2026, 6, 30)), team_id=None)
    assert card.first_contacts.now == len(shapes)
    assert expected == 4 and card.first_contacts_on_target.now == expected
    # Across the clocks going forward: 28 March 22:00 GMT to 29 March 22:30 BST is 23.5 hours (the
    # case page said 24.5 until December 2026, subtracting wall clocks).
    march = case_rules.referral_started_at(date(2026, 3, 28), datetime(2026, 3, 29, 8, tzinfo=london), time(22, 0))
    assert case_rules.first_contact_hours(march, datetime(2026, 3, 29, 22, 30, tzinfo=london)) == 23.5


def test_a_looked_after_spell_that_ended_years_ago_is_not_entering_care(db):
    """The council's system says a young person was looked after from 2019 to 2020; recorded in
    March 2026 (their work ended in February), that is their history, not entering care now. A
    spell that ended within the period still counts."""
    worker = make_user(db, team=make_team(db))
    old, recent = make_case(db, worker=worker), make_case(db, worker=worker)
    for case in (old, recent):
        ending(db, case, "closed", "aims_achieved", date(2026, 2, 1))
    record(db, old, "imported", date(2026, 3, 1), care_status="cla", care_status_since=date(2019, 1, 1),
           care_status_until=date(2020, 6, 1), source="import")  # fmt: skip
    record(db, recent, "imported", date(2026, 3, 1), care_status="cla", care_status_since=date(2026, 2, 10),
           care_status_until=date(2026, 2, 20), source="import")  # fmt: skip
    db.commit()
    card = scorecard(session=db, period=PERIOD, team_id=None)
    assert card.entered_care.now == 1
    assert card.care_within_12["yes"].now == 1 and card.care_within_12["not_known"].now == 1


def test_a_reopened_cases_follow_up_does_not_put_right_the_one_from_its_earlier_spell(db):
    """Work ended in January; three months later the young person was in care. The case was picked
    up again and ended in August; that spell's three-month follow-up (at home) is its own record, not
    a correction of April's: the January ending still entered care within 12 months. A record put
    right in the same spell is still superseded."""
    worker = make_user(db, team=make_team(db))
    case = make_case(db, worker=worker, status="closed")
    ending(db, case, "dormant", "", date(2026, 1, 10))
    record(db, case, "follow_up_3", date(2026, 4, 10), living="in_care", care_status="cla", placement="foster",
           recorded_at=noon(date(2026, 4, 10)))  # fmt: skip
    db.add(CaseEvent(case_id=case.id, kind="reactivated", from_status="dormant", to_status="active",
                     occurred_at=noon(date(2026, 6, 1)), by_user_id=worker.id))  # fmt: skip
    moved_out(db, case, "closed", "aims_achieved", noon(date(2026, 8, 1)))
    for at in (date(2026, 11, 1), date(2026, 11, 2)):  # the second puts the first right
        record(db, case, "follow_up_3", date(2026, 11, 1), living="with_parents" if at.day == 2 else "in_care",
               care_status="none", recorded_at=noon(at))  # fmt: skip
    db.commit()
    card = scorecard(session=db, period=PERIOD, team_id=None)
    assert card.care_within_12["yes"].now == 1
    later = scorecard(session=db, period=Period(date(2026, 7, 1), date(2026, 12, 31)), team_id=None)
    at_home, known = later.at_home["follow_up_3"]
    assert (at_home.now, known.now, later.entered_care.now) == (1, 1, 0)


def test_a_diamond_rating_put_right_the_same_day_is_not_distance_travelled(db):
    """A later rating the same day supersedes an earlier one (app/diamond/models.py): a 3 put right
    to 7 a minute later is one rating of 7, so it makes no pair, and against a 8 a month later the
    young person moved up 1, not 5."""
    worker = make_user(db, team=make_team(db))
    once, again = make_case(db, worker=worker), make_case(db, worker=worker)
    for case in (once, again):
        diamond(db, case, 3, date(2026, 3, 1), at=datetime(2026, 3, 1, 10, 0, tzinfo=UTC))
        diamond(db, case, 7, date(2026, 3, 1), at=datetime(2026, 3, 1, 10, 1, tzinfo=UTC))
    diamond(db, again, 8, date(2026, 4, 1))
    db.commit()
    (young,) = scorecard(session=db, period=PERIOD, team_id=None).diamond
    assert (young.pairs, young.mean_change, young.improved) == (1, 1.0, 1)


def test_an_ending_record_put_right_after_the_ending_was_approved_is_one_young_person(db):
    """The record at ending is taken when the ending is written (in care, 10 February) and the work
    ends when the supervisor approves it (12 February); the worker puts the record right after that
    (at home). Both belong to the spell the approval ended: the correction stands alone, and the
    young person did not enter care."""
    worker = make_user(db, team=make_team(db))
    case = make_case(db, worker=worker, status="dormant")
    db.add(CaseEvent(case_id=case.id, kind="activated", from_status="screening", to_status="active",
                     occurred_at=noon(date(2026, 1, 5)), by_user_id=worker.id))  # fmt: skip
    record(db, case, "ending", date(2026, 2, 10), living="in_care", care_status="cla", placement="foster",
           recorded_at=noon(date(2026, 2, 10)))  # fmt: skip
    ending(db, case, "dormant", "", date(2026, 2, 12))
    record(db, case, "ending", date(2026, 2, 14), living="with_parents", care_status="none",
           recorded_at=noon(date(2026, 2, 14)))  # fmt: skip
    db.commit()
    card = scorecard(session=db, period=PERIOD, team_id=None)
    at_home, known = card.at_home["ending"]
    assert (at_home.now, known.now, card.entered_care.now) == (1, 1, 0)
