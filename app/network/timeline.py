"""Network meetings and FGDM steps on the case's timeline (two queries)."""

from __future__ import annotations

from datetime import datetime, time

from sqlmodel import Session

from app.cases import reads
from app.cases.extensions import TimelineItem
from app.cases.models import Case
from app.network.models import FGDM_STATUS_LABELS, MEETING_KIND_LABELS, FgdmRecord, NetworkMeeting
from app.timeutil import LOCAL

reads.per_case(NetworkMeeting, FgdmRecord)  # read whole per case page (app/cases/reads.py)


def _at(day) -> datetime:
    # Meetings are recorded by date; midday UK time keeps them on that date on the timeline.
    return datetime.combine(day, time(12, 0), tzinfo=LOCAL)


def items(*, session: Session, case: Case, latest: int | None = None) -> list[TimelineItem]:
    result = []
    for m in reads.rows(session=session, model=NetworkMeeting, case_id=case.id):
        result.append(
            TimelineItem(
                at=_at(m.held_on),
                kind="meeting",
                title=MEETING_KIND_LABELS.get(m.kind, "Meeting"),
                detail="final" if m.finalised_at else "draft",
                url=f"/cases/{case.id}/network/meetings/{m.id}",
            )
        )
    for r in reads.rows(session=session, model=FgdmRecord, case_id=case.id):
        result.append(
            TimelineItem(
                at=_at(r.on_date),
                kind="meeting",
                title=f"Family group decision making: {FGDM_STATUS_LABELS.get(r.status, r.status).lower()}",
                url=f"/cases/{case.id}/network#fgdm",
            )
        )
    return result
