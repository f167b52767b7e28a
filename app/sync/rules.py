"""Pure rules for offline operations (no database)."""

from __future__ import annotations

from collections.abc import Mapping
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


def three_way(
    *, base: Mapping[str, str] | None, mine: Mapping[str, str], theirs: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, tuple[str, str, str]]]:
    """Merge an edit field by field against what its page showed (`base`), as text.

    `mine` holds only the fields the form sent. A field the worker left as shown keeps the
    server's value; one only the worker changed (or both changed alike) takes the worker's; one
    changed differently on both sides is a conflict `(base, theirs, mine)` and keeps the server's
    value until the worker settles it. Without a base (an old page, a form posted without the
    script) every field that differs is a conflict: nobody knows who changed it.
    """
    merged, conflicts = dict(theirs), {}
    for field, value in mine.items():
        was, now = (base or {}).get(field), theirs.get(field, "")
        if value in (now, was):
            continue
        if was is not None and now == was:
            merged[field] = value
        else:
            conflicts[field] = (was or "", now, value)
    return merged, conflicts
