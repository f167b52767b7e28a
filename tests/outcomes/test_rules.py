"""Pure outcome rules: follow-up dates at their boundaries, small-number suppression, age bands."""

from __future__ import annotations

from datetime import date

from app.outcomes import rules


def test_no_follow_up_is_due_the_day_before_three_months():
    assert rules.follow_ups_due(ended_on=date(2026, 1, 15), today=date(2026, 4, 14)) == []


def test_three_month_follow_up_is_due_on_the_day():
    assert rules.follow_ups_due(ended_on=date(2026, 1, 15), today=date(2026, 4, 15)) == [
        ("follow_up_3", date(2026, 4, 15))
    ]


def test_six_and_twelve_month_follow_ups_fall_due_on_their_days():
    ended = date(2026, 1, 15)
    assert [p for p, _ in rules.follow_ups_due(ended_on=ended, today=date(2026, 7, 14))] == ["follow_up_3"]
    assert [p for p, _ in rules.follow_ups_due(ended_on=ended, today=date(2026, 7, 15))] == [
        "follow_up_3",
        "follow_up_6",
    ]
    assert [p for p, _ in rules.follow_ups_due(ended_on=ended, today=date(2027, 1, 14))] == [
        "follow_up_3",
        "follow_up_6",
    ]
    assert len(rules.follow_ups_due(ended_on=ended, today=date(2027, 1, 15))) == 3


def test_work_ending_on_the_31st_is_followed_up_at_the_end_of_a_shorter_month():
    assert rules.follow_ups_due(ended_on=date(2025, 11, 30), today=date(2026, 2, 28)) == [
        ("follow_up_3", date(2026, 2, 28))
    ]
    assert rules.follow_ups_due(ended_on=date(2025, 11, 30), today=date(2026, 2, 27)) == []


def test_counts_from_one_to_four_are_withheld_but_zero_and_five_are_shown():
    assert [rules.shown(n) for n in (0, 1, 4, 5, 12)] == ["0", "fewer than 5", "fewer than 5", "5", "12"]


def test_a_share_is_withheld_when_either_number_is_small():
    assert rules.share(3, 20) == "fewer than 5"
    assert rules.share(4, 4) == "fewer than 5"
    assert rules.share(0, 10) == "0%"
    assert rules.share(5, 10) == "50%"
    assert rules.share(0, 0) == "none yet"


def test_age_bands_change_on_the_birthday():
    born = date(2010, 6, 1)
    assert rules.age_band(born, date(2024, 5, 31)) == "12_13"
    assert rules.age_band(born, date(2024, 6, 1)) == "14_15"
    assert rules.age_band(None, date(2024, 6, 1)) == "not_known"
