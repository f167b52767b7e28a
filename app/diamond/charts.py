"""View models for the server-drawn SVG charts (no JavaScript library); templates draw them.

Each chart is followed on the page by a table with the same numbers, for screen readers and print.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.diamond import rules
from app.diamond.service import DiamondSummary, Rater

SIZE = 320
CENTRE = SIZE / 2
RADIUS = 120


@dataclass
class Shape:
    rater: Rater
    look: rules.Look
    points: str  # empty when an aim was never rated: markers only, nothing drawn at 0
    markers: list[tuple[str, bool]]  # (path, carried from an earlier day: drawn hollow)
    faint: bool = False
    caption: str = ""

    @property
    def legend_item(self) -> tuple[str, rules.Look, bool]:
        return (self.caption or self.rater.label, self.look, self.faint)


@dataclass
class DiamondChart:
    title: str
    shapes: list[Shape]
    rings: list[str] = field(default_factory=list)
    axes: list[tuple[float, float, float, float]] = field(default_factory=list)
    labels: list[tuple[float, float, str, str]] = field(default_factory=list)  # x, y, anchor, text
    size: int = SIZE


def _frame(chart: DiamondChart) -> DiamondChart:
    for level in (2, 4, 6, 8, 10):
        ring = rules.diamond_polygon(dict.fromkeys(rules.AIM_KEYS, level), cx=CENTRE, cy=CENTRE, radius=RADIUS)
        chart.rings.append(rules.points_attr(ring))
    for aim in rules.AIMS:
        x, y = rules.diamond_point(aim.key, 10, cx=CENTRE, cy=CENTRE, radius=RADIUS)
        chart.axes.append((CENTRE, CENTRE, x, y))
        lx, ly = rules.diamond_point(
            aim.key, 11.9 if aim.key == "wellbeing" else 11.3, cx=CENTRE, cy=CENTRE, radius=RADIUS
        )
        anchor = (
            "middle" if aim.key in ("wellbeing", "relationships") else ("start" if aim.key == "learning" else "end")
        )
        if aim.key == "learning":
            lx -= 26
            ly -= 14
        if aim.key == "empowerment":
            lx += 26
            ly -= 14
        chart.labels.append((lx, ly + (4 if aim.key != "wellbeing" else 0), anchor, aim.name.split(" and ")[0]))
    return chart


def _caption(start: str, rnd: rules.DiamondRound) -> str:
    note = rnd.note()
    return f"{start}, {rnd.rated_on:%-d %b %Y}" + (f"; {note}" if note else "")


def _shape(
    rater: Rater,
    index: int,
    rnd: rules.DiamondRound,
    *,
    faint: bool = False,
    caption: str = "",
    offset: float = 0.0,
) -> Shape:
    """A rater's Diamond: numbers carried from an earlier day are hollow markers (and said in the
    caption); with an aim never rated there is no shape, only the markers given."""
    scores = rnd.scores
    look = rules.look(index)
    points = (
        rules.points_attr(rules.diamond_polygon(scores, cx=CENTRE, cy=CENTRE, radius=RADIUS)) if rnd.complete else ""
    )
    markers = [
        (
            rules.marker_path(
                look.marker,
                *rules.dodged_point(aim, scores[aim], offset, cx=CENTRE, cy=CENTRE, radius=RADIUS),
                6 if not faint else 4,
            ),
            aim in rnd.carried,
        )
        for aim in rules.AIM_KEYS
        if aim in scores
    ]
    return Shape(rater, look, points, markers, faint, caption)


def _shown(summary: DiamondSummary, only: str | None) -> list[tuple[int, Rater]]:
    """The raters a chart draws, each with its place in the whole list (its look stays the same)."""
    return [(i, r) for i, r in enumerate(summary.raters) if only is None or r.key == only]


def latest_diamond(summary: DiamondSummary, only: str | None = None) -> DiamondChart:
    """Everyone's most recent numbers on one Diamond: one shape per rater (or just `only`'s).

    Markers of different raters are nudged apart across each axis, so three people who gave
    the same number show three shapes side by side rather than one on top of the others."""
    shown = _shown(summary, only)
    title = "Everyone's latest Diamond" if only is None else f"{shown[0][1].label}: latest Diamond"
    chart = _frame(DiamondChart(title, []))
    for place, (index, rater) in enumerate(shown):
        last = summary.latest_diamond(rater.key)
        if last is None:  # goals rated only: not a Diamond
            continue
        chart.shapes.append(
            _shape(rater, index, last, caption=_caption(rater.label, last), offset=rules.dodge(place, len(shown)))
        )
    return chart


def rater_diamonds(summary: DiamondSummary) -> list[tuple[DiamondChart, list[rules.Round]]]:
    """For each rater, this time (solid) against last time (faint), with the two rounds for the table."""
    out = []
    for index, rater in enumerate(summary.raters):
        rounds = rules.diamond_rounds(summary.rounds[rater.key])[-2:]
        if not rounds:  # goals rated only: their progress charts show them
            continue
        chart = _frame(DiamondChart(f"{rater.label}: this time and last time", []))
        if len(rounds) == 2:
            chart.shapes.append(_shape(rater, index, rounds[0], faint=True, caption=_caption("Last time", rounds[0])))
        chart.shapes.append(_shape(rater, index, rounds[-1], caption=_caption("This time", rounds[-1])))
        out.append((chart, list(reversed(rounds))))
    return out


@dataclass
class Line:
    rater: Rater
    look: rules.Look
    points: str
    markers: list[str]

    @property
    def legend_item(self) -> tuple[str, rules.Look, bool]:
        return (self.rater.label, self.look, False)


@dataclass
class ProgressChart:
    aim: rules.Aim
    lines: list[Line]
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    width: int = 480
    height: int = 240
    left: int = 40
    top: int = 16
    plot_width: int = 420
    plot_height: int = 180


def progress_charts(summary: DiamondSummary, only: str | None = None) -> list[ProgressChart]:
    """For each aim, every rater's numbers over time: one line per rater (or just `only`'s),
    each rater's points nudged a few pixels sideways so equal numbers on a day stay visible."""
    dates = summary.dates
    if not dates:
        return []
    first, last = dates[0], dates[-1]
    charts = []
    for aim in [*rules.AIMS, *summary.goal_aims]:
        chart = ProgressChart(aim, [], [], [])
        px = {"left": chart.left + 10, "width": chart.plot_width - 20}
        py = {"top": chart.top, "height": chart.plot_height}
        shown = _shown(summary, only)
        for place, (index, rater) in enumerate(shown):
            nudge = rules.dodge(place, len(shown), step=5.0)
            coords = [
                (
                    rules.time_x(r.rated_on, first=first, last=last, **px) + nudge,
                    rules.score_y(r.scores[aim.key], **py),
                )
                for r in summary.rounds[rater.key]
                if aim.key in r.scores
            ]
            if coords:
                look = rules.look(index)
                chart.lines.append(
                    Line(
                        rater,
                        look,
                        rules.points_attr(coords),
                        [rules.marker_path(look.marker, x, y, 6) for x, y in coords],
                    )
                )
        ticks = dates if len(dates) <= 6 else [dates[i * (len(dates) - 1) // 5] for i in range(6)]
        chart.x_ticks = [(rules.time_x(d, first=first, last=last, **px), f"{d:%-d %b}") for d in ticks]
        chart.y_ticks = [(rules.score_y(v, **py), v) for v in (0, 2, 4, 6, 8, 10)]
        charts.append(chart)
    return charts
