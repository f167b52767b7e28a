"""`Server-Timing` on every response when SERVER_TIMING is on: SQL statements, their time, the total.

`make bench` reads it to print each page's statement count beside its latency, and a developer sees
it in the browser's network panel (https://www.w3.org/TR/server-timing/). Off by default: the count
of statements could tell an outsider something about what a request found.
"""

from __future__ import annotations

import time
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

# Statements that are the driver's housekeeping, not the request's queries (as tests/querycount.py).
HOUSEKEEPING = ("SAVEPOINT", "RELEASE", "PRAGMA")
# [statements, seconds in the driver] for the request being answered; None outside one.
_CURRENT: ContextVar[list | None] = ContextVar("server_timing", default=None)


def count_statements(engine: Engine) -> None:
    """Count the statements `engine` runs for the request in hand (and their time in the driver)."""

    @event.listens_for(engine, "before_cursor_execute")
    def _started(conn, cursor, statement, parameters, context, executemany):
        conn.info["server_timing_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _ended(conn, cursor, statement, parameters, context, executemany):
        counts = _CURRENT.get()
        if counts is not None and not statement.lstrip().upper().startswith(HOUSEKEEPING):
            counts[0] += 1
            counts[1] += time.perf_counter() - conn.info.pop("server_timing_started", time.perf_counter())


class ServerTiming:
    """ASGI middleware adding `Server-Timing: db;dur=…;desc="N statements", app;dur=…`."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counts = [0, 0.0]
        token = _CURRENT.set(counts)
        started = time.perf_counter()

        async def timed_send(message):
            if message["type"] == "http.response.start":
                total = (time.perf_counter() - started) * 1000
                value = f'db;dur={counts[1] * 1000:.1f};desc="{counts[0]} statements", app;dur={total:.1f}'
                message = {**message, "headers": [*message.get("headers", []), (b"server-timing", value.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            _CURRENT.reset(token)
