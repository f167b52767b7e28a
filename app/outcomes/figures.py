"""The scorecard as rows a person reads: label, this period, previous period, with small numbers withheld."""

from __future__ import annotations

from dataclasses import dataclass

from app.cases.models import CLOSURE_REASONS
from app.endings.models import ENDING_CLOSURE_REASONS
from app.outcomes import charts, rules
from app.outcomes.breakdowns import BREAKDOWN_LABELS, BREAKDOWNS
from app.outcomes.card import Pair, Scorecard
from app.outcomes.models import POINTS

REASONS = (
    dict(CLOSURE_REASONS)
    | dict(ENDING_CLOSURE_REASONS)
    | {
        "to_dormant": "To dormant (no closure reason asked: the case stays open)",
        "not_given": "Reason not given",
    }
)


@dataclass(frozen=True)
class Line:
    label: str
    now: str
    before: str


def _count(label: str, pair: Pair) -> Line:
    return Line(label, rules.shown(pair.now), rules.shown(pair.before))


def _share(label: str, part: Pair, whole: Pair) -> Line:
    return Line(label, rules.share(part.now, whole.now), rules.share(part.before, whole.before))


def headline(card: Scorecard) -> list[Line]:
    """The main figures, in the order a manager reads them."""
    lines = [
        _count("Young people worked with", card.worked_with),
        _count("Referrals received", card.referrals),
        _count("Screened for eligibility", card.screened),
        _share("Found eligible (of those screened)", card.eligible, card.screened),
        _count("Eligibility decided against the criteria (overridden)", card.overridden),
        _share(
            "First contact within the target (of those contacted)", card.first_contacts_on_target, card.first_contacts
        ),
        _count("Contacts recorded", card.contacts),
        _share("Share of recorded time spent with families", card.direct_minutes, card.recorded_minutes),
        _count("Ended to dormant", card.endings.get("dormant", Pair())),
        _count("Closed at ending", card.endings.get("closed", Pair())),
    ]
    for point in ("ending", "follow_up_6", "follow_up_12"):
        at, of = card.at_home.get(point, (Pair(), Pair()))
        lines.append(_share(f"At home: {dict(POINTS)[point].lower()}", at, of))
    lines += [
        # Records made in the period; "Entered care within 12 months of ending" below follows the
        # young people whose work ended in the period instead (a manager read the two as one).
        _count("Recorded in care in the period (at ending, a follow-up or the care-status import)", card.entered_care),
        _count("In care with a known start date", card.care_days_known),
        _count("Reactivated from dormant (no new referral)", card.reactivations),
        _count("Re-referrals (closed cases reopened)", card.re_referrals),
    ]
    return lines


def caseload(card: Scorecard) -> str:
    if card.mean_caseload is None:
        return "no active cases"
    if 0 < card.active_now < rules.SMALL:
        # The mean beside a withheld count gives it back (one worker's mean is their count).
        return f"{rules.shown(card.active_now)} active cases"
    return f"{card.mean_caseload:.1f} active cases per worker ({rules.shown(card.active_now)} cases)"


def days_dormant(card: Scorecard) -> str:
    quartiles = card.days_dormant_quartiles()
    total = sum(n for _, n in card.days_dormant)
    if quartiles is None:
        return "no reactivations in the period"
    if total < rules.SMALL:
        return "fewer than 5 reactivations"
    low, median, high = quartiles
    return f"median {median} days (half between {low} and {high})"


def days_in_care(card: Scorecard) -> str:
    total = sum(n for _, n in card.days_in_care)
    if not total:
        return "none known in the period"
    if total < rules.SMALL:
        return "fewer than 5 young people with a known start date"
    low, median, high = card.days_in_care_quartiles()
    return f"median {median} days (half between {low} and {high}), for {total} young people"


def feedback_rows(card: Scorecard) -> list[Line]:
    """Per perspective: responses, and the share of scored answers that were good or very good."""
    return [
        Line(f"{f.perspective}: responses", rules.shown(f.responses.now), rules.shown(f.responses.before))
        for f in card.feedback
    ] + [_share(f"{f.perspective}: answers good or very good", f.good, f.answers) for f in card.feedback]


def shown_rows(rows: list[tuple[str, int, int]], groups: list[list[int]] | None = None) -> list[tuple[str, str, str]]:
    """Rows of (label, this period, previous period) whose columns add up to published totals, as a
    manager may share them: small counts and the count that would give one away withheld. `groups`:
    rows adding up to totals of their own (rules.withheld_in_groups)."""
    now = rules.shown_all([n for _, n, _ in rows], groups)
    before = rules.shown_all([b for _, _, b in rows], groups)
    return [(label, now[i], before[i]) for i, (label, _, _) in enumerate(rows)]


def _ending_codes(card: Scorecard) -> list[str]:
    return [code for code in card.endings if code not in ("dormant", "closed")]


def endings_by_reason(card: Scorecard) -> list[tuple[str, int, int]]:
    return [
        (REASONS.get(code, code), card.endings[code].now, card.endings[code].before) for code in _ending_codes(card)
    ]


def endings_groups(card: Scorecard) -> list[list[int]]:
    """The endings' rows as the headline totals them: "to dormant" is "Ended to dormant" on its own,
    and the closure reasons add up to "Closed at ending", so each is protected against its own total."""
    codes = _ending_codes(card)
    dormant = [i for i, code in enumerate(codes) if code == "to_dormant"]
    return [group for group in (dormant, [i for i in range(len(codes)) if i not in dormant]) if group]


def shown_endings(card: Scorecard) -> list[tuple[str, str, str]]:
    return shown_rows(endings_by_reason(card), endings_groups(card))


def endings_chart(card: Scorecard) -> charts.BarChart:
    return charts.period_bars("Endings by reason", endings_by_reason(card), groups=endings_groups(card))


def breakdown_rows(card: Scorecard) -> list[tuple[str, int, int]]:
    labels = BREAKDOWN_LABELS[card.breakdown]
    return [(labels.get(code, code), pair.now, pair.before) for code, pair in card.by_group]


def _in_order(card: Scorecard, codes) -> list[str]:
    order = list(BREAKDOWN_LABELS[card.breakdown])
    return sorted(set(codes), key=lambda c: order.index(c) if c in order else len(order))


def home_by_group(card: Scorecard) -> list[Line]:
    """At home at the end of the work (of those whose home was known), per group of the breakdown."""
    labels = BREAKDOWN_LABELS[card.breakdown]
    return [_share(labels.get(code, code), *card.home_by_group[code]) for code in _in_order(card, card.home_by_group)]


def care_by_group(card: Scorecard) -> list[Line]:
    """Entered care per group: the groups add up to the headline's total, so a small group is
    withheld with the next smallest (one hidden count would be the total less the others)."""
    labels = BREAKDOWN_LABELS[card.breakdown]
    codes = _in_order(card, card.care_by_group)
    now = rules.shown_all([card.care_by_group[code].now for code in codes])
    before = rules.shown_all([card.care_by_group[code].before for code in codes])
    return [Line(labels.get(code, code), now[i], before[i]) for i, code in enumerate(codes)]


def breakdown_chart(card: Scorecard) -> charts.BarChart:
    title = f"Young people worked with by {by_words(card.breakdown)}"
    return charts.period_bars(title, breakdown_rows(card))


def change_line(change) -> Line:
    """Distance travelled for one rater as shown: pairs, mean change, improved / same / worse."""
    if change.pairs < rules.SMALL:
        return Line(change.rater, "fewer than 5", "")
    mean = f"{change.mean_change:+.1f}" if change.mean_change is not None else "none"
    split = ", ".join(
        f"{rules.share(n, change.pairs)} {word}"
        for n, word in ((change.improved, "improved"), (change.same, "the same"), (change.worse, "worse"))
    )
    return Line(change.rater, f"{change.pairs} (mean change {mean})", split)


@dataclass(frozen=True)
class Matrix:
    """A table of a figure by the breakdown's group: a heading per column, rows of words already withheld."""

    caption: str
    head: list[str]
    rows: list[list[str]]


def _group_label(card: Scorecard, code: str) -> str:
    return BREAKDOWN_LABELS[card.breakdown].get(code, code)


def by_words(breakdown: str) -> str:
    """The breakdown's name inside a sentence: "age band", "prior CIN, CP or CLA"."""
    name = dict(BREAKDOWNS)[breakdown]
    return name[:1].lower() + name[1:]


def _by(card: Scorecard) -> str:
    return by_words(card.breakdown)


def contacts_rows(card: Scorecard) -> list[tuple[str, int, int]]:
    """Contacts recorded (attended or not) per group of the breakdown."""
    return [
        (_group_label(card, code), card.contacts_by_group[code].now, card.contacts_by_group[code].before)
        for code in _in_order(card, card.contacts_by_group)
    ]


def contacts_chart(card: Scorecard) -> charts.BarChart:
    return charts.period_bars(f"Contacts by {_by(card)}", contacts_rows(card))


def ending_columns(card: Scorecard) -> list[tuple[str, str]]:
    """The kinds of ending seen in either period, in the order the ending form gives them."""
    seen = {key for kinds in card.endings_by_group.values() for key in kinds}
    kinds = [("dormant", "To dormant"), ("closed", "Closed"), *REASONS.items()]
    return [(code, label) for code, label in kinds if code in seen]


def _column(counts: list[int]) -> list[str]:
    return rules.shown_all(counts)


def _endings_cells(card: Scorecard) -> tuple[list[str], list[tuple[str, str]], dict[tuple[int, str], str]]:
    """Endings in the period per group as shown: the groups, the columns, and (row, kind) -> words."""
    # "To dormant" once: the reason "to dormant" is the same count as the column beside it.
    columns = [(kind, label) for kind, label in ending_columns(card) if kind != "to_dormant"]
    reasons = [kind for kind, _ in columns if kind not in ("dormant", "closed")]
    codes = _in_order(card, card.endings_by_group)
    kinds = [card.endings_by_group[code] for code in codes]
    every = ["all", "dormant", "closed", *reasons]
    counts = {(r, kind): k.get(kind, Pair()).now for r, k in enumerate(kinds) for kind in every}
    # In each row all = to dormant + closed, and closed = its reasons; each column adds up to a
    # total in the headline or the endings by reason. Protected together, so no hidden count is
    # a difference of shown ones (until December 2026 "to dormant" went with the closure reasons,
    # and "closed" less the shown reasons gave a small one back).
    rows = range(len(kinds))
    lines = [[(r, "all"), (r, "dormant"), (r, "closed")] for r in rows]
    lines += [[(r, "closed")] + [(r, kind) for kind in reasons] for r in rows]
    lines += [[(r, "all"), (r, "dormant")] + [(r, kind) for kind in reasons] for r in rows]
    lines += [[(r, kind) for r in rows] for kind in every]
    hidden = rules.withheld_lines(counts, lines)
    return codes, columns, {cell: rules.shown_cell(n, cell in hidden) for cell, n in counts.items()}


def endings_by_group(card: Scorecard) -> Matrix:
    """Endings in the period per group: all, to dormant or closed and by reason; then all in the previous period."""
    codes, columns, cells = _endings_cells(card)
    before_all = _column([card.endings_by_group[code]["all"].before for code in codes])
    rows = [
        [_group_label(card, code), cells[(r, "all")]] + [cells[(r, kind)] for kind, _ in columns] + [before_all[r]]
        for r, code in enumerate(codes)
    ]
    head = [dict(BREAKDOWNS)[card.breakdown], "All endings"] + [label for _, label in columns]
    return Matrix(f"Endings in this period by reason and {_by(card)}", head + ["All endings, previous period"], rows)


def endings_group_chart(card: Scorecard) -> charts.BarChart:
    codes, _, cells = _endings_cells(card)
    rows = [
        (_group_label(card, code), card.endings_by_group[code]["all"].now, card.endings_by_group[code]["all"].before)
        for code in codes
    ]
    # No bar of its own length for a group's endings the table withholds.
    hidden = {r for r in range(len(codes)) if cells[(r, "all")] == rules.WITHHELD}
    return charts.period_bars(f"Endings by {_by(card)}", rows, hidden_now=hidden)


def distance_by_group(card: Scorecard, which: str) -> Matrix:
    """Distance travelled (Diamond aims or the safety scale) per group and rater, as change_line shows it."""
    found = card.diamond_by_group if which == "diamond" else card.scales_by_group
    name = "Diamond aims" if which == "diamond" else "Safety scale"
    # Each rater's pairs across the groups add up to the rater's line shown without a breakdown:
    # a group hidden alone would be that total less the others, so the next smallest goes too.
    hidden: set[int] = set()
    for rater in {change.rater for _, change in found}:
        mine = [i for i, (_, change) in enumerate(found) if change.rater == rater]
        hidden |= {mine[j] for j in rules.withheld([found[i][1].pairs for i in mine])}
    rows = []
    for i, (code, change) in enumerate(found):
        line = change_line(change)
        if i in hidden and change.pairs >= rules.SMALL:
            line = Line(change.rater, rules.WITHHELD, "")
        rows.append([_group_label(card, code), line.label, line.now, line.before])
    head = [dict(BREAKDOWNS)[card.breakdown], "Rater", "First and latest pairs", "Improved, same, worse"]
    return Matrix(f"{name}: first against latest by {_by(card)}", head, rows)


def distance_chart(card: Scorecard) -> charts.BarChart:
    """Diamond pairs improved and worse per group, every rater together."""
    totals: dict[str, list[int]] = {}
    for code, change in card.diamond_by_group:
        sums = totals.setdefault(code, [0, 0])
        sums[0] += change.improved
        sums[1] += change.worse
    rows = [(_group_label(card, code), *totals[code]) for code in _in_order(card, totals)]
    return charts.period_bars(
        f"Diamond aims improved and worse by {_by(card)}", rows, legend=("Improved", "Worse"), period=False
    )


CARE_ANSWERS = [("yes", "Entered care"), ("no", "Did not enter care"), ("not_known", "Not known yet")]


def care_within_12(card: Scorecard) -> list[Line]:
    """Entered care within 12 months of ending: yes, no, not known, and the share of those known."""
    get = card.care_within_12.get
    yes, no = get("yes", Pair()), get("no", Pair())
    known = Pair(yes.now + no.now, yes.before + no.before)
    now = _column([get(code, Pair()).now for code, _ in CARE_ANSWERS])
    before = _column([get(code, Pair()).before for code, _ in CARE_ANSWERS])
    # A share beside a hidden yes or no would give it back (as in the table by group).
    share = _share("Entered care, of those whose 12 months are known", yes, known)
    hidden = {rules.WITHHELD, "fewer than 5"}

    def kept(said: str, counts: list[str]) -> str:
        return rules.WITHHELD if said.endswith("%") and {counts[0], counts[1]} & hidden else said

    share = Line(share.label, kept(share.now, now), kept(share.before, before))
    return [Line(label, now[i], before[i]) for i, (_, label) in enumerate(CARE_ANSWERS)] + [share]


def care_within_12_by_group(card: Scorecard) -> Matrix:
    codes = _in_order(card, card.care_within_12_by_group)
    answers = [card.care_within_12_by_group[code] for code in codes]
    table = [[a.get(answer, Pair()).now for answer, _ in CARE_ANSWERS] for a in answers]
    hidden = rules.withheld_table(table)
    rows = []
    for r, code in enumerate(codes):
        yes, no = answers[r].get("yes", Pair()), answers[r].get("no", Pair())
        # A share beside a hidden yes or no would give it back.
        share_now = rules.WITHHELD if {(r, 0), (r, 1)} & hidden else rules.share(yes.now, yes.now + no.now)
        rows.append(
            [_group_label(card, code)]
            + [rules.shown_cell(v, (r, c) in hidden) for c, v in enumerate(table[r])]
            + [share_now, rules.share(yes.before, yes.before + no.before)]
        )
    head = [dict(BREAKDOWNS)[card.breakdown]] + [label for _, label in CARE_ANSWERS]
    head += ["Entered care, of those known", "Previous period, of those known"]
    return Matrix(f"Entered care within 12 months of ending, this period, by {_by(card)}", head, rows)


def care_within_12_chart(card: Scorecard) -> charts.BarChart:
    rows = [
        (label, card.care_within_12.get(code, Pair()).now, card.care_within_12.get(code, Pair()).before)
        for code, label in CARE_ANSWERS
    ]
    return charts.period_bars("Entered care within 12 months of ending", rows)
