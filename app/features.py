"""The feature contract: what a feature package adds to Homeward, declared in one place.

Each feature package has a `feature.py` exporting one `Feature`; `app/main.py` lists those objects,
so a typo or a missing hook is an import error at start-up, never a silent skip. The platform and
the shared services (the case page, review, oversight, "Take offline", the demo) read the features
through `installed()`, so they never import a feature (docs/architecture.md). Datasette's named
plugin hooks are the model: https://docs.datasette.io/en/stable/plugin_hooks.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from sqlalchemy import bindparam, literal, true
from sqlmodel import Session, select

from app.config import Settings
from app.db import read_columns

Sections = list[tuple[str, str]]


@dataclass(frozen=True)
class CaseSection:
    """A part of the case page: `context(*, session, case, actor) -> dict` read by `template` as `section`.

    The context must use a constant number of queries (aggregate in SQL) so the case page stays fast
    however long the case. A section whose template renders nothing is left out, with its jump link.
    """

    template: str
    context: Callable[..., dict]
    # The link in "Jump to a part of this page"; None: the part shows but gets no link.
    jump_label: str | None = None
    # (section context, case) -> the few words after the part's name on its closed `<summary>` line,
    # what a worker uses at a glance ("latest average: young person 6, worker 5 · 3 days ago").
    # A pure function of what the context already loaded: no queries of its own.
    glance: Callable[[dict, Any], str] | None = None


@dataclass(frozen=True)
class ToDo:
    """Something the case page's "Needs doing" lists: a task with a date, a flag, a returned item.

    `kind` is "task" (shown when overdue or due soon), "flag" (why oversight flags the case, in
    words), "returned" (work a supervisor sent back) or "waiting" (work waiting for approval). `key` lets the case page find a known item
    (the dormant review's date for the header)."""

    kind: str
    title: str
    due_on: date | None = None
    url: str | None = None
    who: str = ""
    source: str = ""
    key: str = ""


@dataclass(frozen=True)
class ReviewKind:
    """An item a supervisor can review: how to show a submitted version, and what approving does."""

    key: str
    label: str
    # (session, submission) -> the submitted version as [(section name, text)]; "what changed" is
    # worked out by the review service from two versions' sections.
    sections: Callable[[Session, Any], Sections]
    # (submission) -> where the worker works on the item
    url: Callable[[Any], str]
    # True when the worker resubmits from the review screen (the item itself cannot change, e.g.
    # final meeting notes that take corrections as addenda); False when a new version of the item
    # is submitted from the item's own page.
    resubmit_here: bool = False
    # (session, submission) -> bool: decides resubmit_here per submission when the kind has both
    # (an ending already made is resubmitted here; one awaiting approval is made again on its form).
    resubmits_here: Callable[[Session, Any], bool] | None = None
    # (session, submission, actor, rationale) -> None: approving does more than record the decision
    # (a reopen request reopens the case) and records the decision itself; raises Refused.
    approve: Callable[..., None] | None = None
    # What the supervisor is told approving does, beside the Approve button.
    approve_hint: str = ""
    # What a returned item's worker does next, after the link to the item (not for resubmit_here).
    returned_hint: str = "your next change starts a new version, then submit it for review again"
    # (session, item ids) -> the items no longer waiting on the worker (withdrawn, approved another
    # way), so a returned version of them leaves the worker's "Returned to you".
    settled: Callable[[Session, list[str]], set[str]] | None = None


# (scope) -> a select whose first column is the case id, with at most one row per case in scope
# (a grouped aggregate, or the case's one current row), e.g. each case's last attended contact.
Figures = Callable[["FlagScope"], Any]


@dataclass
class FlagScope:
    """What every oversight flag rule is given: the open cases of the teams on the dashboard."""

    session: Session
    settings: Settings
    today: date
    now: datetime
    team_ids: list[int]
    # Open cases (referred, screening, active, dormant) of those teams: on dashboards and team cases
    # plain rows of the columns the rules read (app.cases.flags.ListedCase, issue 21), on one case's
    # page its `Case`; a rule reads only what ListedCase has (add a column there if it needs one).
    cases: list
    # SQL condition "the case is one of these teams'", for rules that aggregate by case.
    in_scope: Any = None
    # What the rules already read, by figures' name (e.g. "contacts"), so rules share a read.
    shared: dict = field(default_factory=dict)

    def figures(self, name: str, query: Figures) -> dict[int, Any]:
        """The rows of `query(self)` by case id, read once per scope under `name` (or all at once
        for one case by `read_one_case`)."""
        if name not in self.shared:
            self.shared[name] = {row[0]: row for row in read_columns(self.session, query(self), {}).all()}
        return self.shared[name]

    def since(self, delta: timedelta) -> Any:
        """`now - delta`, for a figure's query that reads "the last four weeks" up to the instant:
        ask this rather than computing from `now`, so that the case page's one statement, built
        once (`read_one_case`), takes the instant as a bound parameter of each view."""
        return self.now - delta

    def read_one_case(self, case_id: int, rules: Iterable[FlagRule], *, case_id_column: Any) -> None:
        """Read every figure `rules` declare for the one case `case_id` in ONE statement (the case
        page's "Needs doing", issue 21: a statement per figure was a sixth of a first view): each
        figure's select, filtered to that case, is joined to a one-row base, and whether it found a
        row tells "no row" from a row of NULLs, so `figures` then answers exactly what its own
        query would have.

        The statement is built once per process, day and settings (building its subqueries cost
        about a quarter of a first view's CPU) with the case, its teams and the instants `since`
        asks for as bound parameters. So a figure's query must read the case only through
        `in_scope`, the teams through `team_ids` and the time through `today` and `since`
        (`now` is None while it is built: using it fails loudly). `in_scope` is built as
        `case_id_column` (the case table's id: `Case.id`, which this module does not import)
        equal to the case."""
        wanted: dict[str, Figures] = {}
        for rule in rules:
            for name, query in rule.figures().items():
                if name not in self.shared:
                    wanted.setdefault(name, query)
        if not wanted:
            return
        teams = len(self.team_ids)
        key = (self.today, self.settings.model_dump_json(), tuple(wanted.items()), teams)
        built = _ONE_CASE_STATEMENTS.get(key)
        if built is None:
            built = _build_one_case(self, wanted, case_id_column, teams)
            if len(_ONE_CASE_STATEMENTS) >= 64:  # a new day or other settings: the old ones are done with
                _ONE_CASE_STATEMENTS.clear()
            _ONE_CASE_STATEMENTS[key] = built
        statement, shapes, instants = built
        params = {_CASE_PARAM: case_id, **{f"{_TEAMS_PARAM}_{n}": team for n, team in enumerate(self.team_ids)}}
        params.update({name: self.now - delta for name, delta in instants.items()})
        found = iter(read_columns(self.session, statement, params).one())
        for name, width in shapes:
            present = next(found)
            values = tuple(next(found) for _ in range(width))
            self.shared[name] = {case_id: (case_id, *values)} if present else {}


_CASE_PARAM, _TEAMS_PARAM = "flag_case_id", "flag_team_ids"
# (day, settings, figures) -> (the one-case statement, each figure's (name, width), instants by parameter)
_ONE_CASE_STATEMENTS: dict[tuple, tuple[Any, list[tuple[str, int]], dict[str, timedelta]]] = {}


class _BoundScope(FlagScope):
    """The scope `read_one_case` builds its statement with: the case, the teams and the instants
    are bound parameters, filled in for each case it reads."""

    def since(self, delta: timedelta) -> Any:
        name = f"flag_since_{int(delta.total_seconds())}"
        self.instants[name] = delta
        return bindparam(name)


def _build_one_case(scope: FlagScope, wanted: dict[str, Figures], case_id_column: Any, teams: int):
    case_id = bindparam(_CASE_PARAM)
    bound = _BoundScope(
        session=scope.session,
        settings=scope.settings,
        today=scope.today,
        now=None,  # type: ignore[arg-type]
        # One parameter a team (a case page: its one team), not an "expanding" list, which SQLAlchemy
        # writes into the statement's text afresh on every run (issue 21).
        team_ids=[bindparam(f"{_TEAMS_PARAM}_{n}") for n in range(teams)],
        cases=[],
        in_scope=case_id_column == case_id,
    )
    bound.instants = {}
    # Each figure's row for the case joined once to a one-row base (its columns NULL when it has
    # none), not a scalar subquery per column: PostgreSQL ran each figure's query once per column
    # plus once to count, and the statement was four times as long (issue 21).
    base = select(literal(1).label("one")).subquery("one_row")
    statement_from: Any = base
    columns, shapes = [], []
    for n, (name, query) in enumerate(wanted.items()):
        rows = query(bound).subquery()
        key = list(rows.c)[0]
        figure = select(rows).where(key == case_id).limit(1).subquery(f"figure_{n}")
        statement_from = statement_from.outerjoin(figure, true())
        found, *values = figure.c
        columns += [found.is_not(None), *values]
        shapes.append((name, len(values)))
    return select(*columns).select_from(statement_from), shapes, bound.instants


@dataclass(frozen=True)
class FlagRule:
    """One oversight flag: `raised(scope)` answers the cases that raise it, deciding with pure
    functions from what it reads through `scope.figures(name, query)`; the label is built from the
    setting it depends on. `figures()` names those queries ({name: query}), so the flags of one
    case are read in one statement (`FlagScope.read_one_case`) and a dashboard's in one statement
    per figure."""

    key: str
    label: Callable[[Settings], str]
    raised: Callable[[FlagScope], Iterable]
    figures: Callable[[], dict[str, Figures]] = dict


@dataclass(frozen=True)
class NavLink:
    """A link in the header's main navigation, for the roles named (all roles when empty)."""

    label: str
    href: str
    roles: frozenset[str] = frozenset()
    # Where it sits in the header, lowest first: the header's order is the practice's, not the
    # features' (a worker's caseload comes first).
    position: int = 50
    # Extra HTML attributes, written by us, never from input (e.g. an htmx badge).
    attributes: str = ""

    def shown_to(self, role: str) -> bool:
        return not self.roles or role in self.roles


@dataclass(frozen=True)
class PlanSource:
    """A feature's items in the case's one plan (app/cases/plan.py gathers them).

    `items(*, session, case) -> list[PlanItem]` in a constant number of queries;
    `set_status(*, session, case, actor, ref, status) -> None` records a new status where the item
    lives (raising Refused when it cannot), so updating it on the plan updates it everywhere."""

    items: Callable[..., list]
    set_status: Callable[..., None]


@dataclass(frozen=True)
class Feature:
    """What one feature package contributes. Every hook is optional; order in app.main.FEATURES is
    the order of routes (precedence), case-page sections, offline pages and demo loaders."""

    name: str
    router: APIRouter | None = None
    # A folder of the feature's own templates, searched after app/templates (most features keep
    # theirs in app/templates/<name>/ and leave this empty).
    templates: Path | None = None
    section: CaseSection | None = None
    # (*, session, case, latest) -> list[TimelineItem] (app/cases/extensions.py), constant queries;
    # it may return only its `latest` items of a kind as an extensions.Timeline saying how many it left out.
    timeline: Callable[..., list] | None = None
    # (*, session, case, actor) -> list[str]: pages "Take offline" keeps on the device for the case.
    offline_pages: Callable[..., list[str]] | None = None
    review_kinds: Sequence[ReviewKind] = ()
    flags: Sequence[FlagRule] = ()
    # {name: figures}: when the young person's own voice was last recorded by this feature (a
    # rating, three houses) as selects of (case id, date or time) per case in scope (see Figures);
    # the oversight "voice" flag takes the latest of all. It is raised on active cases only, so a
    # select may read only those (the rest need no figure).
    voice: dict[str, Figures] | None = None
    # (*, session, in_scope) -> {case id: (worker's self-rating, supervisor's rating)}: the
    # practice competency column of the oversight dashboard.
    competency: Callable[..., dict[int, tuple[str | None, str | None]]] | None = None
    nav: Sequence[NavLink] = ()
    # (*, session, case, actor) -> list[ToDo]: open tasks with dates, flags and returned work for
    # the case page's "Needs doing", in a constant number of queries.
    todo: Callable[..., list[ToDo]] | None = None
    # Its items in the case's one plan (next steps, plan steps, tasks), if it has any.
    plan: PlanSource | None = None
    # (*, session, case_id, event, by, on) -> None: something was just saved (`event`, see
    # `fulfil`); close the feature's prompted tasks that it does, in the same transaction.
    fulfilled: Callable[..., None] | None = None
    # (*, session, demo) -> None: demo data, run after the lower features' demo data.
    demo: Callable[..., None] | None = None
    # (*, session, user_id) -> int: the open work the user holds in this feature (cases they
    # key-work or co-work), which must be reallocated before their account leaves its team.
    held_work: Callable[..., int] | None = None
    # (*, session, team_id) -> int: what waits in this feature for the team's supervisor (work to
    # review, items kept from offline), which must not be left without one to go to.
    team_waiting: Callable[..., int] | None = None
    # (*, session, team_id, waiting) -> None: the team's last active supervisor was disabled while
    # `waiting` items wait for one; tell whoever must find the team another.
    team_unsupervised: Callable[..., None] | None = None
    # (*, session, team_id, supervisor_id) -> None: `supervisor_id` is an active supervisor of the
    # team now (one re-enabled, made its supervisor or a new account); withdraw what
    # `team_unsupervised` told, and treat what they sent that still waits as a supervisor's.
    team_supervised: Callable[..., None] | None = None
    # (*, session, case) -> str | None: why the case cannot be closed from the status screen now
    # (an ending of this feature waiting for the supervisor's approval), or None.
    closing_refusal: Callable[..., str | None] | None = None
    # (*, session, case) -> str | None: what the worker should know before closing the case (tasks
    # of this feature still open), shown beside the close; closing stays possible.
    closing_note: Callable[..., str | None] | None = None


_installed: tuple[Feature, ...] = ()


def install(features: Sequence[Feature]) -> None:
    """Make `features` the ones the shared services read (create_app does this)."""
    global _installed
    names = [f.name for f in features]
    kinds = [k.key for f in features for k in f.review_kinds]
    flags = [r.key for f in features for r in f.flags]
    for what, keys in (("feature", names), ("review kind", kinds), ("flag", flags)):
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"The same {what} is declared twice: {', '.join(repeated)}")
    _installed = tuple(features)


def installed() -> tuple[Feature, ...]:
    return _installed


def review_kinds() -> dict[str, ReviewKind]:
    return {kind.key: kind for feature in _installed for kind in feature.review_kinds}


def nav_links(role: str) -> list[NavLink]:
    """The header links the installed features offer to `role`, in header order."""
    links = [link for feature in _installed for link in feature.nav if link.shown_to(role)]
    return sorted(links, key=lambda link: link.position)


# What a save can do for a prompted task (issue 18: "a prompted task closes itself when what it
# asks for is done"). The feature that saves says which happened; the feature owning the prompt
# keeps a registry of prompt -> events (app/endings/fulfils.py) and closes it.
EVENTS = {
    "diamond_rating": "a Diamond rating",
    "signs_of_safety_map": "a change to the Signs of Safety map",
    "base_risk": "a change to the BASE risk assessment",
    "contact": "a contact",
    "visit_attended": "a visit where the family was seen",
}


def fulfil(*, session: Session, case_id: int, event: str, by, on: date) -> None:
    """`event` (one of EVENTS) was just saved for the case by `by` (an Actor), dated `on`: every
    installed feature closes the prompted tasks it fulfils, in the saving transaction."""
    if event not in EVENTS:
        raise ValueError(f"Unknown event {event!r}")
    for feature in _installed:
        if feature.fulfilled is not None:
            feature.fulfilled(session=session, case_id=case_id, event=event, by=by, on=on)


def held_work(*, session: Session, user_id: int) -> int:
    """The open work `user_id` holds across the installed features (0: none)."""
    return sum(f.held_work(session=session, user_id=user_id) for f in _installed if f.held_work is not None)


def team_waiting(*, session: Session, team_id: int) -> int:
    """What waits for `team_id`'s supervisor across the installed features (0: nothing)."""
    return sum(f.team_waiting(session=session, team_id=team_id) for f in _installed if f.team_waiting is not None)


def team_unsupervised(*, session: Session, team_id: int, waiting: int) -> None:
    """`team_id` has no active supervisor now and `waiting` items wait for one: every installed
    feature that answers for that tells its people."""
    for feature in _installed:
        if feature.team_unsupervised is not None:
            feature.team_unsupervised(session=session, team_id=team_id, waiting=waiting)


def team_supervised(*, session: Session, team_id: int, supervisor_id: int) -> None:
    """`supervisor_id` is an active supervisor of `team_id` now: every installed feature that told
    its people the team had none withdraws that, and what they sent still waiting is a supervisor's."""
    for feature in _installed:
        if feature.team_supervised is not None:
            feature.team_supervised(session=session, team_id=team_id, supervisor_id=supervisor_id)


def closing_refusal(*, session: Session, case) -> str | None:
    """The first installed feature's reason the case cannot be closed outside its own flow, or None."""
    for feature in _installed:
        if feature.closing_refusal is not None:
            refusal = feature.closing_refusal(session=session, case=case)
            if refusal:
                return refusal
    return None


def closing_notes(*, session: Session, case) -> list[str]:
    """What the installed features tell the worker before they close the case (never a refusal)."""
    notes = (f.closing_note(session=session, case=case) for f in _installed if f.closing_note is not None)
    return [note for note in notes if note]


def flag_rules() -> list[FlagRule]:
    return [rule for feature in _installed for rule in feature.flags]
