"""Dates and times in SQL, alike on SQLite and PostgreSQL: days and seconds since 1970, the local
day of a stored UTC time (summer time in the UK), and when the referral clock started."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import BigInteger, and_, case, cast, func, literal
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from app.cases.models import Case
from app.timeutil import LOCAL


def _dialect(session: Session | str) -> str:
    return session if isinstance(session, str) else session.get_bind().dialect.name


def epoch_days(session: Session | str, column) -> ColumnElement:
    """Days since 1 January 1970 of a date column, as an integer, on SQLite and PostgreSQL alike
    (`session` or the name of its database kind)."""
    if _dialect(session) == "postgresql":
        return cast(column - date(1970, 1, 1), BigInteger)
    return cast(func.julianday(column) - 2440587.5, BigInteger)


def epoch_seconds(session: Session | str, column) -> ColumnElement:
    """Whole seconds since 1970 of a date-time column, as an integer."""
    if _dialect(session) == "postgresql":
        # date_part, not EXTRACT: EXTRACT answers in numeric, whose arithmetic took about a third
        # of the scorecard's distance statement over a million ratings; a double holds every
        # second (and microsecond) of these dates exactly, so the floor is the same.
        return cast(func.floor(func.date_part("epoch", column)), BigInteger)
    return cast(func.strftime("%s", column), BigInteger)


def _local_offsets(first_year: int, last_year: int) -> tuple[int, list[tuple[datetime, datetime, int]]]:
    """The local zone's offset from UTC in seconds: the one in force on 1 January of `first_year`, and
    the spells (UTC start, UTC end, offset) in which it differs, to the end of `last_year`.

    Found from the zone database hour by hour around each day the offset changes, so the SQL below
    turns a stored UTC time into the local day as the worker saw it (summer time in the UK).
    """

    def offset(at: datetime) -> int:
        return int(at.astimezone(LOCAL).utcoffset().total_seconds())

    at = datetime(first_year, 1, 1, tzinfo=UTC)
    stop = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    usual, current, since, spells = offset(at), offset(at), at, []
    while at < stop:
        following = at + timedelta(days=1)
        if offset(following) != current:
            hour = at
            while offset(hour) == current:
                hour += timedelta(hours=1)
            if current != usual:
                spells.append((since, hour, current))
            current, since = offset(hour), hour
        at = following
    if current != usual:
        spells.append((since, stop, current))
    return usual, spells


def local_days(session: Session, column, first_year: int, last_year: int) -> ColumnElement:
    """Days since 1 January 1970 of the local date of a date-time column, for times in the years given."""
    usual, spells = _local_offsets(first_year, last_year)
    shift = case(*[(and_(column >= a, column < b), literal(o)) for a, b, o in spells], else_=literal(usual))
    return (epoch_seconds(session, column) + shift) // 86400


def days_between(session: Session, start, end) -> ColumnElement:
    """Whole days from the date `start` to the date `end`."""
    return epoch_days(session, end) - epoch_days(session, start)


def _time_seconds(session: Session, column) -> ColumnElement:
    """Seconds since midnight of a time-of-day column, as an integer."""
    if _dialect(session) == "postgresql":
        return cast(func.floor(func.date_part("epoch", column)), BigInteger)
    return cast(func.round((func.julianday(literal("1970-01-01 ").op("||")(column)) - 2440587.5) * 86400), BigInteger)


def _local_to_epoch(clock: ColumnElement, first_year: int, last_year: int) -> ColumnElement:
    """Seconds since 1970 (UTC) of `clock`, a local wall-clock time given as seconds since 1970."""
    usual, spells = _local_offsets(first_year, last_year)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    shift = case(
        *[
            (
                and_(clock >= int((a - epoch).total_seconds()) + o, clock < int((b - epoch).total_seconds()) + o),
                literal(o),
            )
            for a, b, o in spells
        ],
        else_=literal(usual),
    )
    return clock - shift


def referral_started(session: Session, first_year: int, last_year: int) -> ColumnElement:
    """When the referral clock started, as seconds since 1970: `app.cases.rules.referral_started_at`
    in SQL, so the scorecard times first contact as the case page does (from the referral's own
    date and time, else the start of an earlier referral day, else when the case was entered)."""
    opened = epoch_seconds(session, Case.opened_at)
    day = epoch_days(session, Case.referral_date)
    with_time = _local_to_epoch(day * 86400 + _time_seconds(session, Case.referral_time), first_year, last_year)
    return case(
        (
            and_(Case.referral_date.is_not(None), Case.referral_time.is_not(None)),
            case((with_time < opened, with_time), else_=opened),
        ),
        (
            and_(Case.referral_date.is_not(None), day < local_days(session, Case.opened_at, first_year, last_year)),
            _local_to_epoch(day * 86400, first_year, last_year),
        ),
        else_=opened,
    )
