"""BASE analysis: notes and formulation meetings, and why a formulation meeting is suggested now."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, select

from app.base import rules
from app.base.changes import _add, _content, _save
from app.base.models import BaseVersion, VersionStatus
from app.cases.models import Contact
from app.security.auth import Actor
from app.timeutil import today as today_local

NOTE_KINDS = {"worker": "Worker's notes", "family": "With the family", "team": "With the team"}


def add_note(
    *, session: Session, version: BaseVersion, by: Actor, item_id: str, kind: str, text: str, on: date
) -> dict[str, Any]:
    """An analysis note (by the worker, with the family or with the team); append-only."""
    content = _content(version)
    item, added = _add(
        content["notes"], item_id=item_id, fields={"kind": kind, "text": text, "on": on.isoformat()}, by=by
    )
    if added:
        _save(session=session, version=version, content=content, by=by, what="analysis note", item_id=item_id)
    return item


def add_meeting(
    *, session: Session, version: BaseVersion, by: Actor, item_id: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """A formulation meeting: date, chair, attendees, theories tested, barriers, conclusions."""
    content = _content(version)
    item, added = _add(content["meetings"], item_id=item_id, fields=fields, by=by)
    if added:
        _save(session=session, version=version, content=content, by=by, what="formulation meeting", item_id=item_id)
    return item


def submitted_risk_history(*, session: Session, case_id: int) -> list[str | None]:
    """Overall risk judgements of the submitted versions, oldest first (each one a review)."""
    rows = session.exec(
        select(BaseVersion.overall_risk)
        .where(BaseVersion.case_id == case_id, BaseVersion.status == VersionStatus.submitted)
        .order_by(BaseVersion.number)
    ).all()
    return list(rows)


def recent_attendance(*, session: Session, case_id: int, limit: int = 3) -> list[bool]:
    """Attended (True) or missed (False) for the case's latest visits, oldest first."""

    rows = session.exec(
        select(Contact.attended)
        .where(Contact.case_id == case_id, Contact.kind == "visit")
        .order_by(Contact.occurred_on.desc(), Contact.start_time.desc(), Contact.recorded_at.desc())
        .limit(limit)
    ).all()
    return [bool(r) for r in reversed(rows)]


def formulation_reasons(*, session: Session, version: BaseVersion) -> list[str]:
    """Why a formulation meeting is suggested for this case now (empty: not suggested)."""
    content = version.content
    return rules.formulation_reasons(
        overall_risk=content["risk_judgement"].get("level"),
        hazard_levels=[r["level"] for r in content["risks"] if not r.get("tolerable")],
        review_scores=rules.review_scores_from_risk(submitted_risk_history(session=session, case_id=version.case_id)),
        attendance=recent_attendance(session=session, case_id=version.case_id),
        last_meeting_on=max(
            (_as_date(m.get("held_on")) for m in content.get("meetings", []) if m.get("held_on")), default=None
        ),
        today=today_local(),
    )


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
