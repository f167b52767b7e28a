"""Ending active work, dormancy, returns to work and their prompts.

Status changes go through app.cases.service (transition, move_to_dormant, reactivate, close,
step), which checks the lifecycle rules, writes the CaseEvent and audit entry and bumps the case
version; this module records what an ending or a return adds and keeps the dormant spell.

Each has its module: ending active work in ending.py, the dormant spell and its review in
dormancy.py, returns to work in returns.py, the tasks a return prompts in prompted_tasks.py and
the case version an edit started from in case_version.py. This module names them all, so the rest
of the app reaches endings through `service` as before.
"""

from __future__ import annotations

from app.cases import reads
from app.endings.dormancy import dormant_review, open_spell
from app.endings.ending import (
    EndingInput,
    approve_ending,
    closing_refusal,
    end_active_work,
    latest_ending,
    missing_for,
    of_this_spell,
    pending_ending,
    settled_endings,
)
from app.endings.models import DormantSpell, Ending, Reactivation
from app.endings.prompted_tasks import PROMPTED_TASKS, UNDONE, close_task, complete_task, undone_because
from app.endings.returns import ReturnTiming, latest_return, reactivate, reopen

__all__ = [
    "PROMPTED_TASKS",
    "UNDONE",
    "EndingInput",
    "ReturnTiming",
    "approve_ending",
    "close_task",
    "closing_refusal",
    "complete_task",
    "dormant_review",
    "end_active_work",
    "latest_ending",
    "latest_return",
    "missing_for",
    "of_this_spell",
    "open_spell",
    "pending_ending",
    "reactivate",
    "reopen",
    "settled_endings",
    "undone_because",
]

reads.per_case(DormantSpell, Ending, Reactivation)  # read whole per case page (app/cases/reads.py)
