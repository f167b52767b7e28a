"""BASE items on the case timeline: versions started and submitted, formulation meetings, feedback.

At most three queries whatever the case holds, none for a case with no BASE assessment yet.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import bindparam
from sqlmodel import Session, select

from app.base.models import PERSPECTIVE_LABELS, BaseFeedback, BaseVersion, Perspective
from app.cases import reads
from app.cases.extensions import TimelineItem
from app.cases.models import Case
from app.db import read_columns

reads.per_case(BaseVersion, BaseFeedback)  # not read on a case page when the case has none

# Built once, the case a bound parameter (issue 21).
_FEEDBACK = select(BaseFeedback.recorded_at, BaseFeedback.perspective, BaseFeedback.round).where(
    BaseFeedback.case_id == bindparam("case_id")
)
_VERSIONS = (
    select(BaseVersion.number, BaseVersion.created_at, BaseVersion.submitted_at)
    .where(BaseVersion.case_id == bindparam("case_id"))
    .order_by(BaseVersion.number)
)


def feedback(*, session: Session, case: Case) -> list:
    """(recorded at, perspective, round) of every service-user feedback of the case: its timeline
    items, and their count on the BASE part of the page (read once per case page)."""
    return reads.once(
        session=session,
        case_id=case.id,
        key="base feedback",
        read=lambda: (
            []
            if reads.none(session=session, model=BaseFeedback, case_id=case.id)
            else read_columns(session, _FEEDBACK, {"case_id": case.id}).all()
        ),
    )


def items(*, session: Session, case: Case, latest: int | None = None) -> list[TimelineItem]:
    url = f"/cases/{case.id}/base"
    found: list[TimelineItem] = []
    # Light columns for every version; the document itself only for the newest.
    versions = []
    if not reads.none(session=session, model=BaseVersion, case_id=case.id):
        versions = read_columns(session, _VERSIONS, {"case_id": case.id}).all()
    for number, created_at, submitted_at in versions:
        found.append(
            TimelineItem(
                at=created_at,
                kind="assessment",
                title=f"BASE assessment version {number} started",
                url=f"{url}?version={number}",
            )
        )
        if submitted_at:
            found.append(
                TimelineItem(
                    at=submitted_at,
                    kind="assessment",
                    title=f"BASE assessment version {number} submitted for review",
                    url=f"{url}?version={number}",
                )
            )
    if versions:
        newest = session.exec(
            select(BaseVersion.content).where(BaseVersion.case_id == case.id, BaseVersion.number == versions[-1][0])
        ).one()
        # Meetings are carried into every new version, so the newest holds them all.
        for m in newest.get("meetings", []):
            held = (
                datetime.combine(datetime.fromisoformat(m["held_on"]).date(), time(12), tzinfo=UTC)
                if m.get("held_on")
                else versions[-1][1]
            )
            found.append(
                TimelineItem(
                    at=held,
                    kind="meeting",
                    title="Formulation meeting",
                    detail=f"chaired by {m.get('chair', '')}",
                    url=f"{url}/analysis",
                    by=m.get("by", ""),
                )
            )
    for at, perspective, review_round in feedback(session=session, case=case):
        found.append(
            TimelineItem(
                at=at,
                kind="rating",
                title=f"Service-user feedback: {PERSPECTIVE_LABELS[Perspective(perspective)].lower()}",
                detail=f"review {review_round}",
                url=f"{url}/feedback?round={review_round}",
            )
        )
    return found
