"""Network rules that touch the database: members, meetings, tasks and FGDM (letters: letters.py).

Creates are idempotent by their client-made id (a replay from the offline outbox changes nothing);
edits carry the version they started from and a stale one raises `StaleVersion` (DESIGN.md "Offline").

Each concept has its module: the map's members in members.py, meetings in meetings.py, tasks in
tasks.py, FGDM in fgdm.py and the refusals in refusals.py. This module names them all, so the rest
of the app reaches the network through `service` as before; it keeps what joins them (the case
page's summary, the safety plan's rules from Signs of Safety).
"""

from __future__ import annotations

from sqlmodel import Session

from app.cases import reads
from app.cases.models import Case
from app.network.fgdm import fgdm_history, record_fgdm
from app.network.meetings import (
    AttendeeInput,
    MeetingDetail,
    MeetingInput,
    TaskInput,
    TaskProgress,
    add_addendum,
    create_meeting,
    finalise_meeting,
    get_meeting,
    meeting_detail,
    meetings,
    network_consent_given,
    update_meeting,
)
from app.network.members import MapEntry, add_professional, member_for, network_map, save_person_facts
from app.network.models import FgdmRecord, NetworkMeeting, NetworkTask
from app.network.refusals import AlreadyFinal, NotYetFinal, StaleVersion
from app.network.tasks import case_tasks, earlier_tasks, reviewed_elsewhere, tasks_to_review, update_task
from app.refused import WrongCase
from app.signs_of_safety import service as sos

__all__ = [
    "AlreadyFinal",
    "AttendeeInput",
    "MapEntry",
    "MeetingDetail",
    "MeetingInput",
    "NotYetFinal",
    "StaleVersion",
    "TaskInput",
    "TaskProgress",
    "WrongCase",
    "add_addendum",
    "add_professional",
    "case_tasks",
    "create_meeting",
    "earlier_tasks",
    "fgdm_history",
    "finalise_meeting",
    "get_meeting",
    "meeting_detail",
    "meetings",
    "member_for",
    "network_consent_given",
    "network_map",
    "record_fgdm",
    "reviewed_elsewhere",
    "safety_plan_rules",
    "save_person_facts",
    "section_summary",
    "tasks_to_review",
    "update_meeting",
    "update_task",
]

reads.per_case(NetworkTask, NetworkMeeting, FgdmRecord)  # read whole per case page (app/cases/reads.py)


def safety_plan_rules(*, session: Session, case: Case) -> list[str]:
    """The case's safety plan rules, in the plan's words, when the Signs of Safety feature has a plan.

    Reached only through that feature's service (STYLE.md).
    """
    return list(sos.safety_plan_rules(session=session, case=case))


# ---- the case page ---------------------------------------------------------------------------


def section_summary(*, session: Session, case: Case) -> dict:
    """What the case page shows of the network, in three queries whatever the case's size (the
    same rows as its timeline items: app/cases/reads.py)."""
    meetings = reads.rows(session=session, model=NetworkMeeting, case_id=case.id)
    fgdm = reads.rows(session=session, model=FgdmRecord, case_id=case.id)
    return {
        "latest": max(meetings, key=lambda m: (m.held_on, m.created_at), default=None),
        "meeting_count": len(meetings),
        "tasks": case_tasks(session=session, case=case),
        "fgdm": max(fgdm, key=lambda r: (r.on_date, r.recorded_at), default=None),
    }
