"""Pure rules for offline operations (no database)."""

from __future__ import annotations

from datetime import date, datetime


def is_stale(*, base_version: int | None, current_version: int) -> bool:
    """Whether an edit started from an older version than the server holds now.

    An edit without a base version (an old page, a form posted without it) is treated as
    current: only the outbox sends base versions, and only its edits can be hours old.
    """
    return base_version is not None and base_version != current_version


def as_text(value: object) -> str:
    """A stored field value as the text a form would send ("1"/"" for yes/no)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)
