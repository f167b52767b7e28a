"""One rule for every task-like item of a case's plan, whatever framework wrote it.

Signs of Safety next steps, BASE plan steps, network meeting tasks and prompted tasks all have a
due date; they are overdue by the same rule and refuse a due date that has already passed by the
same rule (issue 18, defect 7). Pure functions: the platform layer, so every framework may use it.
"""

from __future__ import annotations

from datetime import date

FINISHED = frozenset({"done", "dropped"})


def is_overdue(due_on: date | None, *, finished: bool, today: date) -> bool:
    """Past its due date and not finished (done or dropped)."""
    return due_on is not None and not finished and due_on < today


def earliest_due(today: date, *, stored: date | None = None) -> date:
    """The earliest due date a form accepts: today, or an earlier date the item already had
    (editing an overdue step's words should not force a new date)."""
    return min(today, stored) if stored is not None else today
