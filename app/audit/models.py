"""The audit log: who read or changed what, when, from which device."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from app.timeutil import utcnow

# What family mode records for wrong PINs typed on a tablet offline (app/family/service.py), named
# here, below family, because the partial index below is built on it.
OFFLINE_WRONG_PINS = "family_offline_wrong_pins"
OFFLINE_PINS = f"action = '{OFFLINE_WRONG_PINS}'"


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_case_at", "case_id", "at"),
        Index("ix_audit_entry_user_at", "user_id", "at"),
        Index("ix_audit_entry_lane_id", "lane", "id"),
        # Reports of wrong PINs typed on a tablet offline:
        # rare among a case's entries, most of which are reads, so the case page and the oversight
        # flag find them here instead of among every entry of the case or of the log.
        Index(
            "ix_audit_entry_offline_pins",
            "case_id",
            "id",
            postgresql_where=text(OFFLINE_PINS),
            sqlite_where=text(OFFLINE_PINS),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    action: str = Field(max_length=40)  # read, create, update, transition, login, ...
    object_type: str = Field(max_length=60)
    object_id: str = Field(default="", max_length=64)
    case_id: int | None = Field(default=None, foreign_key="case.id")
    request_id: str = Field(default="", max_length=32)
    user_agent: str = Field(default="", max_length=300)
    address: str = Field(default="", max_length=64)
    # A short description without personal data, e.g. "status referred -> screening".
    detail: str = Field(default="", max_length=300)
    # The hash chain (app/audit/chain.py): the lane the entry was written in, the hash of the lane's
    # entry before it and this entry's own.
    lane: int = Field(default=0)
    prev_hash: str = Field(default="", max_length=64)
    entry_hash: str = Field(default="", max_length=64)

    def __page_version_ignores__(self) -> bool:
        """A record that someone read or listed a case changes nothing the case page shows, so it
        does not move the case's page version (app/page_versions.py); every other entry with a case does."""
        return self.action in ("read", "list")
