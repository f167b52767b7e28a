"""A case's small record sets read once per case page, whichever parts ask for them (issue 21).

The case page is built from every feature's section, timeline items and "Needs doing", and
several of them want the same rows: the dormant spells (the endings part, its timeline and the
dormant review), the network's meetings and tasks, the BASE versions, the people. Each asks
`rows(session=..., model=..., case_id=...)` for every row of the case and picks what it shows in
Python; while `case_page_reads` is open (the case page, app/cases/routes.py) the rows are read
from the database once and handed to every part that asks again. Outside it (a form, a write
path) each call reads afresh, so nothing stale is ever used to decide a write.

Only tables with a handful of rows per case belong here (spells, endings, tasks, meetings,
versions): a case's long lists (contacts, events, ratings, audit entries) are read with a LIMIT
by the part that shows them. The memo lives on the SQLAlchemy session (`Session.info`), which is
one per request, and is dropped when the page is built.

Most cases have no rows at all in most of these tables (no ending, no dormant spell, no family
group conference yet), so the page first asks, in one statement, which of them the case has any
rows in, and reads only those: each module declares the tables it reads this way (`per_case`), and
a table asked for without being declared is added on its first read (issue 21: a first view of
a case page ran eleven such reads, most of them answering nothing).

The same one statement serves the parts that read a table their own way (the newest map version,
a BASE timeline, unresolved prompts, outcome records): they declare it too, and ask `none()`
before running their statement; a case with no Signs of Safety map, no BASE assessment and no
outcome record yet (a new referral, most of the county data set's cases) skips those statements.
Outside a case page `none()` is always False, so a form or a write path reads as it always did.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, exists
from sqlmodel import Session, select

from app.accounts.models import User
from app.db import read_columns

_KEY = "case_page_reads"


@dataclass(frozen=True, eq=False)
class Some:
    """The rows of a case in `model` that meet `where` (wrong PINs reported among the case's
    audit entries): declared with `per_case` and asked with `none` like a model, for a part that
    reads only such rows of a table every case has rows in. `name` labels its column."""

    name: str
    model: Any
    where: Any


_PER_CASE: dict = {}  # the models read whole per case page, in the order declared (a set that keeps order)


def per_case(*models) -> None:
    """Declare models whose rows of a case the case page reads, whole through `rows` or with a
    part's own statement guarded by `none`: the page asks once which ones the case has rows in."""
    global _PER_CASE
    if any(model not in _PER_CASE for model in models):
        # A new dict rather than a change to the one a page being built may be reading (threads).
        _PER_CASE = {**_PER_CASE, **dict.fromkeys(models)}


@contextmanager
def case_page_reads(session: Session, case_id: int, names: dict[int, str] | None = None) -> Iterator[None]:
    """While the case page for `case_id` is built, each of its small record sets is read once,
    and not at all when the case has none (one statement tells which). `names`: staff names
    already known (the viewer's), so `user_names` need not read them."""
    memo: dict = {"user names": dict(names or {})}
    models = tuple(_PER_CASE)
    if models:
        present = read_columns(session, _presence_statement(models), {"case_id": case_id}).one()
        memo.update((model, []) for model, there in zip(models, present, strict=True) if not there)
    session.info[_KEY] = (case_id, memo)
    try:
        yield
    finally:
        session.info.pop(_KEY, None)


_PRESENCE: dict = {}


def _presence_statement(models: tuple):
    """`SELECT EXISTS (rows of the case in t1), EXISTS (… t2), …`, built once per set of models."""
    statement = _PRESENCE.get(models)
    if statement is None:
        case_id = bindparam("case_id")
        statement = _PRESENCE[models] = select(*(_exists(model, case_id) for model in models))
    return statement


def _exists(model, case_id):
    if isinstance(model, Some):
        return exists().where(model.model.case_id == case_id, model.where).label(model.name)
    return exists().where(model.case_id == case_id).label(model.__tablename__)


# Each model's "every row of a case" statement, built once with the case as a bound parameter:
# building a select and its cache key anew costs about as much as SQLAlchemy's own work to run
# it, and a case page runs a dozen of these.
_OF_A_CASE: dict = {}


def _of_a_case(session: Session, model, case_id: int) -> list:
    statement = _OF_A_CASE.get(model)
    if statement is None:
        statement = _OF_A_CASE[model] = select(model).where(model.case_id == bindparam("case_id"))
    return list(session.exec(statement, params={"case_id": case_id}).all())


def rows(*, session: Session, model, case_id: int) -> list:
    """Every `model` row of the case (in no particular order), read once per case page."""
    memo = session.info.get(_KEY)
    if memo is None or memo[0] != case_id:
        return _of_a_case(session, model, case_id)
    per_case(model)  # declared by its module, or from this page on
    found = memo[1].get(model)
    if found is None:
        found = memo[1][model] = _of_a_case(session, model, case_id)
    return found


def none(*, session: Session, model, case_id: int) -> bool:
    """True when the case page being built for `case_id` knows the case has no `model` rows (a
    model, or `Some` of its rows), so the statement a part would run to read them can only answer
    nothing. False outside a case page, and for a model not declared with `per_case` (declared
    from this page on)."""
    memo = session.info.get(_KEY)
    if memo is None or memo[0] != case_id:
        return False
    if model not in _PER_CASE:
        per_case(model)
        return False
    return memo[1].get(model) == []


def once(*, session: Session, case_id: int, key: str, read):
    """`read()`'s answer, computed once per case page under `key` (a value several parts derive
    from the same reads, e.g. the ending awaiting approval); called afresh outside it."""
    memo = session.info.get(_KEY)
    if memo is None or memo[0] != case_id:
        return read()
    values = memo[1]
    if key not in values:
        values[key] = read()
    return values[key]


def user_names(*, session: Session, case, ids) -> dict[int, str]:
    """Full names of the staff `ids` and of the case's key worker and co-worker (whom the page's
    header names), read once per case page for every part that names someone."""
    memo = session.info.get(_KEY)
    known: dict[int, str] = {} if memo is None or memo[0] != case.id else memo[1].setdefault("user names", {})
    wanted = {i for i in (*ids, case.key_worker_id, case.co_worker_id) if i is not None}
    missing = wanted - known.keys()
    if missing:
        known.update(session.exec(select(User.id, User.full_name).where(User.id.in_(missing))).all())
    return known
