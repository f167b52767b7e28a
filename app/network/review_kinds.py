"""How a supervisor reviews network meeting notes (app/features.py ReviewKind)."""

from __future__ import annotations

from sqlmodel import Session

from app.features import ReviewKind, Sections
from app.network import service as network
from app.network.models import NetworkMeeting
from app.timeutil import as_utc


def _meeting_sections(session: Session, submission) -> Sections:
    meeting = session.get(NetworkMeeting, submission.item_id)
    if meeting is None:
        return []
    detail = network.meeting_detail(session=session, meeting=meeting)
    # A version is what was sent: corrections made since belong to the next version, so the one a
    # supervisor approved stays as approved and a resubmission shows the correction as a change.
    sent_at = as_utc(submission.submitted_at)
    addenda = [a for a in detail.addenda if as_utc(a.at) <= sent_at]
    return [
        ("Who came", "\n".join(f"{a.name} ({a.role})" if a.role else a.name for a in detail.present)),
        ("Young person's views", meeting.young_person_views),
        ("Worries", meeting.worries),
        ("Working well", meeting.working_well),
        ("What needs to happen", meeting.needs_to_happen),
        (
            "Decisions",
            "\n".join(f"{d.decision} — {d.rationale}" if d.rationale else d.decision for d in detail.decisions),
        ),
        ("Tasks", "\n".join(f"{t.what} ({t.who})" for t in detail.tasks)),
        ("Corrections", "\n".join(a.text for a in addenda)),
    ]


MEETING_NOTES = ReviewKind(
    key="network_meeting",
    label="Network meeting notes",
    sections=_meeting_sections,
    url=lambda s: f"/cases/{s.case_id}/network/meetings/{s.item_id}",
    resubmit_here=True,
)
