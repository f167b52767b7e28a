"""Each oversight flag at its boundary, decided in the feature it belongs to (issue 10 acceptance: day 13 and day 14, and so on)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.base import flags as base_flags
from app.cases import flags as case_flags
from app.endings import flags as endings_flags
from app.review import rules

TODAY = date(2026, 3, 18)  # a Wednesday


def test_no_contact_flag_starts_on_day_14_not_day_13():
    assert not case_flags.no_recent_contact(
        status="active", last_contact_on=TODAY - timedelta(days=13), opened_on=date(2026, 1, 1), today=TODAY, days=14
    )
    assert case_flags.no_recent_contact(
        status="active", last_contact_on=TODAY - timedelta(days=14), opened_on=date(2026, 1, 1), today=TODAY, days=14
    )


def test_no_contact_flag_counts_from_opening_when_never_seen_and_ignores_dormant_cases():
    assert case_flags.no_recent_contact(
        status="active", last_contact_on=None, opened_on=TODAY - timedelta(days=14), today=TODAY, days=14
    )
    assert not case_flags.no_recent_contact(
        status="dormant", last_contact_on=None, opened_on=TODAY - timedelta(days=400), today=TODAY, days=14
    )


def test_first_contact_flag_after_24_hours_not_at_23():
    referred = datetime(2026, 3, 17, 9, 0, tzinfo=UTC)
    assert not case_flags.no_first_contact(
        referred_at=referred, first_contact_at=None, now=referred + timedelta(hours=23, minutes=59), target_hours=24
    )
    assert not case_flags.no_first_contact(
        referred_at=referred, first_contact_at=None, now=referred + timedelta(hours=24), target_hours=24
    )
    assert case_flags.no_first_contact(
        referred_at=referred, first_contact_at=None, now=referred + timedelta(hours=24, minutes=1), target_hours=24
    )
    assert not case_flags.no_first_contact(
        referred_at=referred,
        first_contact_at=referred + timedelta(hours=20),
        now=referred + timedelta(days=3),
        target_hours=24,
    )


def test_review_overdue_the_day_after_it_was_due():
    assert not case_flags.review_overdue(status="active", next_review_on=TODAY, today=TODAY)
    assert case_flags.review_overdue(status="active", next_review_on=TODAY - timedelta(days=1), today=TODAY)
    assert not case_flags.review_overdue(status="active", next_review_on=None, today=TODAY)


def test_intervention_length_exceeded_after_the_planned_weeks():
    assert not case_flags.intervention_too_long(
        status="active", opened_on=TODAY - timedelta(weeks=26), today=TODAY, weeks=26
    )
    assert case_flags.intervention_too_long(
        status="active", opened_on=TODAY - timedelta(weeks=26, days=1), today=TODAY, weeks=26
    )


def test_voice_flag_at_six_weeks_not_one_day_before():
    assert not case_flags.voice_not_recorded(
        status="active", last_voice_on=TODAY - timedelta(days=41), opened_on=date(2025, 1, 1), today=TODAY, weeks=6
    )
    assert case_flags.voice_not_recorded(
        status="active", last_voice_on=TODAY - timedelta(days=42), opened_on=date(2025, 1, 1), today=TODAY, weeks=6
    )


def test_working_days_skip_weekends():
    friday = date(2026, 3, 13)
    assert rules.working_days_between(friday, date(2026, 3, 16)) == 1  # Monday
    assert rules.working_days_between(friday, date(2026, 3, 20)) == 5
    assert rules.working_days_between(friday, friday) == 0


def test_waiting_flag_after_five_working_days_not_on_the_fifth():
    monday = date(2026, 3, 9)
    assert not rules.waiting_too_long(submitted_on=monday, today=date(2026, 3, 16), working_days=5)  # 5 working days
    assert rules.waiting_too_long(submitted_on=monday, today=date(2026, 3, 17), working_days=5)  # 6


def test_base_stages_skipped_only_when_a_later_stage_is_recorded_without_an_earlier_one():
    order = ["secure_base", "resilience", "risk", "analysis", "plan"]
    assert not base_flags.base_stages_skipped(stages_done=["secure_base", "resilience"], stage_order=order)
    assert base_flags.base_stages_skipped(stages_done=["secure_base", "risk"], stage_order=order)
    assert not base_flags.base_stages_skipped(stages_done=[], stage_order=order)


def test_engagement_flag_at_three_missed_visits_in_a_row():
    assert not case_flags.engagement_flag(missed_in_a_row=2, limit=3)
    assert case_flags.engagement_flag(missed_in_a_row=3, limit=3)


def test_a_worker_gone_is_a_key_worker_disabled_or_moved_or_a_co_worker_disabled():
    def gone(key_active=True, key_team=1, co_active=None):
        return case_flags.worker_gone(
            key_worker_active=key_active, key_worker_team_id=key_team, case_team_id=1, co_worker_active=co_active
        )

    assert not gone() and not gone(co_active=True)
    assert gone(key_active=False) and gone(key_team=2) and gone(key_team=None)
    # A co-worker disabled leaves the case short; one of another team is no sign of leaving.
    assert gone(co_active=False)


def test_dormant_review_due_at_twelve_weeks_from_the_later_of_dormancy_and_last_review():
    since = TODAY - timedelta(weeks=12)
    assert endings_flags.dormant_review_due(
        status="dormant", dormant_since=since, last_review_on=None, today=TODAY, weeks=12
    )
    assert not endings_flags.dormant_review_due(
        status="dormant", dormant_since=since + timedelta(days=1), last_review_on=None, today=TODAY, weeks=12
    )
    assert not endings_flags.dormant_review_due(
        status="dormant", dormant_since=since, last_review_on=TODAY - timedelta(days=5), today=TODAY, weeks=12
    )
    assert not endings_flags.dormant_review_due(
        status="active", dormant_since=since, last_review_on=None, today=TODAY, weeks=12
    )


def test_ending_without_sustainability_plan():
    assert endings_flags.ending_without_sustainability_plan(ending_recorded=True, has_sustainability_plan=False)
    assert not endings_flags.ending_without_sustainability_plan(ending_recorded=True, has_sustainability_plan=True)
    assert not endings_flags.ending_without_sustainability_plan(ending_recorded=False, has_sustainability_plan=False)


def test_intensity_weight_counts_statutory_cases_more_and_dormant_cases_little():
    assert rules.intensity_weight(status="active", practice_context="cp") == 2.0
    assert rules.intensity_weight(status="active", practice_context="early_help") == 1.0
    assert rules.intensity_weight(status="dormant", practice_context="cp") == 0.25
