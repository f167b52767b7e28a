"""The network pages "Take offline" keeps on the device for a case (app/cases/extensions.py).

The map and the meeting form always, so a meeting can be recorded in the family's home with no
signal; and the latest meetings with their letters (and a draft's edit form), to read, correct or
draft the letter offline. A meeting recorded offline has no page on the device until it has synced
and the case is taken offline again: its letter and a review of its tasks wait for that.
One query, whatever the number of meetings.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.cases.models import Case
from app.network.models import NetworkMeeting
from app.security.permissions import can_change_case

RECENT_MEETINGS = 3  # the next review usually needs only the latest; a few more for reading


def pages(*, session: Session, case: Case, actor) -> list[str]:
    base = f"/cases/{case.id}/network"
    can_change = can_change_case(actor.user, case)
    listed = [base] + ([f"{base}/meetings/new"] if can_change else [])
    recent = session.exec(
        select(NetworkMeeting.id, NetworkMeeting.finalised_at)
        .where(NetworkMeeting.case_id == case.id)
        .order_by(NetworkMeeting.held_on.desc(), NetworkMeeting.created_at.desc())
        .limit(RECENT_MEETINGS)
    ).all()
    for meeting_id, finalised_at in recent:
        url = f"{base}/meetings/{meeting_id}"
        listed += [url, f"{url}/letter", f"{url}/letter/print"]
        if can_change and finalised_at is None:
            listed.append(f"{url}/edit")
    return listed
