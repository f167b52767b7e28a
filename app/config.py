"""Settings, read from the environment in this one place.

Every setting is documented in README.md ("Configuration"); a test fails when one is not.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET = "development-only-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    homeward_env: str = "development"  # development | test | production
    database_url: str = f"sqlite:///{ROOT / 'var' / 'homeward.db'}"
    secret_key: str = DEVELOPMENT_SECRET
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    # Login throttling (app/security/throttle.py): per account and address, growing waits.
    login_free_failures: int = 5
    login_first_delay_seconds: int = 2
    login_max_delay_minutes: int = 15
    login_window_minutes: int = 24 * 60
    login_max_failures_per_address: int = 50
    # Across every address: wrong passwords for one account before new addresses wait, and wrong
    # authenticator codes before the account's codes are turned off (app/security/throttle.py).
    login_max_failures_per_account: int = 20
    second_factor_max_failures: int = 10
    # Wrong PINs or passwords inside a session (hand-over, hand-back, profile) that end it.
    login_max_failures: int = 10
    # The offline Worker PIN check's PBKDF2-SHA256 cost (OWASP 2023); tests lower it for speed.
    pin_kdf_iterations: int = 600_000
    # Argon2id for passwords and Worker PINs (passlib's defaults: 64 MiB, 3 passes); tests lower
    # them, since one hash then costs about half a second of a shared core. A stored hash made with
    # other values is re-hashed at the next login (app/security/passwords.py).
    argon2_memory_kib: int = 65_536
    argon2_time_cost: int = 3
    max_body_bytes: int = 2 * 1024 * 1024
    # Case pages each app process keeps rendered (app/cases/page_cache.py), about 15 KB each: enough
    # for the cases a service's workers open within the hour, or most repeat views are rebuilt.
    case_page_cache_pages: int = 2_000
    # Database connections each app process keeps open, and the requests that may hold a database
    # session at once (the rest wait their turn): so a request neither opens a connection only to
    # close it nor waits for one inside a thread (docs/performance.md). Up to 10 more are opened
    # briefly by what connects without a session (the health check, refusals' audit entries).
    database_connections: int = 20
    # `Server-Timing` on every response: SQL statements and time (app/timing.py); `make bench` sets it.
    server_timing: bool = False
    offline_cache_hours: int = 24
    # Minutes without use after which a device forgets its key to kept pages (docs/offline.md
    # "Locked at rest"); like the session's idle limit. Tests lower it.
    offline_lock_minutes: float = 30
    first_contact_target_hours: int = 24
    review_interval_weeks: int = 6
    eligibility_criteria_set: str = "sefton"
    dormant_review_months: int = 3
    max_dormancy_months: int = 12
    no_contact_flag_days: int = 14
    intervention_length_weeks: int = 26
    voice_flag_weeks: int = 6
    review_wait_working_days: int = 5
    missed_visits_flag: int = 3
    dormant_review_weeks: int = 12
    # Single sign-on with the council's OpenID Connect provider (docs/single-sign-on.md); off while
    # OIDC_ISSUER is empty.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_provider_name: str = "your council account"
    oidc_scopes: str = "openid email profile"
    oidc_allowed_email_domains: str = ""  # comma-separated; empty allows any domain
    # Administrators and managers always need a second factor for password sign-ins.
    second_factor_for_everyone: bool = False
    case_supervision_weeks: int = 6
    # "before": a worker's ending waits for the supervisor's approval before the case becomes
    # dormant or closed; "after": it moves the case at once and is signed off afterwards.
    ending_approval: Literal["before", "after"] = "before"
    reflective_supervision_weeks: int = 4
    host: str = "127.0.0.1"
    port: int = 8000

    @property
    def is_production(self) -> bool:
        return self.homeward_env == "production"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def oidc_domains(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.oidc_allowed_email_domains.split(",") if d.strip()]

    @property
    def secure_cookies(self) -> bool:
        # Browsers drop Secure cookies on plain http://127.0.0.1, so only development relaxes it.
        return self.homeward_env not in ("development", "test")

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.is_production and (self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32):
            raise ValueError("SECRET_KEY must be set to a long random value when HOMEWARD_ENV=production")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
