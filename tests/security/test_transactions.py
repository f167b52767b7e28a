"""One transaction per request, committed before the response leaves (post/redirect/get is safe)."""

from __future__ import annotations

from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool
from starlette.testclient import TestClient

from app.accounts.models import Team
from tests.factories import login, make_user


def test_change_is_committed_before_the_redirect_is_sent(app, db, engine, settings):
    seen_at_response_start: list[bool] = []

    def team_saved() -> bool:
        with Session(engine) as other:
            return other.exec(select(Team).where(Team.name == "East")).first() is not None

    async def outer(scope, receive, send):
        async def watching_send(message):
            if message["type"] == "http.response.start" and scope.get("method") == "POST":
                # A separate connection, like the browser's next request would use (in the thread
                # pool: no database work on the event loop, tests/conftest.py).
                seen_at_response_start.append(await run_in_threadpool(team_saved))
            await send(message)

        await app(scope, receive, watching_send)

    with TestClient(outer, follow_redirects=False) as client:
        login(client, db, make_user(db, role="admin"), settings)
        assert client.post("/admin/teams", data={"name": "East"}).status_code == 303
    assert seen_at_response_start == [True]


def test_failed_request_writes_nothing(client, db, settings):
    login(client, db, make_user(db, role="admin"), settings)
    # A team name over the limit is refused after parsing: nothing of the request is stored.
    assert client.post("/admin/teams", data={"name": "x" * 500}).status_code == 422
    db.expire_all()
    assert db.exec(select(Team)).all() == []
