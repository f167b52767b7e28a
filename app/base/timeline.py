"""BASE items on the case timeline: versions started and submitted, formulation meetings, feedback.

Two queries whatever the case holds.
"""
from __future__ import annotations

from datetime import UTC, datetime, time

from sqlmodel import Session, select

from app.base.models import PERSPECTIVE_LABELS, BaseFeedback, BaseVersion, Perspective
from app.cases.extensions import TimelineItem
from app.cases.models import Case


def items(*, session: Session, case: Case) -> list[TimelineItem]:
    url = f"/cases/{case.id}/base"
    found: list[TimelineItem] = []
    versions = session.exec(select(BaseVersion).where(BaseVersion.case_id == case.id).order_by(BaseVersion.number)).all()
    for v in versions:
        found.append(TimelineItem(at=v.created_at, kind="assessment", title=f"BASE assessment version {v.number} started", url=f"{url}?version={v.number}"))
        if v.submitted_at:
            found.append(TimelineItem(at=v.submitted_at, kind="assessment", title=f"BASE assessment version {v.number} submitted for review", url=f"{url}?version={v.number}"))
    if versions:
        # Meetings are carried into every new version, so the newest holds them all.
        for m in versions[-1].content.get("meetings", []):
            held = datetime.combine(datetime.fromisoformat(m["held_on"]).date(), time(12), tzinfo=UTC) if m.get("held_on") else versions[-1].created_at
            found.append(TimelineItem(at=held, kind="meeting", title="Formulation meeting", detail=f"chaired by {m.get('chair', '')}", url=f"{url}/analysis", by=m.get("by", "")))
    rows = session.exec(select(BaseFeedback.recorded_at, BaseFeedback.perspective, BaseFeedback.round).where(BaseFeedback.case_id == case.id)).all()
    for at, perspective, review_round in rows:
        found.append(TimelineItem(at=at, kind="rating", title=f"Service-user feedback: {PERSPECTIVE_LABELS[Perspective(perspective)].lower()}", detail=f"review {review_round}", url=f"{url}/feedback?round={review_round}"))
    return found
