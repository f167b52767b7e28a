"""Eligibility rules against both shipped criteria sets, overrides, and decisions stored for reports."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.cases import eligibility, rules
from app.cases.models import EligibilityDecision
from app.cases.service import Refused
from tests.cases.factories import actor_for
from tests.factories import login, make_case, make_user

SEFTON = eligibility.criteria_set("sefton")
LINCS = eligibility.criteria_set("lincolnshire")


def test_both_sets_ship_as_versioned_data():
    assert set(eligibility.available_sets()) >= {"sefton", "lincolnshire"}
    assert SEFTON.version and LINCS.version
    assert len(SEFTON.groups["A"]) == 5 and len(SEFTON.groups["B"]) == 10
    assert len(LINCS.groups["A"]) == 4 and len(LINCS.groups["B"]) == 12
    assert (LINCS.min_age, LINCS.max_age) == (14, 18)


@pytest.mark.parametrize(
    ("ticked", "expected"),
    [
        (["S-A5"], False),  # edge of care alone
        (["S-A5", "S-B3"], True),  # edge of care plus one from B
        (["S-A5", "S-A1"], True),  # edge of care plus one from A
        (["S-A1", "S-B3"], False),  # A and B but not edge of care
        (["S-B1", "S-B3"], False),
        ([], False),
    ],
)
def test_sefton_revised_rule_one_from_a_or_b_plus_edge_of_care(ticked, expected):
    assert rules.rule_met(SEFTON, ticked) is expected


@pytest.mark.parametrize(
    ("ticked", "expected"), [(["S-A1", "S-B3"], True), (["S-A1", "S-A2"], False), (["S-B1"], False)]
)
def test_sefton_original_rule_criteria_from_both_groups(ticked, expected):
    assert rules.rule_met(SEFTON, ticked, rule="a_and_b") is expected


@pytest.mark.parametrize(
    ("ticked", "age", "eligible"),
    [(["L-A3", "L-B1"], 15, True), (["L-A3", "L-B1"], 12, False), (["L-A3"], 15, False), (["L-B1", "L-B4"], 16, False)],
)
def test_lincolnshire_one_from_each_group_aged_14_to_18(ticked, age, eligible):
    outcome = rules.decide_eligibility(LINCS, ticked, age=age, override=False, override_reason="")
    assert outcome.eligible is eligible and outcome.refusal is None


def test_override_needs_a_reason_and_flips_the_answer():
    without = rules.decide_eligibility(LINCS, ["L-A3", "L-B1"], age=12, override=True, override_reason="  ")
    assert without.refusal == "Give a reason for overriding the rule."
    with_reason = rules.decide_eligibility(
        LINCS, ["L-A3", "L-B1"], age=12, override=True, override_reason="Mature 12-year-old, exploitation risk"
    )
    assert (
        with_reason.refusal is None
        and with_reason.eligible is True
        and with_reason.age_in_range is False
        and with_reason.rule_met is True
    )
    down = rules.decide_eligibility(
        SEFTON, ["S-A5", "S-B1"], age=15, override=True, override_reason="Already open to YOS, duplication"
    )
    assert down.eligible is False and down.rule_met is True


def test_unknown_criteria_codes_are_refused():
    outcome = rules.decide_eligibility(SEFTON, ["S-A5", "L-B1"], age=15, override=False, override_reason="")
    assert outcome.refusal and "L-B1" in outcome.refusal


def test_decision_stored_with_set_version_rule_and_ticked_codes(db):
    worker = make_user(db)
    case = make_case(db, worker=worker, status="screening")
    decision = eligibility.record_decision(
        session=db,
        case=case,
        by=actor_for(worker),
        criteria=SEFTON,
        ticked=["S-B1", "S-A5"],
        override=False,
        override_reason="",
    )
    stored = db.exec(select(EligibilityDecision)).one()
    assert stored.id == decision.id
    assert (stored.criteria_set, stored.set_version, stored.rule, stored.ticked, stored.eligible) == (
        "sefton",
        "2",
        "a_or_b_plus_edge",
        ["S-A5", "S-B1"],
        True,
    )
    with pytest.raises(Refused):
        eligibility.record_decision(
            session=db,
            case=case,
            by=actor_for(worker),
            criteria=SEFTON,
            ticked=["S-A5"],
            override=True,
            override_reason="",
        )


def test_screening_form_with_unknown_code_or_override_without_reason_stores_nothing(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker, status="screening")
    login(client, db, worker, settings)
    response = client.post(f"/cases/{case.id}/eligibility", data={"criteria": ["S-A5", "ZZ-9"]})
    assert response.status_code == 422 and "Unknown option: ZZ-9" in response.text
    response = client.post(f"/cases/{case.id}/eligibility", data={"criteria": ["S-B1"], "override": "1"})
    assert response.status_code == 422 and "Give a reason for overriding the rule." in response.text
    assert db.exec(select(EligibilityDecision)).all() == []
    response = client.post(
        f"/cases/{case.id}/eligibility",
        data={"criteria": ["S-B1"], "override": "1", "override_reason": "Professional judgement: risk escalating"},
    )
    assert response.status_code == 303
    db.expire_all()
    decision = db.exec(select(EligibilityDecision)).one()
    assert decision.eligible and decision.overridden and not decision.rule_met
    from app.audit.models import AuditEntry

    entry = db.exec(select(AuditEntry).where(AuditEntry.object_type == "eligibility_decision")).one()
    assert entry.detail == "sefton v2 eligible (override)" and entry.case_id == case.id


def test_lincolnshire_set_chosen_by_setting(client, db, settings, app):
    app.state.settings = settings.model_copy(update={"eligibility_criteria_set": "lincolnshire"})
    worker = make_user(db)
    case = make_case(db, worker=worker, status="screening")
    login(client, db, worker, settings)
    page = client.get(f"/cases/{case.id}/eligibility")
    assert (
        "Lincolnshire Adolescent Profile of Need" in page.text
        and "County lines" not in page.text
        and "county lines" in page.text
    )
    assert client.post(f"/cases/{case.id}/eligibility", data={"criteria": ["L-A3", "L-B1"]}).status_code == 303
    db.expire_all()
    assert db.exec(select(EligibilityDecision.criteria_set)).one() == "lincolnshire"


def test_a_new_referral_has_one_way_into_screening_and_the_decision_moves_it_on(client, db, settings):
    """Issue 18, defect 6: no second "Start screening" into a general status form; the case
    leaves "Referred" when eligibility is decided; the "Why" field's error says "why"."""
    worker = make_user(db)
    case = make_case(db, worker=worker, status="referred")
    login(client, db, worker, settings)
    page = client.get(f"/cases/{case.id}").text
    assert "Eligibility screening" in page and "Start screening" not in page
    old_link = client.get(f"/cases/{case.id}/status?to=screening", follow_redirects=False)
    assert old_link.status_code == 303 and old_link.headers["location"].endswith(f"/cases/{case.id}/eligibility")
    status_page = client.get(f"/cases/{case.id}/status").text
    assert 'value="screening"' not in status_page and "Eligibility screening" in status_page

    assert client.post(f"/cases/{case.id}/eligibility", data={"criteria": ["S-A5", "S-B1"]}).status_code == 303
    db.expire_all()
    assert db.get(type(case), case.id).status == "screening"
    assert "Referred" not in client.get(f"/cases/{case.id}").text.split("<main", 1)[-1].split("Timeline", 1)[0]

    refused = client.post(f"/cases/{case.id}/status", data={"to": "active", "rationale": ""})
    assert refused.status_code == 422 and "A rationale is needed" not in refused.text and "Say why" in refused.text


def test_a_back_dated_decision_judges_the_age_the_young_person_was_that_day(db):
    from datetime import date, datetime, time, timedelta

    from app.timeutil import LOCAL, today

    worker = make_user(db)
    ten_days_ago = today() - timedelta(days=10)
    # 19 since about ten days ago, 18 before (the 28th stands in for a 29 February)
    born = date(ten_days_ago.year - 19, ten_days_ago.month, min(ten_days_ago.day, 28))
    case = make_case(db, worker=worker, status="screening", date_of_birth=born)
    decided_at = datetime.combine(today() - timedelta(days=20), time(12, 0), tzinfo=LOCAL)
    decision = eligibility.record_decision(
        session=db,
        case=case,
        by=actor_for(worker),
        criteria=LINCS,
        ticked=["L-A3", "L-B1"],
        override=False,
        override_reason="",
        decided_at=decided_at,
    )
    assert decision.age_in_range is True and decision.eligible


def test_a_decision_dated_before_the_latest_one_is_refused_beside_its_date_not_ignored(client, db, settings):
    from datetime import timedelta

    from app.timeutil import today

    worker = make_user(db)
    case = make_case(db, worker=worker, status="screening", referral_date=today() - timedelta(days=30))
    login(client, db, worker, settings)
    five_days_ago = today() - timedelta(days=5)
    first = {"criteria": ["S-A5", "S-B1"], "happened_on": five_days_ago.isoformat()}
    assert client.post(f"/cases/{case.id}/eligibility", data=first).status_code == 303
    correction = {"criteria": ["S-B1"], "happened_on": (today() - timedelta(days=10)).isoformat()}
    refused = client.post(f"/cases/{case.id}/eligibility", data=correction)
    assert refused.status_code == 422 and 'id="happened_on-error"' in refused.text
    assert f"Eligibility was last decided on {five_days_ago:%-d %b %Y}" in refused.text
    db.expire_all()
    assert len(db.exec(select(EligibilityDecision).where(EligibilityDecision.case_id == case.id)).all()) == 1


def test_a_correction_dated_the_same_day_without_a_time_is_kept_after_the_decision_it_corrects(client, db, settings):
    """A date without a time reads as midday: a correction of an afternoon's decision, dated that
    day, is placed just after it and becomes the decision the case goes by."""
    from datetime import timedelta

    from app.timeutil import today

    worker = make_user(db)
    case = make_case(db, worker=worker, status="screening", referral_date=today() - timedelta(days=30))
    login(client, db, worker, settings)
    yesterday = today() - timedelta(days=1)
    first = {"criteria": ["S-A5", "S-B1"], "happened_on": yesterday.isoformat(), "happened_time": "15:30"}
    assert client.post(f"/cases/{case.id}/eligibility", data=first).status_code == 303
    correction = {"criteria": ["S-B1"], "happened_on": yesterday.isoformat()}
    corrected = client.post(f"/cases/{case.id}/eligibility", data=correction, follow_redirects=True)
    assert corrected.status_code == 200 and "Eligibility recorded: not eligible." in corrected.text
    assert "Last decision: not eligible" in client.get(f"/cases/{case.id}/eligibility").text
    earlier = {"criteria": ["S-B1"], "happened_on": (yesterday - timedelta(days=1)).isoformat()}
    refused = client.post(f"/cases/{case.id}/eligibility", data=earlier)
    assert refused.status_code == 422 and 'id="happened_on-error"' in refused.text
    assert f"Eligibility was last decided on {yesterday:%-d %b %Y}" in refused.text
