"""No young person can be picked out of a shared figure: a count from 1 to 4 is withheld, and so is
the count that would give it back by subtraction from a total shown elsewhere (secondary suppression)."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from app.outcomes import charts, figures, rules
from tests.factories import login, make_case, make_team, make_user
from tests.outcomes.test_scorecard import ending


def test_one_small_count_takes_the_next_smallest_with_it():
    assert rules.withheld([3, 12, 20]) == {0, 1}
    assert rules.shown_all([3, 12, 20]) == ["fewer than 5", "withheld", "20"]
    # Two small counts hide each other; nothing small, nothing hidden; a zero is never the partner.
    assert rules.withheld([3, 4, 20]) == {0, 1}
    assert rules.withheld([0, 12, 20]) == set()
    assert rules.withheld([2, 0, 9]) == {0, 2}


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8))
def test_a_hidden_count_is_never_the_only_one_in_its_total(counts):
    hidden = rules.withheld(counts)
    assert {i for i, c in enumerate(counts) if 0 < c < rules.SMALL} <= hidden
    others_above_zero = [c for i, c in enumerate(counts) if i not in hidden and c > 0]
    assert len(hidden) != 1 or not others_above_zero


@given(st.lists(st.lists(st.integers(min_value=0, max_value=30), min_size=3, max_size=3), min_size=1, max_size=5))
def test_no_row_or_column_of_a_table_has_exactly_one_hidden_cell_among_counts(table):
    hidden = rules.withheld_table(table)
    lines = [[(r, c) for c in range(3)] for r in range(len(table))]
    lines += [[(r, c) for r in range(len(table))] for c in range(3)]
    for line in lines:
        gone = [cell for cell in line if cell in hidden]
        shown_above_zero = [cell for cell in line if cell not in hidden and table[cell[0]][cell[1]] > 0]
        assert len(gone) != 1 or not shown_above_zero


def test_a_share_is_withheld_when_the_rest_of_the_whole_is_small():
    assert rules.share(18, 20) == "fewer than 5"  # 90% of 20 would say 2 did not
    assert rules.share(10, 20) == "50%"


def test_the_chart_draws_no_bar_for_a_count_the_table_withholds():
    chart = charts.period_bars("Endings by reason", [("Aims achieved", 3, 0), ("Moved away", 12, 0), ("Other", 20, 0)])
    bars = {row.label: row.bars[0] for row in chart.rows}
    assert (bars["Aims achieved"].width, bars["Aims achieved"].text) == (0, "fewer than 5")
    assert (bars["Moved away"].width, bars["Moved away"].text) == (0, "withheld")
    assert bars["Other"].width > 0 and bars["Other"].text == "20"
    assert figures.shown_rows([("Aims achieved", 3, 0), ("Moved away", 12, 0)])[1] == ("Moved away", "withheld", "0")


def test_the_bars_drawn_are_not_scaled_to_a_hidden_count():
    """A drawn bar's length over its printed number gives the chart's scale: were that the largest
    count, hidden ones included, a withheld 40 could be read off the axis."""
    chart = charts.period_bars("Young people worked with", [("North", 3, 10), ("South", 40, 20)])
    bars = {(row.label, n): bar for row in chart.rows for n, bar in enumerate(row.bars)}
    assert bars[("South", 0)].text == "withheld" and bars[("South", 0)].width == 0
    drawn = [bar for bar in bars.values() if bar.width > 0]
    scales = {round(bar.width / int(bar.text), 3) for bar in drawn}
    longest = charts.WIDTH - charts.LABEL_WIDTH - 110
    assert scales == {round(longest / 20, 3)}  # the largest count drawn, 20, not the hidden 40


def test_a_manager_reading_endings_by_reason_cannot_work_out_the_small_one(client, db, settings):
    team = make_team(db, name="North")
    worker = make_user(db, email="w@example.org", team=team)
    manager = make_user(db, email="m@example.org", role="manager", team=team)
    for i in range(9):
        case = make_case(db, worker=worker, young_person_name=f"Young Person {i}")
        ending(db, case, "closed", "aims_achieved" if i < 3 else "moved_away", date(2026, 3, 2))
    db.commit()
    login(client, db, manager, settings)
    page = client.get("/scorecard", params={"start": "2026-01-01", "end": "2026-06-30"}).text
    table = page[page.index('id="endings"') :]
    table = table[: table.index("</table>")]
    cells = dict(re.findall(r"<th[^>]*>([^<]+)</th>\s*<td>([^<]+)</td>", table))
    assert cells["Plan aims achieved"] == "fewer than 5"
    assert cells["Moved away"] == "withheld"  # 9 endings less "moved away" would give 3
    assert ">6<" not in table
    chart = page[page.index('id="endings-chart"') :]
    chart = chart[: chart.index("</svg>")]
    assert ">withheld</text>" in chart and ">6</text>" not in chart  # the chart says the same
    assert "so a smaller one can't be worked out" in page


def test_entered_care_and_distance_by_group_withhold_the_count_that_would_give_a_small_one_away():
    """Headline "Entered care 11", Female 9, Male 2: shown as "9" and "fewer than 5", Male is 11 - 9.
    Likewise each rater's pairs across the groups add up to the rater's line without a breakdown."""
    from app.outcomes.card import Change, Pair, Period, Scorecard

    card = Scorecard(period=Period(date(2026, 1, 1), date(2026, 6, 30)), team_id=None, breakdown="gender")
    card.entered_care = Pair(11, 0)
    card.care_by_group = {"female": Pair(9, 0), "male": Pair(2, 0)}
    lines = {line.label: line.now for line in figures.care_by_group(card)}
    assert lines == {"Female": rules.WITHHELD, "Male": "fewer than 5"}

    def change(pairs):
        return Change(rater="Young person", pairs=pairs, mean_change=1.0, improved=pairs, same=0, worse=0)

    card.diamond_by_group = [("female", change(12)), ("male", change(3)), ("not_known", change(20))]
    rows = {row[0]: row[2] for row in figures.distance_by_group(card, "diamond").rows}
    assert rows == {"Female": rules.WITHHELD, "Male": "fewer than 5", "Not known": "20 (mean change +1.0)"}


def test_the_headline_endings_cannot_undo_the_endings_by_reason_table():
    """Headline "Ended to dormant 7" and "Closed at ending 23"; reasons: moved away 3, aims
    achieved 20. Protected as one list, "to dormant" was the count hidden with the 3, and 23 - 20
    gave the 3 back. Each part now answers to its own total."""
    from app.outcomes.card import Pair, Period, Scorecard

    card = Scorecard(period=Period(date(2026, 1, 1), date(2026, 6, 30)), team_id=None, breakdown="gender")
    card.endings = {
        "dormant": Pair(7, 0),
        "to_dormant": Pair(7, 0),
        "closed": Pair(23, 0),
        "moved_away": Pair(3, 0),
        "aims_achieved": Pair(20, 0),
    }
    headline = {line.label: line.now for line in figures.headline(card)}
    assert (headline["Ended to dormant"], headline["Closed at ending"]) == ("7", "23")
    shown = {label: now for label, now, _ in figures.shown_endings(card)}
    reasons = {code: shown[figures.REASONS[code]] for code in ("to_dormant", "moved_away", "aims_achieved")}
    assert reasons == {"to_dormant": "7", "moved_away": "fewer than 5", "aims_achieved": rules.WITHHELD}
    bars = {row.label: row.bars[0] for row in figures.endings_chart(card).rows}
    assert bars[figures.REASONS["aims_achieved"]].width == 0 and bars[figures.REASONS["to_dormant"]].width > 0


def test_the_share_entering_care_is_withheld_beside_a_withheld_count():
    """Entered care 6 (withheld beside not known 2), did not 30: 17% of the 36 known gave 6 back."""
    from app.outcomes.card import Pair, Period, Scorecard

    card = Scorecard(period=Period(date(2026, 1, 1), date(2026, 6, 30)), team_id=None, breakdown="gender")
    card.care_within_12 = {"yes": Pair(6, 20), "no": Pair(30, 30), "not_known": Pair(2, 0)}
    lines = {line.label: (line.now, line.before) for line in figures.care_within_12(card)}
    assert lines["Entered care"] == (rules.WITHHELD, "20")
    assert lines["Entered care, of those whose 12 months are known"] == (rules.WITHHELD, "40%")


def test_the_caseload_per_worker_is_withheld_beside_a_small_count():
    """One worker holding 3 cases: "3.0 active cases per worker (fewer than 5 cases)" gave the 3 back."""
    from app.outcomes.card import Period, Scorecard

    card = Scorecard(period=Period(date(2026, 1, 1), date(2026, 6, 30)), team_id=None, breakdown="gender")
    card.active_now, card.workers_holding = 3, 1
    assert figures.caseload(card) == "fewer than 5 active cases"
    card.active_now, card.workers_holding = 25, 2
    assert figures.caseload(card) == "12.5 active cases per worker (25 cases)"


def test_endings_by_reason_and_group_cannot_be_worked_out_from_the_rows_shown_cells():
    """Female: 5 to dormant, 8 closed (6 aims achieved, 2 moved away). "To dormant" was protected
    with the closure reasons, so the 2 took the duplicate "to dormant" 5 with it while "Closed 8"
    and "Aims achieved 6" stayed: 8 - 6 gave the 2 back. In every row, a hidden cell is never the
    only one hidden in a sum: all = to dormant + closed, closed = its reasons."""
    from app.outcomes.card import Pair, Period, Scorecard

    card = Scorecard(period=Period(date(2026, 1, 1), date(2026, 6, 30)), team_id=None, breakdown="gender")
    card.endings_by_group = {
        "female": {"all": Pair(13, 0), "dormant": Pair(5, 0), "closed": Pair(8, 0), "to_dormant": Pair(5, 0),
                   "aims_achieved": Pair(6, 0), "moved_away": Pair(2, 0)},
        "male": {"all": Pair(12, 0), "dormant": Pair(9, 0), "closed": Pair(3, 0), "to_dormant": Pair(9, 0),
                 "aims_achieved": Pair(3, 0)},
        "not_known": {"all": Pair(40, 0), "dormant": Pair(20, 0), "closed": Pair(20, 0), "to_dormant": Pair(20, 0),
                      "aims_achieved": Pair(10, 0), "moved_away": Pair(10, 0)},
    }  # fmt: skip
    matrix = figures.endings_by_group(card)
    assert "To dormant (no closure reason asked: the case stays open)" not in matrix.head  # the same as "To dormant"
    rows = {row[0]: dict(zip(matrix.head, row, strict=True)) for row in matrix.rows}
    assert rows["Female"]["Moved away"] == "fewer than 5" and not rows["Female"]["Plan aims achieved"].isdigit()
    assert rows["Male"]["Closed"] == "fewer than 5" and not rows["Male"]["To dormant"].isdigit()  # 12 - 9 = 3
    reasons = list(matrix.head[4:-1])
    for row in rows.values():
        for total, parts in (("All endings", ["To dormant", "Closed"]), ("Closed", reasons)):
            hidden = [cell for cell in [row[total]] + [row[p] for p in parts] if not cell.isdigit()]
            assert len(hidden) != 1, row
