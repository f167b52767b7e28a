"""The app as `homeward serve` runs it in each worker (app.main.serve_app): what the worker has
built is frozen out of Python's full garbage collections, which otherwise walked it all with a
request waiting (docs/performance.md, "Garbage collection"). tests/test_two_servers.py runs the
real `homeward serve` processes."""

from __future__ import annotations

import gc

from starlette.testclient import TestClient

from app.main import _FreezeAfterWarmUp, configure
from app.templating import templates


def in_own_thread(coroutine_function):
    """Run it on an event loop of its own thread: after a browser test, the test process's main
    thread already has a running loop (Playwright's), where asyncio.run() refuses to start."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(coroutine_function())).result()


def test_a_worker_freezes_the_app_at_start_and_what_its_first_requests_built(app, db):
    gc.unfreeze()
    try:
        served = _FreezeAfterWarmUp(app, after=3)
        at_start = gc.get_freeze_count()
        assert at_start > 10_000  # the app, its modules and templates
        with TestClient(served, follow_redirects=False) as client:
            for _ in range(2):
                assert client.get("/login").status_code == 200
            # Nothing is added before the third request (frozen objects that die still go).
            before = gc.get_freeze_count()
            assert before <= at_start
            assert client.get("/login").status_code == 200
            warmed = gc.get_freeze_count()
            assert warmed > before
            # Once only: later requests are served as before and freeze nothing more.
            for _ in range(3):
                assert client.get("/login").status_code == 200
            assert gc.get_freeze_count() <= warmed
    finally:
        gc.unfreeze()


def test_templates_are_read_again_when_changed_only_while_developing(settings):
    try:
        configure(settings.model_copy(update={"homeward_env": "production"}))
        assert templates.env.auto_reload is False
        configure(settings.model_copy(update={"homeward_env": "development"}))
        assert templates.env.auto_reload is True
    finally:
        configure(settings)
    assert templates.env.auto_reload is False  # tests, as production: no check on every use


def test_a_burst_of_pages_larger_than_the_pool_is_served_not_stalled(settings, engine, db):
    # A request holds its connection between its hops to the thread pool. Were requests let
    # in past the pool's size, those waiting for a connection inside a thread could leave the
    # holders no thread to commit in: everyone waits for the pool's timeout, then a 500 (a review
    # found it with the thread pool cut to the pool's size). app/db.py `_holders` lets in no more
    # sessions than the pool keeps connections; the rest wait on the event loop.
    import asyncio

    import httpx
    from anyio import to_thread

    from app.main import create_app
    from app.security.sessions import COOKIE_NAME, start_session
    from tests.factories import make_user

    users = [make_user(db, email=f"burst{i}@example.org") for i in range(2 * engine.pool.size() + 12)]
    db.commit()
    cookies = [start_session(session=db, user=u, settings=settings) for u in users]
    db.commit()
    served = create_app(settings, engine=engine)
    timeout, engine.pool._timeout = engine.pool._timeout, 3  # 30 s in production

    async def burst() -> list[int]:
        # However few threads there are: here no more than the pool's connections.
        to_thread.current_default_thread_limiter().total_tokens = engine.pool.size()
        transport = httpx.ASGITransport(app=served)

        async def one(cookie: str) -> int:
            async with httpx.AsyncClient(transport=transport, base_url="http://t", cookies={COOKIE_NAME: cookie}) as c:
                return (await c.get("/")).status_code

        return await asyncio.gather(*(one(c) for c in cookies))

    try:
        assert set(in_own_thread(burst)) == {200}
    finally:
        engine.pool._timeout = timeout


def test_each_process_keeps_the_database_connections_it_is_set_to(settings):
    from app.main import create_app

    served = create_app(settings.model_copy(update={"database_connections": 7}))
    try:
        assert served.state.engine.pool.size() == 7
        with TestClient(served) as client:
            assert client.get("/healthz").status_code == 200
    finally:
        served.state.engine.dispose()


def test_more_sealed_offline_items_at_once_than_the_pool_are_all_applied(settings, engine, db):
    # A sealed item's request hands the item to its form's route in its own task (app/sync/routes.py):
    # had it kept its own place among the session holders, a batch as large as the pool would hold
    # every place while the routes it waits for wait for one (app/db.py give_up_turn).
    import asyncio

    import httpx
    from sqlmodel import func, select

    from app.cases.models import Contact
    from app.main import create_app
    from app.security.sessions import COOKIE_NAME, start_session
    from app.timeutil import today
    from tests.factories import make_case, make_user, sealed_item

    worker = make_user(db)
    cases = [make_case(db, worker=worker) for _ in range(engine.pool.size() + 5)]
    db.commit()
    cookie = start_session(session=db, user=worker, settings=settings)
    db.commit()
    fields = [["kind", "phone"], ["outcome", "attended"], ["occurred_on", today().isoformat()], ["note", "Called."]]
    items = [sealed_item(settings.secret_key, worker, f"/cases/{c.id}/contacts", fields) for c in cases]
    served = create_app(settings, engine=engine)

    async def send_all() -> list[int]:
        transport = httpx.ASGITransport(app=served)

        async def one(item: dict) -> int:
            async with httpx.AsyncClient(transport=transport, base_url="http://t", cookies={COOKIE_NAME: cookie}) as c:
                return (await c.post("/sync/sealed", json=item, headers={"Accept": "application/json"})).status_code

        return await asyncio.wait_for(asyncio.gather(*(one(i) for i in items)), timeout=30)

    # Each applied at once: the routes wait for the case writers' lock in the thread pool, not on
    # the event loop (where they answered 503 after a second, app/locks.py hold_case_write_lock).
    assert in_own_thread(send_all) == [303] * len(items)
    db.expire_all()
    assert db.exec(select(func.count()).select_from(Contact)).one() == len(cases)


def test_case_changes_saved_at_the_same_moment_are_all_saved_and_stall_nothing_else(settings, engine, db):
    # Routes do their database work in the thread pool (app/forms.py `sent_form`). When they ran it
    # on the event loop, a save waiting there for the case writers' lock (PostgreSQL) or SQLite's
    # write lock stopped every request of the process, the lock's holder among them: for good,
    # later refused with a 503 after a second (app/locks.py), on SQLite for up to the 30 s timeout.
    # Here another transaction holds the lock while eight saves arrive, four to one case and one to
    # each of four more; a page is served meanwhile, none of the saves answers before the lock is
    # let go, and then every one is saved.
    import asyncio
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    import httpx
    from sqlalchemy import text
    from sqlmodel import func, select
    from starlette.concurrency import run_in_threadpool

    from app.cases.models import Contact
    from app.locks import CASE_WRITE_LOCK
    from app.main import create_app
    from app.security.sessions import COOKIE_NAME, start_session
    from app.timeutil import today
    from tests.factories import make_case, make_user

    postgresql = engine.dialect.name == "postgresql"
    worker = make_user(db)
    cases = [make_case(db, worker=worker) for _ in range(5)]
    db.commit()
    cookie = start_session(session=db, user=worker, settings=settings)
    db.commit()
    targets = [cases[0]] * 4 + cases[1:]
    form = {"kind": "phone", "outcome": "attended", "occurred_on": today().isoformat(), "note": "Called."}
    served = create_app(settings, engine=engine)
    checked = threading.Event()
    seen: dict = {}

    def writers_waiting() -> int:
        with engine.connect() as connection:
            return connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = :key "
                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                ),
                {"key": CASE_WRITE_LOCK},
            ).scalar()

    async def save_all() -> list[int]:
        transport = httpx.ASGITransport(app=served)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", cookies={COOKIE_NAME: cookie}) as c:
            saves = [asyncio.ensure_future(c.post(f"/cases/{case.id}/contacts", data=form)) for case in targets]
            try:
                if postgresql:  # every save waits for the lock, in a thread of its own
                    deadline = time.monotonic() + 10
                    while await run_in_threadpool(writers_waiting) < len(targets) and time.monotonic() < deadline:
                        await asyncio.sleep(0.05)
                    seen["waiting"] = await run_in_threadpool(writers_waiting)
                else:
                    await asyncio.sleep(1)
                began = time.monotonic()
                seen["page"] = (await c.get("/healthz")).status_code
                if postgresql:  # a page that reads cases and records the read
                    seen["home"] = (await c.get("/")).status_code
                seen["page_seconds"] = time.monotonic() - began
                seen["answered_while_held"] = sum(s.done() for s in saves)
            finally:
                checked.set()
            return [r.status_code for r in await asyncio.wait_for(asyncio.gather(*saves), timeout=60)]

    with engine.connect() as holder, ThreadPoolExecutor(1) as pool:
        if postgresql:
            holder.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CASE_WRITE_LOCK})
        else:  # SQLite's one writer: a write transaction left open
            holder.execute(text("UPDATE team SET name = name"))
        answers = pool.submit(lambda: asyncio.run(save_all()))
        checked.wait(timeout=20)  # on a blocked event loop, let go anyway: the test fails, not hangs
        holder.rollback()
        answers = answers.result(timeout=90)

    assert seen["page"] == 200 and seen.get("home", 200) == 200
    assert seen["page_seconds"] < 2
    assert seen["answered_while_held"] == 0
    if postgresql:
        assert seen["waiting"] == len(targets)
    assert answers == [303] * len(targets)
    db.expire_all()
    assert db.exec(select(func.count()).select_from(Contact)).one() == len(targets)
    for case in cases:
        stored = db.exec(select(func.count()).select_from(Contact).where(Contact.case_id == case.id)).one()
        assert stored == targets.count(case)
