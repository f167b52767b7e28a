"""No database work on the event loop (app/forms.py `sent_form`, app/locks.py `hold_case_write_lock`).

An `async def` route or dependency runs on the event loop: a query there holds up every request
of the process, and one waiting there for a lock another request holds waits for ever, that
request's commit needing the same loop. tests/conftest.py fails any test in which a statement runs
on the loop; these tests check the routes' shape, the guard itself, and the safety net left in
`hold_case_write_lock`. tests/test_serving.py saves cases at the same moment through the served app.
"""

from __future__ import annotations

import inspect

import pytest
from fastapi.dependencies.utils import get_parameterless_sub_dependant
from fastapi.routing import APIRoute
from sqlalchemy import text
from sqlmodel import Session

from app.db import get_session
from app.locks import CASE_WRITE_LOCK, CaseWritersBusy, hold_case_write_lock
from tests.conftest import _ON_THE_LOOP
from tests.test_serving import in_own_thread

# The `async def` endpoints and dependencies that hold a database session, and why each may:
# each hands its database work to the thread pool itself, saying so with the word named here.
HOP_THEMSELVES = {
    # The page opened most: who is asking, the case, the page and the commit in one hop.
    "app.cases.routes.case_page": "in_one_hop",
    # Opens a sealed offline item and hands it to its form's route in-process (`_dispatch`, which
    # gives up its turn to hold a session): its own session, the ledger's, is never used.
    "app.sync.routes.send_sealed": "_dispatch(",
    # The ledger: nothing to do for most requests, its claim in the thread pool otherwise.
    "app.sync.ledger._idempotent": "run_in_threadpool",
}


def _name(call) -> str:
    return f"{call.__module__}.{call.__qualname__}"


def _is_async(call) -> bool:
    return inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call)


def _endpoints(routes, dependencies=()):
    """Every API route of the app with the dependencies its routers add (FastAPI keeps them nested)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route, [*dependencies, route.dependant]
        elif hasattr(route, "original_router"):
            added = [get_parameterless_sub_dependant(depends=d, path="") for d in route.include_context.dependencies]
            yield from _endpoints(route.original_router.routes, [*dependencies, *added])


def _tree(dependant):
    yield dependant
    for sub in dependant.dependencies:
        yield from _tree(sub)


def _holds_a_session(dependant) -> bool:
    return any(d.call is get_session for d in _tree(dependant))


def _takes_a_session(dependant) -> bool:
    return any(d.call is get_session for d in dependant.dependencies)


def test_no_async_route_or_dependency_holding_a_session_does_its_own_database_work(app):
    # An async route whose dependencies hold a session, or an async dependency taking one.
    found, checked = set(), 0
    for route, dependants in _endpoints(app.routes):
        checked += 1
        if _is_async(route.endpoint) and any(_holds_a_session(d) for d in dependants):
            found.add(_name(route.endpoint))
        for top in dependants:
            for dependant in _tree(top):
                call = dependant.call
                if dependant is not route.dependant and call and _is_async(call) and _takes_a_session(dependant):
                    found.add(_name(call))
    assert checked > 200
    unexpected = found - set(HOP_THEMSELVES)
    assert not unexpected, (
        f"{sorted(unexpected)}: an async def route or dependency holding a session runs its database work "
        "on the event loop; make it a plain def (a posted form comes as `sent: SentForm`, app/forms.py)"
    )
    assert found == set(HOP_THEMSELVES), f"no longer async, leave them out: {sorted(set(HOP_THEMSELVES) - found)}"
    for name in found:
        module, _, qualname = name.rpartition(".")
        source = inspect.getsource(getattr(__import__(module, fromlist=[qualname]), qualname))
        assert HOP_THEMSELVES[name] in source, f"{name} no longer uses {HOP_THEMSELVES[name]}"


def test_the_guard_fails_a_statement_run_on_the_event_loop(engine):
    async def on_the_loop() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        with pytest.raises(AssertionError, match="ran on the event loop"):
            in_own_thread(on_the_loop)
        assert len(_ON_THE_LOOP) == 1 and "SELECT 1" in _ON_THE_LOOP[0]
    finally:
        _ON_THE_LOOP.clear()


@pytest.fixture
def statements_on_the_loop_allowed(monkeypatch):
    """For the one test that runs a statement on the event loop on purpose (the safety net below)."""
    monkeypatch.setattr("tests.conftest._ALLOW_ON_THE_LOOP", True)


def test_the_case_writers_lock_asked_for_on_the_event_loop_waits_a_moment_then_refuses(
    engine, db, statements_on_the_loop_allowed, caplog
):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite: one writer, its own lock (the case writers' lock is PostgreSQL's)")
    # No route reaches it (the guard above fails any statement on the loop), but should some code
    # path ask on the loop, a 503 the device sends again beats a process stopped for good.

    async def ask() -> None:
        with Session(engine) as session:
            hold_case_write_lock(session)

    with engine.connect() as holder:
        holder.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CASE_WRITE_LOCK})
        with pytest.raises(CaseWritersBusy):
            in_own_thread(ask)
        holder.rollback()
    assert "asked for on the event loop" in caplog.text
    in_own_thread(ask)  # free: taken at once
