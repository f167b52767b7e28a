"""People who log in, and the teams they work in."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.timeutil import utcnow


class Role(StrEnum):
    worker = "worker"
    supervisor = "supervisor"
    manager = "manager"
    admin = "admin"


ROLE_LABELS = {
    Role.worker: "Key worker",
    Role.supervisor: "Supervisor",
    Role.manager: "Service manager",
    Role.admin: "Administrator",
}


class Team(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class User(SQLModel, table=True):
    # A worker's name is on every case they hold or wrote on: renaming them moves every case's
    # page version (app/page_versions.py), so no kept case page shows the old name.
    __shown_on_every_case_page__ = ("full_name",)
    # Whether the key worker or co-worker of a case is still there to work it is on its page ("a
    # worker on this case has left: reallocate", app/cases/flags.py): disabling them, or moving
    # their team or role, moves the page version of the cases they hold (app/page_versions.py).
    __shown_on_the_pages_of_its_cases__ = ("is_active", "team_id", "role")

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    full_name: str = Field(max_length=120)
    role: str = Field(max_length=20, default=Role.worker, index=True)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    password_hash: str = Field(max_length=255)
    # The family-mode hand-back PIN (6-8 digits), hashed like a password; None until set.
    pin_hash: str | None = Field(default=None, max_length=255)
    # The offline check of that PIN, made when it is set (docs/family-mode.md): PBKDF2-SHA256 of the
    # PIN with `pin_salt`. The hand-over page carries it so the tablet can hand over and back
    # without a signal; it never carries the PIN.
    pin_salt: str | None = Field(default=None, max_length=64)
    pin_check: str | None = Field(default=None, max_length=128)
    pin_iterations: int | None = None
    # PBKDF2-SHA256 of the PIN with `pin_salt` + "wrap" (docs/offline.md "Locked at rest"): the key
    # that wraps the device key for this worker's tablet; never sent to a device.
    pin_wrap_key: str | None = Field(default=None, max_length=64)
    # Set when the PIN must be replaced at the next login: PINs shorter than 6 digits (all PINs
    # set before migration 0013, whose length the hash cannot tell) fall to offline guessing.
    pin_change_due: bool = Field(default=False)
    is_active: bool = Field(default=True)
    # The council identity provider's `sub` for this person, linked at their first single sign-on
    # (matched then by verified email); afterwards the subject alone identifies them.
    oidc_subject: str | None = Field(default=None, max_length=255, unique=True)
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(Role(self.role), self.role)
