"""What the network's screens share: the labels their templates read, the network's address, the
409 page of a stale edit, and the meeting a path names."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import Response

from app.cases.models import Case
from app.network import service
from app.network.models import (
    CIRCLE_LABELS,
    FGDM_STATUS_LABELS,
    MEETING_KIND_LABELS,
    TASK_STATUS_LABELS,
    VIEWS_GIVEN_LABELS,
    NetworkMeeting,
)
from app.templating import render

LABELS = {
    "circles": CIRCLE_LABELS,
    "kinds": MEETING_KIND_LABELS,
    "views": VIEWS_GIVEN_LABELS,
    "task_status": TASK_STATUS_LABELS,
    "fgdm": FGDM_STATUS_LABELS,
    "agreed": {"agreed": "Agreed", "not_agreed": "Not agreed", "not_yet": "Not answered yet"},
}


def network_url(case_id: int) -> str:
    return f"/cases/{case_id}/network"


def conflict_page(request: Request, case: Case, back: str, what: str) -> Response:
    return render(request, "network/conflict.html", {"case": case, "back": back, "what": what}, status_code=409)


def meeting_or_404(session, case: Case, meeting_id: str) -> NetworkMeeting:
    meeting = service.get_meeting(session=session, case=case, meeting_id=meeting_id)
    if meeting is None:
        raise HTTPException(status_code=404)
    return meeting
