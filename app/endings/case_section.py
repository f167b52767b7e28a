"""Endings on the case page: "End active work", "Reactivate", the dormant review, "Ask to reopen" and prompted tasks."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, select

from app.cases import reads
from app.cases.models import Case, CaseStatus
from app.config import get_settings
from app.db import read_columns
from app.endings import reopen_requests, service
from app.endings.models import ASKED_BY, PROMPT_WORDS, EndingTask, Prompt
from app.security.permissions import can_change_case
from app.timeutil import today

reads.per_case(EndingTask, Prompt)  # read whole, or not read when the case has none (app/cases/reads.py)

_OPEN_PROMPTS = (  # built once, the case a bound parameter (issue 21)
    select(Prompt.kind, Prompt.raised_at)
    .where(Prompt.case_id == bindparam("case_id"), Prompt.resolved_at.is_(None))
    .order_by(Prompt.raised_at)
)


def context(*, session: Session, case: Case, actor) -> dict:
    role = actor.user.role
    can_change = can_change_case(actor.user, case)
    spell = service.open_spell(session=session, case=case) if case.status == CaseStatus.dormant else None
    tasks = sorted(  # open ones first, soonest due first
        reads.rows(session=session, model=EndingTask, case_id=case.id), key=lambda t: (t.done_at is not None, t.due_on)
    )[:20]
    prompts = []
    if not reads.none(session=session, model=Prompt, case_id=case.id):
        prompts = read_columns(session, _OPEN_PROMPTS, {"case_id": case.id}).all()
    pending = service.pending_ending(session=session, case=case) if case.status == CaseStatus.active else None
    closed = case.status == CaseStatus.closed
    ending = (
        service.latest_ending(session=session, case=case)
        if case.status in (CaseStatus.dormant, CaseStatus.closed)
        else None
    )
    reopen_request = reopen_requests.open_request(session=session, case=case) if closed else None
    return {
        "reopen_request": reopen_request,
        "can_ask_reopen": closed and reopen_request is None and reopen_requests.is_case_worker(actor.user, case),
        "can_change": can_change,
        "can_end": can_change
        and case.status == CaseStatus.active
        and not (pending and pending[1] is not None and pending[1].status == "waiting"),
        # (ending, its submission): "Ending awaiting approval", or returned with the comments.
        "pending": pending,
        "can_reactivate": case.status == CaseStatus.dormant
        and (actor.user.id == case.key_worker_id or (role == "supervisor" and can_change)),
        "can_review": can_change and case.status == CaseStatus.dormant,
        "can_reopen": role == "supervisor" and can_change and case.status == CaseStatus.closed,
        "spell": spell,
        "ending": ending,
        # Reopened or reactivated since, the case's work ended some other way (closed from the status
        # screen): that ending's named contact was for the earlier work. (Its rows are read already.)
        "ending_earlier": ending is not None and not service.of_this_spell(session, case, ending),
        "back": service.latest_return(
            session=session, case=case, target_hours=get_settings().first_contact_target_hours
        ),
        "tasks": tasks,
        "undone": {task.id: service.undone_because(task) for task in tasks},
        "prompts": [(PROMPT_WORDS.get(kind, kind), at) for kind, at in prompts],
        "asked_by": dict(ASKED_BY),
        "today": today(),
    }
