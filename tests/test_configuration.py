"""Settings: documented in README.md, and refusing unsafe values in production."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from app.config import DEVELOPMENT_SECRET, ROOT, Settings


def _configuration_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Configuration\n(.*?)(?=^## |\Z)", readme, flags=re.S | re.M)
    assert match, "README.md needs a '## Configuration' section"
    return match.group(1)


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented_in_readme(name):
    # A table row naming the environment variable, like "| `DATABASE_URL` | ... |".
    assert f"| `{name.upper()}` |" in _configuration_section(), f"{name.upper()} is not documented in README.md"


def test_readme_documents_no_setting_that_does_not_exist():
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", _configuration_section(), flags=re.M))
    assert documented == {name.upper() for name in Settings.model_fields}


def test_production_refuses_the_default_secret_key():
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(homeward_env="production", secret_key=DEVELOPMENT_SECRET)


def test_production_refuses_a_short_secret_key():
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(homeward_env="production", secret_key="short-but-not-default")


def test_production_accepts_a_long_random_secret_key():
    settings = Settings(homeward_env="production", secret_key="k" * 48)
    assert settings.is_production and settings.secure_cookies


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "7")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://somewhere/db")
    settings = Settings()
    assert settings.session_idle_minutes == 7
    assert settings.database_url == "postgresql+psycopg://somewhere/db"


def test_password_hashing_costs_default_to_argon2s_own_and_come_from_the_environment(monkeypatch):
    # The suite lowers them (tests/conftest.py); a deployment that sets nothing gets 64 MiB, 3 passes.
    monkeypatch.delenv("ARGON2_MEMORY_KIB")
    monkeypatch.delenv("ARGON2_TIME_COST")
    assert (Settings().argon2_memory_kib, Settings().argon2_time_cost) == (65_536, 3)
    monkeypatch.setenv("ARGON2_MEMORY_KIB", "19456")
    assert Settings().argon2_memory_kib == 19_456
