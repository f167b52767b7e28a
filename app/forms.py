"""Form handling with Django's contract: per-field errors, values kept, 422 on a re-rendered form.

A route takes the posted form as `sent: SentForm` (a `FormData`), asks it for typed fields (each
failure lands beside its field), and only calls the service when `form.ok`. Nothing is written otherwise.

A form takes each field once and as text unless the route says otherwise (`repeated=` for
checkboxes read with `multi`, `files=` for an upload): a field sent twice or as a file part is
refused with 422 and a message before any route code sees it, so no route trips over a list or
an upload where it expected a string (issue 20: 41 answers of 500 came from exactly that).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Annotated, Any, get_args

from fastapi import Depends, HTTPException, Request
from starlette.datastructures import FormData as StarletteForm

from app import i18n
from app.refused import Refused
from app.timeutil import device_time, today, utcnow

# Dates outside these years are typing slips (or probes), and date arithmetic near year 9999
# overflows; nothing Homeward records happened before 1900 or is planned after 2100.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
MAX_INTEGER = 2**31 - 1


# The device's clock when it sent the form (offline.js `send`), beside the form's own stamp; a
# difference from Homeward's clock beyond a year is not a tablet's clock and is not applied.
SENT_AT_HEADER = "X-Homeward-Sent-At"
MAX_CLOCK_DIFFERENCE = timedelta(days=366)


def on_homewards_clock(request: Request, form: StarletteForm) -> StarletteForm:
    """The form with its `recorded_at` (the moment the device stamped it: app.js `data-stamp`)
    moved onto Homeward's clock: by how far the device's clock, read as it sent the form
    (`X-Homeward-Sent-At`), is from Homeward's as it arrives. A tablet whose clock runs a day
    behind stamps a correction made this afternoon as yesterday's; read as it is, that correction
    would count as older than the entry it corrects. Whoever reads the stamp still decides how far
    to trust it (never after now). Without the header (a form posted without the script) or with
    either time unreadable, the form as sent."""
    stamp, sent_at = form.get("recorded_at"), device_time(request.headers.get(SENT_AT_HEADER, ""))
    given = device_time(stamp) if isinstance(stamp, str) else None
    if given is None or sent_at is None:
        return form
    behind = utcnow() - sent_at
    if abs(behind) > MAX_CLOCK_DIFFERENCE:  # no tablet's clock; a forged header (or year 1)
        return form
    try:
        moved = (given + behind).isoformat()
    except OverflowError:  # a stamp at the calendar's edge: as sent, for the reader to refuse
        return form
    form = StarletteForm([(key, moved if key == "recorded_at" else value) for key, value in form.multi_items()])
    request._form = form  # what Starlette hands any later reader of the form (the ledger)
    return form


async def sent_form(request: Request) -> StarletteForm:
    """The posted form, read on the event loop (reading the body is waiting for the network), so
    that the route taking it can be a plain `def`: FastAPI runs those in the thread pool, where
    their database work belongs. An `async def` route's own code runs on the event loop, and a
    query there held up every request of the process; one waiting there for the case writers'
    lock (app/locks.py) stopped the process for good, the lock's holder needing the loop to commit.
    Starlette keeps the form on the request (`request._form`), so it is read once.

    Name it after the route's actor, as `sent: SentForm`: dependencies are resolved in order, so
    who is asking is still settled (login, family mode, role) before the body is read.
    A device's stamp comes on Homeward's clock (`on_homewards_clock`)."""
    return on_homewards_clock(request, await request.form())


SentForm = Annotated[StarletteForm, Depends(sent_form)]


class Form:
    def __init__(
        self,
        data: StarletteForm | dict[str, Any] | None = None,
        *,
        repeated: tuple[str, ...] = (),
        files: tuple[str, ...] = (),
    ) -> None:
        if isinstance(data, StarletteForm):
            refuse_unexpected_parts(data, repeated=repeated, files=files)
        self.data = data or {}
        self.errors: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        if data is not None:
            for key in data:
                items = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
                self.values[key] = items if len(items) > 1 else items[0]

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def _raw(self, field: str) -> str:
        value = self.data.get(field) if self.data else None
        # NUL never belongs in text, and PostgreSQL refuses it outright.
        return value.replace("\x00", "").strip() if isinstance(value, str) else ""

    def text(self, field: str, *, required: bool = False, max_length: int = 200, label: str = "This") -> str:
        value = self._raw(field)
        if required and not value:
            self.error(field, f"{label} is needed.")
        elif len(value) > max_length:
            # Through gettext: a family screen shows it in the family's language (docs/i18n.md).
            too_long = i18n.ngettext(
                "Keep this to %(num)s character or fewer (it has %(count)s).",
                "Keep this to %(num)s characters or fewer (it has %(count)s).",
                max_length,
            )
            self.error(field, too_long % {"num": max_length, "count": len(value)})
        return value[:max_length]

    def choice(self, field: str, choices, *, required: bool = True, default: str | None = None) -> str | None:
        value = self._raw(field) or default
        allowed = [str(c) for c in choices]
        if not value:
            if required:
                self.error(field, i18n.gettext("Please choose one."))
            return None
        if value not in allowed:
            self.error(field, i18n.gettext("Please choose one of the options shown."))
            return None
        return value

    def multi(self, field: str, choices) -> list[str]:
        values = self.data.getlist(field) if hasattr(self.data, "getlist") else []
        allowed = {str(c) for c in choices}
        unknown = [v for v in values if v not in allowed]
        if unknown:
            self.error(field, f"Unknown option: {', '.join(unknown[:3])}.")
        # Each ticked once: a value sent twice (a forged or doubled form) is one choice, not two.
        return list(dict.fromkeys(v for v in values if v in allowed))

    def boolean(self, field: str) -> bool:
        return self._raw(field).lower() in ("1", "on", "true", "yes")

    def integer(
        self,
        field: str,
        *,
        required: bool = False,
        minimum: int | None = None,
        maximum: int | None = None,
        default: int | None = None,
    ) -> int | None:
        raw = self._raw(field)
        if not raw:
            if required and default is None:
                self.error(field, i18n.gettext("Please enter a number."))
            return default
        try:
            value = int(raw)
        except ValueError:
            self.error(field, i18n.gettext("Please enter a whole number."))
            return default
        # Whatever the route asked, a number must fit an integer column (32-bit on PostgreSQL).
        minimum = -MAX_INTEGER if minimum is None else minimum
        maximum = MAX_INTEGER if maximum is None else maximum
        if value < minimum or value > maximum:
            self.error(
                field, i18n.gettext("Please enter a number from %(min)s to %(max)s.") % {"min": minimum, "max": maximum}
            )
            return default
        return value

    def date(
        self,
        field: str,
        *,
        required: bool = False,
        not_future: bool = False,
        not_before: date | None = None,
        label: str = "This date",
        default: date | None = None,
    ) -> date | None:
        """A date; `not_future` refuses a date after today, `not_before` one before that day
        (a due date that has already passed). `label` names the field in the message, so an
        error summary with two dates says which is which."""
        raw = self._raw(field)
        if not raw:
            if required and default is None:
                self.error(field, "Please enter a date.")
            return default
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            self.error(field, "Please enter a date like 2026-03-14.")
            return default
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            self.error(field, "Please check the year.")
            return default
        if not_future and value > today():
            self.error(field, f"{label} is in the future; it should be today or earlier.")
            return value
        if not_before is not None and value < not_before:
            self.error(field, f"{label} has already passed; it should be {not_before:%-d %B %Y} or later.")
            return value
        return value

    def time(self, field: str, *, required: bool = False, default: time | None = None) -> time | None:
        raw = self._raw(field)
        if not raw:
            if required and default is None:
                self.error(field, "Please enter a time.")
            return default
        try:
            return time.fromisoformat(raw)
        except ValueError:
            self.error(field, "Please enter a time like 14:30.")
            return default


def refuse_unexpected_parts(
    data: StarletteForm, *, repeated: tuple[str, ...] = (), files: tuple[str, ...] = ()
) -> None:
    """Refuse (422) a field sent more than once or as a file unless the route asked for that."""
    seen: set[str] = set()
    for key, value in data.multi_items():
        if not isinstance(value, str) and key not in files:
            raise Refused(f"“{key[:40]}” was sent as a file, which this form does not take.", field=key)
        if key in seen and key not in repeated:
            raise Refused(f"“{key[:40]}” was sent more than once; this form takes it once.", field=key)
        seen.add(key)


@dataclass(frozen=True)
class Row:
    """One numbered row of a repeated part of a form (a task, an attendee, a goal): it reads
    `<prefix><sep><index><sep><field>` through the form, so errors land beside the row's own boxes."""

    form: Form
    prefix: str
    index: int
    sep: str = "-"

    def key(self, field: str = "") -> str:
        """The row's input name for `field`; the row's own name when `field` is empty (`decision-0`)."""
        row = f"{self.prefix}{self.sep}{self.index}"
        return f"{row}{self.sep}{field}" if field else row

    def text(self, field: str = "", **options) -> str:
        return self.form.text(self.key(field), **options)

    def choice(self, field: str, choices, **options) -> str | None:
        return self.form.choice(self.key(field), choices, **options)

    def date(self, field: str, **options) -> date | None:
        return self.form.date(self.key(field), **options)

    def error(self, field: str, message: str) -> None:
        self.form.error(self.key(field), message)


def formset(form: Form, prefix: str, *, count: int | None = None, max_rows: int = 30, sep: str = "-") -> list[Row]:
    """The rows of a repeated part: as many as the form's `<prefix>-count` says (at most `max_rows`),
    or `count` when the page draws a fixed number. Pages work without JavaScript, so repeated
    parts are numbered rows and a row left blank is the caller's to skip."""
    if count is None:
        count = form.integer(f"{prefix}-count", minimum=0, maximum=max_rows, default=0) or 0
    return [Row(form, prefix, index, sep) for index in range(count)]


def _is_integer(annotation: Any) -> bool:
    return annotation is int or int in get_args(annotation)


def _integer_params(dependant) -> Iterator[tuple[str, str]]:
    for field in dependant.path_params:
        if _is_integer(field.field_info.annotation):
            yield "path", field.alias
    for field in dependant.query_params:
        if _is_integer(field.field_info.annotation):
            yield "query", field.alias
    for sub in dependant.dependencies:
        yield from _integer_params(sub)


async def bounded_parameters(request: Request) -> None:
    """Every integer path or query parameter fits an integer column, for every route: a larger
    one is simply not found (404 in a path, 422 in a query) instead of a database error (a 500).
    Installed on every feature router by app/main.py, so no route has to remember it. No I/O, so
    `async def`: not a hop to the thread pool on every request."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    params = getattr(route, "_integer_params", None)
    if params is None:  # the route's dependencies never change: walked once per route
        params = route._integer_params = tuple(_integer_params(dependant))
    for where, name in params:
        raw = request.path_params.get(name) if where == "path" else request.query_params.get(name)
        try:
            value = int(raw) if raw is not None else 0
        except ValueError:
            continue  # not a number at all: FastAPI answers 422 for it
        if abs(value) > MAX_INTEGER:
            if where == "path":
                raise HTTPException(status_code=404)
            raise HTTPException(status_code=422, detail=f"“{name}” is out of range.")
