"""Start node's oidc-provider (tests/oidc/server.mjs) on loopback for the sign-in tests.

Installs it with `npm ci` from the committed package-lock.json when node_modules is missing. In CI
(CI=true) a missing node or a failed install fails the run; elsewhere a missing node skips.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import IN_CI

HERE = Path(__file__).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_installed() -> str:
    node = shutil.which("node")
    npm = shutil.which("npm")
    if not node or not npm:
        message = "node and npm are needed for the OpenID provider in tests/oidc (apt-get install nodejs npm)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True, text=True, timeout=300
        )
        if result.returncode != 0:
            pytest.fail(f"npm ci in tests/oidc failed:\n{result.stdout}\n{result.stderr}")
    return node


@contextmanager
def running_provider(*, client_id: str, client_secret: str, redirect_uri: str, post_logout_uri: str):
    """Yields the issuer URL of a fresh provider; stopped afterwards."""
    node = ensure_installed()
    port = _free_port()
    process = subprocess.Popen(
        [node, "server.mjs", str(port), client_id, client_secret, redirect_uri, post_logout_uri],
        cwd=HERE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                pytest.fail(f"the OpenID provider did not start:\n{process.stdout.read()}")
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the OpenID provider did not answer within 20 s")
            time.sleep(0.1)
        yield issuer
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
