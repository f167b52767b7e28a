"""`make run` installs from requirements.lock and `make test` from requirements-dev.lock: every
dependency pyproject.toml names must be pinned there, or a fresh clone would not start."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=\[ ;!~]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}


def pinned(lock: str) -> dict[str, str]:
    lines = (ROOT / lock).read_text().splitlines()
    pairs = (line.split("==") for line in lines if line and not line.startswith("#"))
    return {name.lower().replace("_", "-"): version for name, version in pairs}


def test_every_dependency_of_the_app_is_pinned_for_make_run():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    missing = names(project["dependencies"]) - set(pinned("requirements.lock"))
    assert not missing, f"run `make lock`: {sorted(missing)} not in requirements.lock"


def test_every_test_tool_is_pinned_for_make_test_at_the_same_versions_as_the_app():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    app, dev = pinned("requirements.lock"), pinned("requirements-dev.lock")
    missing = names(project["dependencies"] + project["optional-dependencies"]["dev"]) - set(dev)
    assert not missing, f"run `make lock`: {sorted(missing)} not in requirements-dev.lock"
    assert {name: dev.get(name) for name in app} == app
    assert "pytest" not in app and "playwright" not in app
