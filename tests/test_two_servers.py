"""Two app servers on one database behave as one (README "Several app servers").

Two real `homeward serve` processes share the test database (the PostgreSQL one in CI's
PostgreSQL run, a SQLite file otherwise) and are driven alternately over HTTP: a session begun on
one works on the other, failed logins on both count together, an offline item sent to both at the
same moment is applied once, and two `homeward tick` runs started together do the work once.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import func, select

from app.cases.models import Contact
from app.endings.models import Prompt
from app.security.models import LoginAttempt
from app.sync.models import SyncOperation
from app.timeutil import today
from tests.endings.factories import active_case, make_dormant, make_team_people
from tests.factories import PASSWORD, make_case, make_user, sealed_item

# One worker runs this module: its module-scoped fixture starts a costly process (make test uses --dist loadgroup).
pytestmark = pytest.mark.xdist_group("two-servers")

SECRET = "two-servers-secret-key-long-enough-0123456789"
HOMEWARD = Path(sys.executable).parent / "homeward"
START_TIMEOUT = 90  # seconds: a cold start imports every feature, slow on a busy machine


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "HOMEWARD_ENV": "test",
        "HOST": "127.0.0.1",
        "PIN_KDF_ITERATIONS": "1000",
    }


def _wait_until_up(process: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"homeward serve exited with {process.returncode}: {process.stdout.read()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"homeward serve did not answer at {url} within {START_TIMEOUT} s")


@pytest.fixture(scope="module")
def servers(database_url, engine):
    """Two `homeward serve` processes on the test database (its tables made by `engine`)."""
    environment = _environment(database_url)
    started: list[tuple[subprocess.Popen, str]] = []
    try:
        for _ in range(2):
            port = _free_port()
            process = subprocess.Popen(
                [str(HOMEWARD), "serve", "--port", str(port)],
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            started.append((process, f"http://127.0.0.1:{port}"))
        for process, url in started:
            _wait_until_up(process, url)
        yield [url for _, url in started]
    finally:
        for process, _ in started:
            process.terminate()
        for process, _ in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _client(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, follow_redirects=False, timeout=60)


def _log_in(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/login", data={"email": email, "password": password})


def test_a_session_begun_on_one_server_works_on_the_other_and_ends_on_both(servers, db):
    first, second = servers
    make_user(db, email="sam@example.org", full_name="Sam Okafor")
    db.commit()
    with _client(first) as on_first, _client(second) as on_second:
        assert _log_in(on_first, "sam@example.org").status_code == 303
        on_second.cookies.update(on_first.cookies)
        profile = on_second.get("/profile")
        assert profile.status_code == 200 and "Sam Okafor" in profile.text
        # Logging out on the second ends the session the first began.
        assert on_second.post("/logout").status_code == 303
        assert on_first.get("/profile").headers["location"].startswith("/login")


def test_failed_logins_on_both_servers_count_together(servers, db, settings):
    make_user(db, email="sam@example.org")
    db.commit()
    clients = [_client(url) for url in servers]
    try:
        for attempt in range(settings.login_free_failures):
            assert _log_in(clients[attempt % 2], "sam@example.org", "wrong guess").status_code == 422
        # The free tries were shared out between the servers; the next try waits on either one.
        for client in clients:
            waiting = _log_in(client, "sam@example.org")
            assert waiting.status_code == 429 and "please wait" in waiting.text
    finally:
        for client in clients:
            client.close()
    db.expire_all()
    assert db.exec(select(func.count()).select_from(LoginAttempt)).one() == settings.login_free_failures


def _sealed_contact(worker, case) -> dict:
    fields = [
        ["kind", "visit"],
        ["place", "home"],
        ["occurred_on", today().isoformat()],
        ["note", "Home visit written on the bus without a signal."],
    ]
    return sealed_item(SECRET, worker, f"/cases/{case.id}/contacts", fields)


def test_the_same_offline_item_sent_to_both_servers_at_once_is_applied_once(servers, db):
    worker = make_user(db, email="sam@example.org")
    case = make_case(db, worker=worker)
    db.commit()
    item = _sealed_contact(worker, case)
    clients = [_client(url) for url in servers]
    try:
        for client in clients:
            assert _log_in(client, "sam@example.org").status_code == 303
        sent: dict[int, httpx.Response] = {}
        together = threading.Barrier(2)

        def send(index: int) -> None:
            together.wait()
            sent[index] = clients[index].post("/sync/sealed", json=item, headers={"Accept": "application/json"})

        threads = [threading.Thread(target=send, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        answers = [sent[0], sent[1]]
        statuses = sorted(answer.status_code for answer in answers)
        # One server applies it; the other either replays that answer or, if it arrived while the
        # first was still saving, says so (503) and the device sends it again later, as it does.
        assert statuses in ([303, 303], [303, 503]), [a.text[:300] for a in answers]
        if statuses == [303, 503]:
            busy = 0 if answers[0].status_code == 503 else 1
            assert "being saved; try again shortly" in answers[busy].text
            answers[busy] = clients[busy].post("/sync/sealed", json=item, headers={"Accept": "application/json"})
            assert answers[busy].status_code == 303 and answers[busy].headers["idempotent-replayed"] == "true"
        assert answers[0].headers["location"] == answers[1].headers["location"]
    finally:
        for client in clients:
            client.close()
    db.expire_all()
    assert db.exec(select(func.count()).select_from(Contact)).one() == 1
    assert db.exec(select(func.count()).select_from(SyncOperation)).one() == 1


def test_two_ticks_started_together_do_the_work_once(database_url, db):
    people = make_team_people(db)
    case = active_case(db, people.worker)
    make_dormant(db, case, people.worker)
    db.commit()
    when = (today() + timedelta(days=400)).isoformat() + "T09:00"
    environment = _environment(database_url)
    runs = [
        subprocess.Popen(
            [str(HOMEWARD), "tick", "--now", when],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=180)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    raised = [line for output in outputs for line in output.splitlines() if line.startswith("Prompts raised")]
    # Either one found the other running and did nothing, or it ran after and found nothing to do.
    assert sorted(raised)[-1] == "Prompts raised: 2; resolved: 0.", outputs
    assert sum(int(line.split()[2].rstrip(";")) for line in raised) == 2, outputs
    db.expire_all()
    assert len(db.exec(select(Prompt).where(Prompt.case_id == case.id)).all()) == 2
