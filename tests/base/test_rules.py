"""The BASE rules at their boundaries: the plan gate, the stuck-case rule, risk levels, the scales."""

from __future__ import annotations

import pytest

from app.base import rules


def test_plan_gate_names_every_empty_stage_in_order():
    assert rules.plan_gaps({"engagement": 0, "resilience": 0, "risk": 0}) == ["engagement", "resilience", "risk"]
    assert rules.plan_gap_message(["engagement", "resilience", "risk"]) == (
        "The plan cannot be finalised yet: the engagement, resilience and risk stages are empty. Record something there first."
    )


def test_plan_gate_opens_once_each_earlier_stage_has_one_item_and_ignores_analysis():
    assert rules.plan_gaps({"engagement": 1, "resilience": 1, "risk": 1, "analysis": 0}) == []
    assert rules.plan_gaps({"engagement": 1, "resilience": 1, "risk": 0}) == ["risk"]
    assert (
        rules.plan_gap_message(["risk"])
        == "The plan cannot be finalised yet: the risk stage is empty. Record something there first."
    )


def test_no_progress_needs_three_scores_and_compares_last_two_with_the_one_before():
    assert rules.no_progress_across_two_reviews([]) is False
    assert rules.no_progress_across_two_reviews([2, 2]) is False
    assert rules.no_progress_across_two_reviews([2, 2, 2]) is True
    assert rules.no_progress_across_two_reviews([2, 1, 2]) is True
    assert rules.no_progress_across_two_reviews([2, 3, 2]) is False
    assert rules.no_progress_across_two_reviews([1, 3, 3, 3]) is True
    assert rules.no_progress_across_two_reviews([3, 1, 1, 2]) is False


def test_three_missed_visits_in_a_row_only_when_the_latest_three_were_missed():
    assert rules.missed_in_a_row([False, False]) is False
    assert rules.missed_in_a_row([False, False, False]) is True
    assert rules.missed_in_a_row([True, False, False, False]) is True
    assert rules.missed_in_a_row([False, False, False, True]) is False
    assert rules.missed_in_a_row([False, True, False, False]) is False


def test_formulation_meeting_suggested_for_high_risk_or_stuck_case_and_not_otherwise():
    assert rules.formulation_reasons(overall_risk="medium") == []
    assert rules.formulation_reasons(overall_risk="high") == ["the overall risk is judged high"]
    assert rules.formulation_reasons(overall_risk="low", hazard_levels=["medium", "high"]) == [
        "a hazard in the risk register is high"
    ]
    assert rules.formulation_reasons(overall_risk=None, review_scores=[1, 1, 1]) == [
        "there has been no progress across two reviews"
    ]
    assert rules.formulation_reasons(overall_risk=None, attendance=[True, False, False, False]) == [
        "the last three visits were missed"
    ]


@pytest.mark.parametrize(
    ("likelihood", "imminence", "impact", "level"),
    [
        (1, 4, 2, "low"),  # 2
        (3, 1, 1, "medium"),  # 3
        (2, 2, 3, "medium"),  # 6, not imminent
        (2, 3, 3, "high"),  # 6, within weeks
        (4, 1, 2, "medium"),  # 8, not imminent
        (3, 1, 3, "high"),  # 9
        (4, 4, 4, "high"),
    ],
)
def test_risk_level_bands_at_their_edges(likelihood, imminence, impact, level):
    assert rules.risk_level(likelihood=likelihood, imminence=imminence, impact=impact) == level


def test_risk_level_refuses_points_off_the_scale():
    with pytest.raises(ValueError):
        rules.risk_level(likelihood=0, imminence=1, impact=1)


def test_stage_status_and_thin_or_skipped_flags():
    assert rules.stage_status(items=0, marked_done=False) == "not_started"
    assert rules.stage_status(items=2, marked_done=False) == "in_progress"
    assert rules.stage_status(items=0, marked_done=True) == "done"
    counts = {"engagement": 0, "resilience": 4, "risk": 2, "analysis": 0, "plan": 0}
    statuses = {
        "engagement": "not_started",
        "resilience": "done",
        "risk": "in_progress",
        "analysis": "not_started",
        "plan": "not_started",
    }
    assert rules.fidelity_flags(statuses=statuses, counts=counts) == {"engagement": "skipped", "resilience": "thin"}


def test_scales_tip_towards_the_heavier_side_and_say_so_in_words():
    level = rules.tipping_scales(strengths=3, vulnerabilities=3)
    assert level.angle == 0 and "level" in level.summary
    strong = rules.tipping_scales(strengths=9, vulnerabilities=1)
    assert (
        strong.angle == -18 and strong.summary == "9 strengths and 1 vulnerability: the scales tip towards strengths."
    )
    assert rules.tipping_scales(strengths=1, vulnerabilities=2).angle == 4
