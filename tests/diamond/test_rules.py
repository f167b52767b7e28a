"""The Diamond's pure rules: rounds, conversation points and chart geometry."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.diamond import rules


def _s(rater, aim, score, day, minute=0):
    return rules.Score(rater, aim, score, day, datetime(2026, 1, 1, 10, minute, tzinfo=UTC))


def test_a_later_rating_the_same_day_supersedes_the_earlier_one_without_changing_it():
    day = date(2026, 3, 1)
    rounds = rules.rounds_by_rater(
        [_s("a", "wellbeing", 4, day, 1), _s("a", "wellbeing", 6, day, 5), _s("a", "learning", 3, day)]
    )
    assert rounds["a"][0].scores == {"wellbeing": 6, "learning": 3}


def test_a_rating_is_given_when_the_device_stamped_it_within_its_day_and_never_after_now():
    now = datetime(2026, 7, 10, 16, tzinfo=UTC)
    day = date(2026, 7, 10)
    morning = datetime(2026, 7, 10, 9, tzinfo=UTC)
    assert rules.given_at(morning, rated_on=day, now=now) == morning
    assert rules.given_at(None, rated_on=day, now=now) == now
    assert rules.given_at(datetime(2026, 7, 11, 9, tzinfo=UTC), rated_on=day, now=now) == now
    # A tablet clock a day behind is not trusted: given when it arrived. The day rated begins at
    # midnight in the UK, 23:00 UTC in summer.
    assert rules.given_at(datetime(2026, 7, 9, 9, tzinfo=UTC), rated_on=day, now=now) == now
    assert rules.given_at(datetime(2026, 7, 9, 23, tzinfo=UTC), rated_on=day, now=now) == datetime(
        2026, 7, 9, 23, tzinfo=UTC
    )
    # Entered afterwards for an earlier day: given when it was entered, as before.
    assert rules.given_at(morning, rated_on=date(2026, 7, 3), now=now) == morning


def test_rounds_are_per_rater_and_oldest_first():
    rounds = rules.rounds_by_rater(
        [
            _s("a", "wellbeing", 7, date(2026, 3, 1)),
            _s("a", "wellbeing", 2, date(2026, 1, 1)),
            _s("b", "wellbeing", 5, date(2026, 2, 1)),
        ]
    )
    assert [r.rated_on for r in rounds["a"]] == [date(2026, 1, 1), date(2026, 3, 1)]
    assert list(rounds["b"][0].scores.values()) == [5]


def test_difference_of_three_is_a_conversation_point_but_two_is_not():
    day = date(2026, 3, 1)
    rounds = rules.rounds_by_rater(
        [
            _s("yp", "wellbeing", 3, day),
            _s("mum", "wellbeing", 6, day),
            _s("yp", "learning", 5, day),
            _s("mum", "learning", 7, day),
        ]
    )
    points = rules.conversation_points(rounds)
    assert [p.aim.key for p in points] == ["wellbeing"]
    assert points[0].spread == 3 and points[0].entries == (("mum", 6), ("yp", 3))


def test_stale_ratings_from_an_earlier_review_are_not_set_against_new_ones():
    rounds = rules.rounds_by_rater(
        [_s("yp", "wellbeing", 2, date(2026, 1, 1)), _s("mum", "wellbeing", 9, date(2026, 6, 1))]
    )
    assert rules.conversation_points(rounds) == []


def test_next_aim_walks_the_four_aims_in_order_then_stops():
    assert [rules.next_aim(a) for a in rules.AIM_KEYS] == ["learning", "relationships", "empowerment", None]


def test_diamond_corners_put_wellbeing_on_top_and_scale_with_the_score():
    top = rules.diamond_point("wellbeing", 10, cx=100, cy=100, radius=50)
    assert round(top[0]) == 100 and round(top[1]) == 50
    right = rules.diamond_point("learning", 5, cx=100, cy=100, radius=50)
    assert round(right[0]) == 125 and round(right[1]) == 100
    corners = rules.diamond_polygon(dict.fromkeys(rules.AIM_KEYS, 0), cx=100, cy=100, radius=50)
    assert set(corners) == {(100.0, 100.0)}


def test_a_skipped_aim_carries_its_last_number_forward_and_a_goal_only_round_is_no_diamond():
    march_3, march_10, march_17 = date(2026, 3, 3), date(2026, 3, 10), date(2026, 3, 17)
    rounds = [
        rules.Round(march_3, {"wellbeing": 5, "learning": 5, "relationships": 6}),
        rules.Round(march_10, {"wellbeing": 8}),
        rules.Round(march_17, {"goal:g1": 4}),
    ]
    diamonds = rules.diamond_rounds(rounds)
    assert [d.rated_on for d in diamonds] == [march_3, march_10]
    latest = diamonds[-1]
    assert latest.scores == {"wellbeing": 8, "learning": 5, "relationships": 6}
    assert latest.carried == {"learning": march_3, "relationships": march_3}
    assert not latest.complete and latest.not_rated == ["empowerment"]
    assert latest.note() == "Learning and Relationships from 3 Mar 2026; Empowerment not rated yet"


def test_each_rater_gets_a_different_colour_dash_and_marker():
    looks = [rules.look(i) for i in range(4)]
    assert (
        len({look.colour for look in looks}) == 4
        and len({look.dash for look in looks}) == 4
        and len({look.marker for look in looks}) == 4
    )


def test_time_axis_places_dates_proportionally():
    x = rules.time_x(date(2026, 1, 11), first=date(2026, 1, 1), last=date(2026, 1, 21), left=0, width=100)
    assert x == 50
    assert rules.time_x(date(2026, 1, 1), first=date(2026, 1, 1), last=date(2026, 1, 1), left=0, width=100) == 50
