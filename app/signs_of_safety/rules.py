"""Pure rules of the Signs of Safety map: labels, scale anchors, writing help, chart geometry.

All wording here is Homeward's own (PRACTICE.md "Licensing"): it follows the public structure of
the approach, never its published forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.cases.models import PracticeContext
from app.i18n import N_
from app.signs_of_safety.models import Category, RaterRole
from app.timeutil import device_time, local

# Good practice is about three statement pairs; beyond this many we warn, never refuse.
PAIR_WARNING_ABOVE = 5


@dataclass(frozen=True)
class Labels:
    statement: str  # "Danger statement" / "Worry statement"
    goal: str  # "Safety goal" / "Wellbeing goal" / "Success goal"
    pair: str  # "Danger statement and safety goal"
    goals_heading: str
    scale_question: str


def labels(practice_context: str) -> Labels:
    """The map's words for a case's practice context (PRACTICE.md: labels change with context)."""
    if practice_context == PracticeContext.cp:
        statement, goal = "Danger statement", "Safety goal"
    elif practice_context == PracticeContext.cla:
        statement, goal = "Worry statement", "Success goal"
    else:  # early help and child in need work with worries and wellbeing
        statement, goal = "Worry statement", "Wellbeing goal"
    return Labels(
        statement=statement,
        goal=goal,
        pair=f"{statement} and {goal.lower()}",
        goals_heading=f"{goal}s",
        scale_question="safe" if practice_context == PracticeContext.cp else "well",
    )


COLUMNS = [
    ("worried", "What are we worried about?", [Category.harm, Category.pair, Category.complicating]),
    ("working", "What's working well?", [Category.strength, Category.existing_safety]),
    ("next", "What needs to happen?", [Category.next_step]),
]
SAFETY_PLAN = [Category.rule, Category.red_flag, Category.non_negotiable]


def category_label(category: str, practice_context: str) -> str:
    names = {
        Category.harm: "What has happened (harm)",
        Category.pair: labels(practice_context).pair,
        Category.complicating: "What makes it harder (complicating factors)",
        Category.strength: "Strengths",
        Category.existing_safety: "Existing safety",
        Category.next_step: "Next steps",
        Category.rule: "Rules",
        Category.red_flag: "Red flags",
        Category.non_negotiable: "Non-negotiables",
    }
    return names[Category(category)]


ADD_LABELS = {
    Category.harm: "Add harm",
    Category.complicating: "Add a complicating factor",
    Category.strength: "Add a strength",
    Category.existing_safety: "Add existing safety",
    Category.next_step: "Add a next step",
    Category.rule: "Add a rule",
    Category.red_flag: "Add a red flag",
    Category.non_negotiable: "Add a non-negotiable",
}


def add_label(category: str, practice_context: str) -> str:
    """The words on a category's add button: "Add a strength", "Add a danger statement"."""
    if category == Category.pair:
        return f"Add a {labels(practice_context).statement.lower()}"
    return ADD_LABELS[Category(category)]


CATEGORY_HINTS = {
    Category.harm: "Something that has actually happened: what, when, and how it affected the young person.",
    Category.complicating: "What makes the worries harder to sort out, including what professionals do.",
    Category.strength: "Something that happens most days and meets the young person's needs.",
    Category.existing_safety: "Something people have done to keep the young person safe when the worry was there.",
    Category.next_step: "A small step towards the goals: what, who does it, by when.",
    Category.rule: "What will happen, who makes sure, and how everyone will know it is kept.",
    Category.red_flag: "A sign that things are going wrong, who notices and acts, and what they do.",
    Category.non_negotiable: "Something that must happen (or must not) whatever else changes.",
}

STATEMENT_HELP = [
    "Who is worried?",
    "About what exactly: what people do or do not do, not a label.",
    "What could happen to the young person if nothing changes?",
]

# Labels that hide what actually happens; each maps to a prompt to describe the behaviour instead.
JARGON = {
    "neglect": "what the young person goes without, and how often",
    "domestic abuse": "what happens between the adults and what the young person sees or hears",
    "domestic violence": "what happens between the adults and what the young person sees or hears",
    "substance misuse": "what is used, when, and what the adult is like with the young person then",
    "mental health": "what the person does or feels, and what the young person notices",
    "poor parenting": "what the parent does or does not do on an ordinary day",
    "risky behaviour": "where the young person goes, with whom, and what happens there",
    "disengaged": "which appointments or visits were missed, and what the family said",
    "cse": "who the young person meets, where, and what has happened",
    "volatile": "what is said or done when things get heated",
}


def jargon_hints(text: str) -> list[str]:
    """Plain-words prompts for any label found in `text` (a hint, never a refusal)."""
    lowered = text.lower()
    return [
        f"\u201c{word}\u201d is a label: try describing {prompt}."
        for word, prompt in JARGON.items()
        if re.search(rf"\b{re.escape(word)}\b", lowered)
    ]


def recorded_at(raw: str, *, now: datetime, max_age_days: int = 30) -> datetime:
    """When a rating was really given: the tablet's time stamp if plausible, else `now`.

    Ratings made offline reach the server when the outbox replays, maybe days later; the chart
    must show them on the day of the visit. A stamp in the future or too old is not trusted.
    """
    stamp = device_time(raw)
    if stamp is None:
        return now
    if stamp > now + timedelta(minutes=5) or stamp < now - timedelta(days=max_age_days):
        return now
    # A tablet's clock a few minutes fast is tolerated, but never stored as a time still to come:
    # a turn's private words are told apart by when they were written against Homeward's own
    # clock (app/family/screens.py `private_words_since`).
    return min(stamp, now).astimezone(now.tzinfo)


def shared_worry(pair, person) -> str:
    """What a family member's screen says of a statement pair (PRACTICE.md: the safety network is
    the people who know the worries; worries are shared with others deliberately).

    The statement itself if they know the worries; else the worker's family version of it; else
    the goal only, so nobody learns of a worry (exploitation, harm) from a tablet screen.
    """
    if person.knows_the_worries:
        return pair.text
    if pair.family_text:
        return pair.family_text
    return f"Our goal: {pair.goal}" if pair.goal else "Our goal together"


def too_many_pairs(count: int) -> bool:
    return count > PAIR_WARNING_ABOVE


# The ends of the 0-10 scale, in Homeward's own words, for each kind of rater and context.
def anchors(*, rater_role: str, practice_context: str) -> tuple[str, str]:
    """(what 0 means, what 10 means) for this rater, stored on every rating they give."""
    if rater_role == RaterRole.young_person:
        return (
            N_("Things at home are as bad and scary as they could be."),
            N_("Things at home are good and I feel safe and happy there."),
        )
    if rater_role == RaterRole.parent_carer:
        return (
            N_("Things are at their very worst for our family."),
            N_("I am the parent or carer I want to be. The worries have gone."),
        )
    if practice_context == PracticeContext.cp:
        return (
            N_("The young person cannot safely live at home as things are."),
            N_("Everyone agrees the young person is safe enough for us to close the case."),
        )
    if practice_context == PracticeContext.cla:
        return (
            N_("Nothing has changed yet; the plan for the young person cannot move on."),
            N_("Everyone agrees the plan is working well enough for us to step back."),
        )
    return (
        N_("Things are as bad as they could be for the young person."),
        N_("Everyone agrees things are good enough for our help to end."),
    )


# The overall question asked in the family's own terms rather than the professionals'.
FAMILY_OVERALL_QUESTION = {
    RaterRole.young_person: N_("How are things at home for you right now?"),
    RaterRole.parent_carer: N_("How are things for your family right now?"),
}

PARENT_WORDS = ("mother", "father", "mum", "dad", "parent", "stepmother", "stepfather", "carer", "guardian", "foster")


def rater_role_for(*, relationship: str, is_young_person: bool) -> RaterRole:
    """How a Person of the case rates: the young person, a parent or carer, or the network."""
    if is_young_person:
        return RaterRole.young_person
    lowered = relationship.lower()
    if any(word in lowered for word in PARENT_WORDS):
        return RaterRole.parent_carer
    return RaterRole.network_member


RATER_ROLE_LABELS = {
    RaterRole.young_person: "Young person",
    RaterRole.parent_carer: "Parent or carer",
    RaterRole.network_member: "Network member",
    RaterRole.key_worker: "Key worker",
    RaterRole.supervisor: "Supervisor",
}


@dataclass(frozen=True)
class ScoreTable:
    raters: list[str]
    rows: list[tuple[date, list[list[int]]]]  # one row per day; each rater's scores that day, in order


def score_table(series: dict[str, list[tuple[datetime, int]]]) -> ScoreTable:
    """The chart's numbers as a table: a row per day of rating, a column per rater."""
    raters = sorted(series)
    by_day: dict[date, dict[str, list[int]]] = {}
    for rater in raters:
        for at, score in sorted(series[rater]):
            by_day.setdefault(local(at).date(), {}).setdefault(rater, []).append(score)
    return ScoreTable(raters=raters, rows=[(day, [by_day[day].get(r, []) for r in raters]) for day in sorted(by_day)])


# --- Scale history chart (server-rendered SVG) -------------------------------------------------


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    score: int
    at: datetime


@dataclass(frozen=True)
class ChartLine:
    rater: str
    points: list[ChartPoint]
    marker: str  # circle, square, triangle, diamond: lines differ by shape, not colour alone
    colour: str
    dash: str

    @property
    def path(self) -> str:
        return " ".join(f"{'M' if i == 0 else 'L'}{p.x:.1f},{p.y:.1f}" for i, p in enumerate(self.points))


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    lines: list[ChartLine]
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]


MARKERS = ["circle", "square", "triangle", "diamond", "circle", "square", "triangle", "diamond"]
COLOURS = ["#1d4f63", "#b04a00", "#0b6e4f", "#6a2c91", "#8a1538", "#3a5a00", "#004c99", "#5c4a00"]
DASHES = ["", "6 4", "2 4", "10 4 2 4", "", "6 4", "2 4", "10 4 2 4"]


def chart(series: dict[str, list[tuple[datetime, int]]], *, width: int = 640, height: int = 280) -> Chart:
    """Geometry of a 0-10 line chart: one line per rater, x spaced by the day of each rating.

    Ratings are taken at reviews, so the day is what matters; the legend is HTML beside it.
    """
    left, top, right, bottom, pad = 36, 14, 16, 36, 18
    plot_w, plot_h = width - left - right, height - top - bottom
    # The day a rating was given where it was given (a stored time is UTC: 00:30 in June is the day before).
    days = sorted({local(at).date() for points in series.values() for at, _ in points})
    span = (days[-1] - days[0]).days if days else 0

    def x_of(at: datetime) -> float:
        if span == 0:
            return left + plot_w / 2
        return left + pad + (plot_w - 2 * pad) * (local(at).date() - days[0]).days / span

    def y_of(score: int) -> float:
        return top + plot_h * (10 - score) / 10

    lines = []
    for index, (rater, points) in enumerate(sorted(series.items())):
        ordered = sorted(points)
        lines.append(
            ChartLine(
                rater=rater,
                points=[ChartPoint(x=x_of(at), y=y_of(score), score=score, at=at) for at, score in ordered],
                marker=MARKERS[index % len(MARKERS)],
                colour=COLOURS[index % len(COLOURS)],
                dash=DASHES[index % len(DASHES)],
            )
        )
    # Label at most six days, always the first and the last, never two on top of each other.
    step = max(1, -(-len(days) // 6))
    shown = days[::step]
    if days and shown[-1] != days[-1]:
        too_close = len(shown) > 1 and (days[-1] - shown[-1]).days < span / 8
        shown = [*shown[:-1], days[-1]] if too_close else [*shown, days[-1]]
    x_ticks = [(x_of(datetime.combine(day, datetime.min.time())), day.strftime("%-d %b")) for day in shown]
    y_ticks = [(y_of(score), score) for score in range(0, 11, 2)]
    return Chart(
        width=width,
        height=height,
        left=left,
        top=top,
        plot_width=plot_w,
        plot_height=plot_h,
        lines=lines,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
    )
