"""The operations ledger and stored conflicts (DESIGN.md "Offline").

Every form a worker may submit without a signal is replayed later with its operation id in an
`Idempotency-Key` header. The ledger row for that id is written in the same transaction as the
change itself, so either both exist or neither does: a replay finds the row and answers the
recorded result instead of applying the change twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from app.timeutil import utcnow


class SyncOperation(SQLModel, table=True):
    """One applied operation, keyed by the id the tablet gave it, with the answer it got."""

    __tablename__ = "sync_operation"

    op_id: str = Field(primary_key=True, max_length=36)
    user_id: int = Field(foreign_key="user.id", index=True)
    method: str = Field(max_length=10)
    target: str = Field(max_length=300)
    # 0 while being applied, then the recorded status (2xx/3xx applied, 409 kept as a conflict).
    status_code: int = Field(default=0)
    location: str = Field(default="", max_length=300)
    applied_at: datetime = Field(default_factory=utcnow)


class SyncConflict(SQLModel, table=True):
    """An offline edit made from an older version than the server's: kept, never overwritten.

    Both sides are stored as JSON objects of field name to value, so history keeps the worker's
    offline version and the server version it met, whatever the worker chose.
    """

    __tablename__ = "sync_conflict"
    __table_args__ = (Index("ix_sync_conflict_user_resolved", "user_id", "resolved_at"),)

    op_id: str = Field(primary_key=True, max_length=36)
    user_id: int = Field(foreign_key="user.id")
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    record_type: str = Field(max_length=40)  # "person"
    record_id: str = Field(max_length=36)
    record_label: str = Field(default="", max_length=200)
    target: str = Field(max_length=300)  # the form's action: the resolution is sent there
    base_version: int
    server_version: int
    mine: str = Field(sa_column=Column(Text, nullable=False))
    theirs: str = Field(sa_column=Column(Text, nullable=False))
    labels: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None
    # The values the worker settled on (JSON), or "" when they kept the server's version.
    resolution: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class HeldItem(SQLModel, table=True):
    """An offline item for a case that moved on while it waited: never applied silently.

    A case now held by another worker: kept "waiting for reassignment" for the team's
    supervisor, who reads what was written. A closed case: refused, and kept for the supervisor.
    The author's device shows where it went (docs/offline.md "Cases that moved on").
    """

    __tablename__ = "sync_held_item"

    op_id: str = Field(primary_key=True, max_length=36)
    user_id: int = Field(foreign_key="user.id")  # the author
    case_id: int = Field(foreign_key="case.id", index=True)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    reason: str = Field(max_length=20)  # "reassigned" or "closed"
    target: str = Field(max_length=300)
    label: str = Field(default="", max_length=200)
    fields: str = Field(sa_column=Column(Text, nullable=False))  # JSON [[name, value], ...]
    held_at: datetime = Field(default_factory=utcnow)
    settled_at: datetime | None = None
    settled_by_id: int | None = Field(default=None, foreign_key="user.id")


class DeviceItem(SQLModel, table=True):
    """An item a device said it holds, waiting to sync: how Homeward notices one that was lost.

    Clearing the browser's site data (or the browser evicting it) deletes waiting items with the
    rest; the device cannot know, but Homeward remembers what it was told and says so. Which
    device said so (`device_id`, the browser's own cookie) keeps a worker's other tablet or phone
    from being told that items still waiting here were lost (app/sync/held.py).
    """

    __tablename__ = "sync_device_item"

    op_id: str = Field(primary_key=True, max_length=36)
    user_id: int = Field(foreign_key="user.id", index=True)
    device_id: str | None = Field(default=None, max_length=32)
    # When a browser reporting for the first time was told this item may be elsewhere (once only).
    told_at: datetime | None = None
    target: str = Field(max_length=300)
    saved_at: datetime
    reported_at: datetime = Field(default_factory=utcnow)


class DeviceSeen(SQLModel, table=True):
    """A worker has reported from this browser before (app/sync/held.py): a browser is new to a
    worker, and hears of their items that may be elsewhere, the first time that worker reports
    from it, whoever used it before (a shared tablet)."""

    __tablename__ = "sync_device_seen"

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    device_id: str = Field(primary_key=True, max_length=32)
    first_at: datetime = Field(default_factory=utcnow)
