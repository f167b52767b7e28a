"""Time in one place: timezone-aware UTC datetimes (SQLModel stores them as UTC on both databases)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

# Workers and families read times in UK local time; everything is stored in UTC.
LOCAL = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """`value` as an aware UTC datetime (SQLite hands stored times back without their zone)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def device_time(raw: str) -> datetime | None:
    """A moment a device stamped on a form (an ISO time with its zone, as JavaScript's
    `toISOString` writes it); None if missing, unreadable or without a zone. Whoever reads it
    decides how far to trust it: a device's clock can be wrong. A stamp at the calendar's very
    edge (year 1 or 9999 with an offset) cannot be turned into UTC and is unreadable too."""
    try:
        stamp = datetime.fromisoformat(raw.strip())
        return stamp.astimezone(UTC) if stamp.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None


def given_at(stamp: datetime | None, *, on: date, now: datetime) -> datetime:
    """When a form dated `on` was given, which decides which of that day's entries stands: the
    moment the device stamped it (app.js `data-stamp`; an item kept offline and sent hours later
    does not supersede one given since), never after now. A stamp from before the day `on` began
    is a device clock running behind and is not trusted: moved up to the day's start, two such
    entries would tie and the later could lose. None, now."""
    day_began = datetime.combine(on, time(0), LOCAL).astimezone(UTC)
    if stamp is None or stamp < day_began:
        return now
    return min(stamp, now)


def today() -> date:
    return datetime.now(LOCAL).date()


def local(value: datetime) -> datetime:
    return value.astimezone(LOCAL) if value.tzinfo else value.replace(tzinfo=UTC).astimezone(LOCAL)


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def days_ago(day: date, on: date | None = None) -> str:
    """How long ago `day` was, in the words a worker says: "today", "yesterday", "3 days ago",
    then the date itself from a fortnight on ("on 3 Dec 2026")."""
    days = ((on or today()) - day).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    return f"on {day:%-d %b %Y}"
