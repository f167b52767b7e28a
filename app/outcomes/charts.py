"""Server-drawn SVG bar charts for the scorecard (house style: app/diamond/charts.py).

Each chart is followed on the page by a table with the same numbers. A count below five has no bar
of its own length, only the words "fewer than 5" (or "withheld" for a larger count hidden with it, so
the smaller can't be worked out from the total), so the chart never shows what the table withholds.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.outcomes import rules

WIDTH = 640
LABEL_WIDTH = 250
ROW = 44
BAR = 14
NOW_COLOUR = "#1d4f63"
BEFORE_COLOUR = "#8aa9b5"


@dataclass(frozen=True)
class Bar:
    y: float
    width: float
    text: str
    colour: str


@dataclass(frozen=True)
class Row:
    label: str
    y: float
    bars: tuple[Bar, Bar]


@dataclass(frozen=True)
class BarChart:
    title: str
    rows: list[Row]
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    legend: tuple[str, str] = ("This period", "Previous period")
    period: bool = True  # the two bars are this period and the previous one (the title says so)

    @property
    def height(self) -> int:
        return max(ROW, len(self.rows) * ROW) + 8


def _bar_width(value: int, top: int) -> float:
    if value < rules.SMALL or top <= 0:
        return 0.0
    return round((WIDTH - LABEL_WIDTH - 110) * value / top, 1)


def period_bars(
    title: str,
    rows: list[tuple[str, int, int]],
    *,
    legend: tuple[str, str] = ("This period", "Previous period"),
    period: bool = True,
    groups: list[list[int]] | None = None,
    hidden_now: set[int] | frozenset[int] = frozenset(),
) -> BarChart:
    """One row per label, with this period's bar above the previous period's (or two other counts,
    named by `legend`, the first above the second). `groups`: rows that add up to a total of their
    own shown elsewhere (default: all of them, one total), each protected on its own; `hidden_now`:
    rows whose first count the table hides for a reason of its own."""
    # Each column adds up to a total shown elsewhere: a count hidden in the table has no bar of its
    # own length here either (rules.withheld).
    now_hidden = rules.withheld_in_groups([now for _, now, _ in rows], groups) | set(hidden_now)
    before_hidden = rules.withheld_in_groups([before for _, _, before in rows], groups)
    # The scale comes from the bars drawn only: scaled to a hidden count, a drawn bar's length and
    # its printed number would give that count back.
    shown = [
        value
        for i, (_, now, before) in enumerate(rows)
        for value, hidden in ((now, i in now_hidden), (before, i in before_hidden))
        if not hidden and value >= rules.SMALL
    ]
    top = max(shown or [0])
    drawn = []
    for i, (label, now, before) in enumerate(rows):
        y = 4 + i * ROW
        now_width = 0.0 if i in now_hidden else _bar_width(now, top)
        before_width = 0.0 if i in before_hidden else _bar_width(before, top)
        drawn.append(
            Row(
                label=label,
                y=y,
                bars=(
                    Bar(y + 4, now_width, rules.shown_cell(now, i in now_hidden), NOW_COLOUR),
                    Bar(y + 4 + BAR + 2, before_width, rules.shown_cell(before, i in before_hidden), BEFORE_COLOUR),
                ),
            )
        )
    return BarChart(title=title, rows=drawn, legend=legend, period=period)
