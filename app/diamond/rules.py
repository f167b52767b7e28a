"""The Diamond's aims, how ratings group into rounds, where raters disagree, and chart geometry.

Pure functions: no database, no HTTP (STYLE.md). The four aims and their order come from the
Diamond model (PRACTICE.md "Diamond model", Eichsteller & Holthoff, ThemPra); the explanations
are Homeward's own plain words, written for a reading age of about nine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

from app import timeutil
from app.i18n import N_


@dataclass(frozen=True)
class Aim:
    key: str
    name: str  # the practice's name, used on workers' screens
    title: str  # the family screens' plain title
    explanation: str
    question: str


AIMS: tuple[Aim, ...] = (
    Aim(
        "wellbeing",
        "Well-being and happiness",
        N_("Feeling happy and well"),
        N_("This is about how you feel most days. Do you feel safe, happy and well, in your body and in your mind?"),
        N_("How happy and well do you feel at the moment?"),
    ),
    Aim(
        "learning",
        "Learning",
        N_("Learning and trying new things"),
        N_(
            "You learn at school, at home and in lots of other places. It is about what you know, how you feel, and what you can do."
        ),
        N_("How is your learning going?"),
    ),
    Aim(
        "relationships",
        "Relationships",
        N_("Getting on with people"),
        N_(
            "This is about the people who matter to you: family, friends and others. Do you get on? Can you count on each other?"
        ),
        N_("How are things with the people who matter to you?"),
    ),
    Aim(
        "empowerment",
        "Empowerment",
        N_("Having a say"),
        N_("This is about having a say in your own life. Do people listen to you? Can you make your own choices?"),
        N_("How much do you feel you have a say?"),
    ),
)
AIM_KEYS = tuple(a.key for a in AIMS)
AIMS_BY_KEY = {a.key: a for a in AIMS}
SCALE = range(0, 11)
LOW_WORDS = N_("Not good at all")
HIGH_WORDS = N_("Really good")
# Where raters' numbers for one aim differ by this much, the case page suggests talking about it.
DISAGREEMENT = 3
# Ratings older than this, compared with the newest on the case, are not set against it.
SAME_REVIEW_DAYS = 42


MAX_GOALS = 3
GOAL_LOW_WORDS = N_("No progress yet")
GOAL_HIGH_WORDS = N_("Fully reached")


def goal_key(goal_id: str) -> str:
    return f"goal:{goal_id}"


def goal_aim(goal_id: str, title: str) -> Aim:
    """A family goal dressed as an aim, so the same screens, tables and charts serve both."""
    return Aim(
        goal_key(goal_id),
        f"Goal: {title}",
        title,
        N_("This is one of your family's goals. 0 means no progress yet. 10 means it is fully reached."),
        N_("How close are you to this goal?"),
    )


# A parent, carer or other adult rates how they see the young person doing, so the chart and the
# conversation compare like with like (PRACTICE.md "Diamond model": each rater rates separately).
ABOUT_THE_YOUNG_PERSON = {
    "wellbeing": (
        N_("This is about how {name} feels most days. Do you think {name} feels safe, happy and well?"),
        N_("How happy and well do you think {name} is?"),
    ),
    "learning": (
        N_(
            "You learn at school, at home and in lots of other places. This is about what {name} knows, feels and can do."
        ),
        N_("How do you think {name}'s learning is going?"),
    ),
    "relationships": (
        N_("This is about the people who matter to {name}. That means family, friends and others."),
        N_("How do you think things are for {name} with the people who matter to them?"),
    ),
    "empowerment": (
        N_("This is about {name} having a say in their own life. Do people listen? Can {name} make choices?"),
        N_("How much do you think {name} has a say?"),
    ),
}


def _same(text: str) -> str:
    return text


def aim_for(aim: Aim, *, rater_is_young_person: bool, young_name: str, gettext=_same) -> Aim:
    """The aim as the family screen asks it of this rater: the young person about themselves,
    anyone else about the young person (a goal is the family's, asked the same of everyone), in
    the screen's language (`gettext`; a goal's title is the family's own words, never translated)."""
    if aim.key not in AIMS_BY_KEY:
        return Aim(aim.key, aim.name, aim.title, gettext(aim.explanation), gettext(aim.question))
    if rater_is_young_person:
        return Aim(aim.key, aim.name, gettext(aim.title), gettext(aim.explanation), gettext(aim.question))
    explanation, question = ABOUT_THE_YOUNG_PERSON[aim.key]
    return Aim(
        aim.key,
        aim.name,
        gettext(aim.title),
        gettext(explanation).format(name=young_name),
        gettext(question).format(name=young_name),
    )


def next_aim(aim: str) -> str | None:
    """The aim after `aim` on the family screens, or None after the last."""
    index = AIM_KEYS.index(aim)
    return AIM_KEYS[index + 1] if index + 1 < len(AIM_KEYS) else None


@dataclass(frozen=True)
class Score:
    rater: str  # "person:<uuid>" or "user:<id>"
    aim: str
    score: int
    rated_on: date
    recorded_at: datetime


@dataclass
class Round:
    """One rater's numbers on one day (a later rating that day supersedes an earlier one)."""

    rated_on: date
    scores: dict[str, int] = field(default_factory=dict)


def given_at(stamp: datetime | None, *, rated_on: date, now: datetime) -> datetime:
    """When a rating was given, which decides which of one day's ratings stands (app/timeutil.py
    `given_at`: the device's stamp, never after now, nor trusted from before the day rated; as
    Signs of Safety's `recorded_at`)."""
    return timeutil.given_at(stamp, on=rated_on, now=now)


def rounds_by_rater(scores: list[Score]) -> dict[str, list[Round]]:
    """Each rater's rounds, oldest first. Of one day's ratings the one given last stands; two
    given at the very same moment, the higher number (as the distance travelled reads them:
    app/outcomes/case_section.py)."""
    latest: dict[tuple[str, date, str], Score] = {}
    for s in scores:
        key = (s.rater, s.rated_on, s.aim)
        if key not in latest or (s.recorded_at, s.score) > (latest[key].recorded_at, latest[key].score):
            latest[key] = s
    by_rater: dict[str, dict[date, Round]] = {}
    for (rater, rated_on, aim), s in latest.items():
        by_rater.setdefault(rater, {}).setdefault(rated_on, Round(rated_on)).scores[aim] = s.score
    return {rater: [days[d] for d in sorted(days)] for rater, days in by_rater.items()}


@dataclass
class DiamondRound:
    """A rater's Diamond as it stood on a day they rated any of the four aims: an aim not answered
    that day carries its most recent earlier number (`carried` says from when); an aim never
    answered is left out, never drawn as 0."""

    rated_on: date
    scores: dict[str, int]
    carried: dict[str, date] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return all(aim in self.scores for aim in AIM_KEYS)

    @property
    def not_rated(self) -> list[str]:
        return [aim for aim in AIM_KEYS if aim not in self.scores]

    def note(self) -> str:
        """What the shape's caption adds: which numbers are from earlier, which were never given."""
        parts = []
        by_day: dict[date, list[str]] = {}
        for aim, day in self.carried.items():
            by_day.setdefault(day, []).append(aim)
        for day in sorted(by_day, reverse=True):
            parts.append(f"{_aim_names(by_day[day])} from {day:%-d %b %Y}")
        if self.not_rated and len(self.not_rated) < len(AIM_KEYS):
            parts.append(f"{_aim_names(self.not_rated)} not rated yet")
        return "; ".join(parts)


def _aim_names(keys: list[str]) -> str:
    names = [AIMS_BY_KEY[k].name for k in AIM_KEYS if k in keys]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def diamond_rounds(rounds: list[Round]) -> list[DiamondRound]:
    """A rater's rounds as Diamonds, oldest first: a round with none of the four aims (goals only)
    is not a Diamond; a missing aim carries its most recent earlier number forward."""
    out: list[DiamondRound] = []
    known: dict[str, tuple[int, date]] = {}
    for rnd in rounds:
        answered = {aim: rnd.scores[aim] for aim in AIM_KEYS if aim in rnd.scores}
        if not answered:
            continue
        known.update((aim, (score, rnd.rated_on)) for aim, score in answered.items())
        out.append(
            DiamondRound(
                rnd.rated_on,
                {aim: known[aim][0] for aim in AIM_KEYS if aim in known},
                {aim: known[aim][1] for aim in AIM_KEYS if aim in known and aim not in answered},
            )
        )
    return out


@dataclass(frozen=True)
class ConversationPoint:
    aim: Aim
    spread: int
    entries: tuple[tuple[str, int], ...]  # (rater, score), highest first


def conversation_points(rounds: dict[str, list[Round]], *, threshold: int = DISAGREEMENT) -> list[ConversationPoint]:
    """Aims where raters' latest numbers differ by `threshold` or more (disagreement is information):
    each rater's latest Diamond as the chart draws it, an aim skipped that day carrying its earlier
    number; a rater who has rated goals only is not among them."""
    latest = {rater: diamonds[-1] for rater, r in rounds.items() if (diamonds := diamond_rounds(r))}
    if not latest:
        return []
    newest = max(d.rated_on for d in latest.values())
    current = {rater: d for rater, d in latest.items() if (newest - d.rated_on).days <= SAME_REVIEW_DAYS}
    points = []
    for aim in AIMS:
        entries = [(rater, rnd.scores[aim.key]) for rater, rnd in current.items() if aim.key in rnd.scores]
        if len(entries) < 2:
            continue
        values = [score for _, score in entries]
        spread = max(values) - min(values)
        if spread >= threshold:
            points.append(ConversationPoint(aim, spread, tuple(sorted(entries, key=lambda e: -e[1]))))
    return points


# ---- chart geometry -------------------------------------------------------------------------
# Colour is never the only cue (STYLE.md, WCAG 1.4.1): each rater also has its own dash pattern
# and marker shape, repeated in the legend. Colours keep 3:1 contrast on white (WCAG 1.4.11).
PALETTE = ("#1d4f63", "#a34400", "#6a3d9a", "#0b6e4f", "#8a1c4a", "#4a585e")
DASHES = ("", "10 5", "3 4", "14 4 3 4", "6 3", "1 3")
# Six raters, six marker shapes: three people with similar numbers stay apart by shape (issue 18).
MARKERS = ("circle", "square", "triangle", "diamond", "triangle_down", "cross")


@dataclass(frozen=True)
class Look:
    colour: str
    dash: str
    marker: str

    @property
    def legend_path(self) -> str:
        """The rater's marker as drawn in the legend's 44×16 key."""
        return marker_path(self.marker, 22, 8, 5)


def look(index: int) -> Look:
    i = index % len(PALETTE)
    return Look(PALETTE[i], DASHES[i], MARKERS[i])


def marker_path(shape: str, x: float, y: float, size: float = 6) -> str:
    """An SVG path for a marker centred on (x, y)."""
    s = size
    if shape == "square":
        return f"M{x - s:.1f},{y - s:.1f}h{2 * s:.1f}v{2 * s:.1f}h{-2 * s:.1f}z"
    if shape == "triangle":
        return f"M{x:.1f},{y - s * 1.2:.1f}L{x + s * 1.1:.1f},{y + s * 0.8:.1f}L{x - s * 1.1:.1f},{y + s * 0.8:.1f}z"
    if shape == "triangle_down":
        return f"M{x:.1f},{y + s * 1.2:.1f}L{x + s * 1.1:.1f},{y - s * 0.8:.1f}L{x - s * 1.1:.1f},{y - s * 0.8:.1f}z"
    if shape == "cross":
        t = s * 0.4
        return (
            f"M{x - t:.1f},{y - s:.1f}h{2 * t:.1f}v{s - t:.1f}h{s - t:.1f}v{2 * t:.1f}h{t - s:.1f}v{s - t:.1f}"
            f"h{-2 * t:.1f}v{t - s:.1f}h{t - s:.1f}v{-2 * t:.1f}h{s - t:.1f}z"
        )
    if shape == "diamond":
        return (
            f"M{x:.1f},{y - s * 1.3:.1f}L{x + s * 1.3:.1f},{y:.1f}L{x:.1f},{y + s * 1.3:.1f}L{x - s * 1.3:.1f},{y:.1f}z"
        )
    return f"M{x - s:.1f},{y:.1f}a{s:.1f},{s:.1f} 0 1,0 {2 * s:.1f},0a{s:.1f},{s:.1f} 0 1,0 {-2 * s:.1f},0"


# The Diamond's corners, clockwise from the top: well-being at the top, as the overarching aim.
ANGLES = {"wellbeing": -90.0, "learning": 0.0, "relationships": 90.0, "empowerment": 180.0}


def diamond_point(aim: str, score: float, *, cx: float, cy: float, radius: float) -> tuple[float, float]:
    angle = math.radians(ANGLES[aim])
    r = radius * max(0.0, min(10.0, score)) / 10
    return (cx + r * math.cos(angle), cy + r * math.sin(angle))


def diamond_polygon(scores: dict[str, int], *, cx: float, cy: float, radius: float) -> list[tuple[float, float]]:
    """The shape's corners, for the four aims' numbers (a shape needs all four: see DiamondRound)."""
    return [diamond_point(aim, scores[aim], cx=cx, cy=cy, radius=radius) for aim in AIM_KEYS]


def dodge(index: int, count: int, *, step: float = 7.0) -> float:
    """How far to nudge rater `index` of `count` sideways so equal numbers do not hide each other."""
    return (index - (count - 1) / 2) * step if count > 1 else 0.0


def dodged_point(aim: str, score: float, offset: float, *, cx: float, cy: float, radius: float) -> tuple[float, float]:
    """A marker's place: on the aim's axis at `score`, moved `offset` across the axis."""
    x, y = diamond_point(aim, score, cx=cx, cy=cy, radius=radius)
    angle = math.radians(ANGLES[aim])
    return (x - offset * math.sin(angle), y + offset * math.cos(angle))


def points_attr(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def time_x(day: date, *, first: date, last: date, left: float, width: float) -> float:
    """Where `day` falls on a time axis from `first` to `last` (the middle when they are equal)."""
    span = (last - first).days
    if span <= 0:
        return left + width / 2
    return left + width * (day - first).days / span


def score_y(score: float, *, top: float, height: float) -> float:
    return top + height * (10 - score) / 10
