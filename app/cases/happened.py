"""When a change happened, read from a form's "When it happened" date and time (issue 18: work
recorded afterwards), shared by the status screen, eligibility screening and Reopen."""

from __future__ import annotations

from datetime import datetime, time

from app.forms import Form
from app.timeutil import LOCAL, today, utcnow


def happened_at(form: Form, case) -> tuple[datetime | None, bool]:
    """When it happened, if earlier than now (issue 18: recording past work); never the future;
    and whether its time was given (without one it reads as midday, which the services may move).
    The audit entry keeps the time it was entered; the record keeps the time it happened."""
    on = form.date("happened_on", not_future=True, label="The date it happened")
    at = form.time("happened_time")
    if on is None:
        return None, False
    if at is None and on == today() and not form.errors.get("happened_on"):
        # Today with no time is now: midday would not have happened yet in the morning.
        if case.referral_date and on < case.referral_date:
            form.error("happened_on", f"This is before the referral on {case.referral_date:%-d %b %Y}.")
        return None, False
    when = datetime.combine(on, at or time(12, 0), tzinfo=LOCAL)
    if when > utcnow():
        form.error("happened_time", "This time has not happened yet today.")
    if case.referral_date and on < case.referral_date:
        form.error("happened_on", f"This is before the referral on {case.referral_date:%-d %b %Y}.")
    return when, at is not None
