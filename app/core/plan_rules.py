"""One rule for every task-like item of a case's plan, whatever framework wrote it.

Signs of Safety next steps, BASE plan steps, network meeting tasks and prompted tasks all have a
due date; they are overdue by the same rule and refuse a due date that has already passed by the
same rule (issue 18, defect 7). Pure functions: the platform layer, so every framework may use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

FINISHED = frozenset({"done", "dropped"})

# One status vocabulary for the case's one plan, whatever framework holds the item.
PLAN_STATUSES = {"open": "Not done yet", "partly": "Partly done", "done": "Done", "dropped": "No longer needed"}


@dataclass(frozen=True)
class PlanItem:
    """One item of a case's plan as the plan page and the ending review see it."""

    source: str  # the feature that holds it ("signs_of_safety", "base", "network", "endings")
    ref: str  # its id there
    kind: str  # plain words: "Signs of Safety next step", "BASE plan step", ...
    what: str
    who: str
    due_on: date | None
    status: str  # a key of PLAN_STATUSES
    href: str  # the page where it lives
    statuses: tuple[str, ...] = ("open", "done")  # what its source can record
    closed_by: str = ""  # why it closed itself, in words ("A Diamond rating on 3 Dec 2026"; dropped: "the work ended")

    @property
    def key(self) -> str:
        return f"{self.source}:{self.ref}"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def overdue(self, today: date) -> bool:
        return is_overdue(self.due_on, finished=self.finished, today=today)


def is_overdue(due_on: date | None, *, finished: bool, today: date) -> bool:
    """Past its due date and not finished (done or dropped)."""
    return due_on is not None and not finished and due_on < today


def earliest_due(today: date, *, stored: date | None = None) -> date:
    """The earliest due date a form accepts: today, or an earlier date the item already had
    (editing an overdue step's words should not force a new date)."""
    return min(today, stored) if stored is not None else today
