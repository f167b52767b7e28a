"""Integer ids from URLs and forms: whether a number could be a row's primary key."""

from __future__ import annotations

# Integer primary keys are 32-bit on PostgreSQL: a larger id in a URL would make the database
# refuse the query (a 500) instead of simply finding nothing (a 404).
MAX_ID = 2**31 - 1


def is_valid_id(value: int) -> bool:
    """Whether `value` could be an integer primary key (look it up only if so)."""
    return 0 < value <= MAX_ID


def parse_id(text: str) -> int | None:
    """The id a query string names, or None when it could not be one ("²" is a digit to
    `str.isdigit` but not to `int`; a 25-digit number is beyond any column)."""
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return None
    value = int(text)
    return value if is_valid_id(value) else None
