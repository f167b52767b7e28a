"""The case page's version: every change to what a case page shows moves its case's `page_version`."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Table, event, inspect, or_, select, true, update
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session

from app.locks import hold_case_write_lock
from app.transaction_memos import for_transaction, remember_for_transaction, this_transaction

# The case page is cached per `case.page_version` (app/cases/page_cache.py). A stale case page is
# a safety problem, so the version is moved here, generically, for every flush of every session:
# any new, changed or deleted row of a table that leads to a case (a `case_id` column, or foreign
# keys to a table that has one) moves that case's version in the same transaction. ORM bulk
# UPDATE/DELETE statements are caught too (the cases they touch are selected first). A model may
# declare `__page_version_ignores__(obj) -> bool` for rows the case page never shows (the audit
# log's read records), `__shown_on_every_case_page__` for columns of a row with no case whose
# change moves every case's version (a user's name), and `__shown_on_the_pages_of_its_cases__`
# for columns whose change moves the version of every case whose own row names that row (a user's
# account status and team: the cases they hold as key worker or co-worker, flagged to be
# reallocated when they leave). tests/cases/test_page_version.py fails for a table with no route
# to a case that is not declared free of case data there.

CASE_TABLE = "case"


def _find_route(table: Table, seen: frozenset[str]) -> tuple[ForeignKey, ...] | None:
    if table.name == CASE_TABLE or "case_id" in table.c:
        return ()
    # Non-null keys first: a row always has a case through them.
    for fk in sorted(table.foreign_keys, key=lambda fk: (bool(fk.parent.nullable), fk.parent.name)):
        parent = fk.column.table
        if parent.name == CASE_TABLE or parent.name in seen:
            continue  # a key to the case not named case_id (a user's family-mode case) is not ownership
        rest = _find_route(parent, seen | {table.name})
        if rest is not None:
            return (fk, *rest)
    return None


_routes: dict[Table, tuple[ForeignKey, ...] | None] = {}


def case_route(table: Table) -> tuple[ForeignKey, ...] | None:
    """How a row of `table` leads to its case: () when it holds `case_id` (or is the case), the
    foreign keys to follow otherwise, None when it belongs to no case."""
    if table not in _routes:
        _routes[table] = _find_route(table, frozenset())
    return _routes[table]


def _case_ids_query(table: Table, route: tuple[ForeignKey, ...], where):
    """SELECT the case ids of the rows of `table` matching `where`, following `route`."""
    joined = table
    for fk in route:
        joined = joined.join(fk.column.table, fk.parent == fk.column)
    last = route[-1].column.table if route else table
    case_id = last.c.id if last.name == CASE_TABLE else last.c.case_id
    return select(case_id).select_from(joined).where(where if where is not None else true())


def _moves_page(obj) -> bool:
    ignores = getattr(type(obj), "__page_version_ignores__", None)
    return not (ignores is not None and ignores(obj))


def pending_page_changes(session: Session) -> bool:
    """Whether `session` holds changes not yet committed that move (or moved) some case's page version.

    Flushed ones count too: a case's version moves once per transaction, at the first flush that
    changes the case, so a page rendered after that flush must not be cached under the new version
    while the transaction can still change the case without moving it again (or roll back).
    """
    if this_transaction(session).get("moved_pages"):
        return True
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not _moves_page(obj) or case_route(inspect(obj).mapper.local_table) is None:
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        return True
    return False


def _bump(session: Session, case_table: Table, case_ids: set) -> None:
    """Move each case's page version once per transaction: every change the transaction makes
    commits with that one move, so a page cached under the old version is never served again."""
    done = for_transaction(session, "page_versions") or frozenset()
    ids = sorted(i for i in case_ids if i is not None and i not in done)
    if not ids or for_transaction(session, "page_versions_all"):
        return
    hold_case_write_lock(session)
    # In id order, so two transactions bumping the same cases cannot deadlock.
    session.connection().execute(
        update(case_table).where(case_table.c.id.in_(ids)).values(page_version=case_table.c.page_version + 1)
    )
    remember_for_transaction(session, "page_versions", done | set(ids))
    this_transaction(session)["moved_pages"] = True  # even in a savepoint: the cache is skipped, never wrong
    session.info.setdefault("page_versions_moved", set()).update(ids)


# First of the session's before_flush hooks, whichever module was imported first: a flush moves the
# case page versions (taking the case writers' lock) before the audit chain links its new entries
# (app/audit/chain.py), the order every flush has had.
@event.listens_for(Session, "before_flush", insert=True)
def _move_page_versions(session: Session, _context, _instances) -> None:
    direct: set = set()
    through: dict[tuple[ForeignKey, ...], set] = {}
    named_by_cases: dict[Table, set] = {}
    case_table = None
    every_case = False
    dirty = session.dirty
    for obj in (*session.new, *dirty, *session.deleted):
        if not _moves_page(obj):
            continue
        state = inspect(obj)
        table = state.mapper.local_table
        shown_everywhere = getattr(type(obj), "__shown_on_every_case_page__", ())
        if obj in dirty and any(state.attrs[name].history.has_changes() for name in shown_everywhere):
            every_case, case_table = True, table.metadata.tables[CASE_TABLE]
        shown_on_its_cases = getattr(type(obj), "__shown_on_the_pages_of_its_cases__", ())
        if obj in dirty and any(state.attrs[name].history.has_changes() for name in shown_on_its_cases):
            case_table = table.metadata.tables[CASE_TABLE]
            named_by_cases.setdefault(table, set()).add(state.key[1][0])
        route = case_route(table)
        if route is None:
            continue
        if obj in dirty and not session.is_modified(obj, include_collections=False):
            continue
        case_table = table.metadata.tables[CASE_TABLE]
        if table.name == CASE_TABLE:
            if state.key is not None:  # a new case has no cached page yet
                direct.add(state.key[1][0])
            continue
        column = route[0].parent if route else table.c.case_id
        key = state.mapper.get_property_by_column(column).key
        values = {v for v in state.attrs[key].history.sum() if v is not None}  # old and new owner
        if not values and key in state.unloaded:
            values = {getattr(obj, key)}
        if route:
            through.setdefault(route, set()).update(values)
        else:
            direct.update(values)
    for route, values in through.items():
        values.discard(None)
        if values:
            query = _case_ids_query(route[0].column.table, route[1:], route[0].column.in_(sorted(values)))
            direct.update(session.connection().execute(query).scalars())
    for table, ids in named_by_cases.items():
        # One statement for every case naming these rows, by any of its keys to them.
        keys = [fk.parent.in_(sorted(ids)) for fk in case_table.foreign_keys if fk.column.table is table]
        if keys:
            direct.update(session.connection().execute(select(case_table.c.id).where(or_(*keys))).scalars())
    if every_case:
        _bump_every_case(session, case_table)
    if case_table is not None:
        _bump(session, case_table, direct)


def _bump_every_case(session: Session, case_table: Table) -> None:
    """Move every case's page version, once per transaction: something every page may show
    changed (a worker's name, on each case they hold or wrote on). Rare, so the simple way."""
    if for_transaction(session, "page_versions_all"):
        return
    hold_case_write_lock(session)
    session.connection().execute(update(case_table).values(page_version=case_table.c.page_version + 1))
    remember_for_transaction(session, "page_versions_all", True)
    this_transaction(session)["moved_pages"] = True
    session.info["page_versions_moved_all"] = True


@event.listens_for(Session, "after_flush_postexec")
def _forget_moved_versions(session: Session, _context) -> None:
    """Cases already loaded in this session read their new page version again when next asked."""
    moved = session.info.pop("page_versions_moved", None)
    every_case = session.info.pop("page_versions_moved_all", False)
    if not moved and not every_case:
        return
    for obj in list(session.identity_map.values()):
        state = inspect(obj)
        if state.mapper.local_table.name == CASE_TABLE and (every_case or state.key[1][0] in moved):
            session.expire(obj, ["page_version"])


@event.listens_for(Session, "do_orm_execute")
def _bulk_writes_move_page_versions(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    statement = state.statement
    name = getattr(statement.table, "name", None)
    metadata = getattr(statement.table, "metadata", None)
    if name is None or metadata is None or name not in metadata.tables:
        return
    table = metadata.tables[name]
    route = case_route(table)
    if route is None:
        return
    if state.is_insert:
        if name == CASE_TABLE:
            return  # a new case has no cached page yet
        rows = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
        if route or not all("case_id" in row for row in rows):
            raise RuntimeError(f"a bulk INSERT into {name} must name case_id, or the case page would go stale")
        ids = {row["case_id"] for row in rows}
    else:
        ids = set(state.session.connection().execute(_case_ids_query(table, route, statement.whereclause)).scalars())
    _bump(state.session, metadata.tables[CASE_TABLE], ids)
