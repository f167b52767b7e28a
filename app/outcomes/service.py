"""Recording outcome records: reading the form into coded indicators, the rules, and the audit."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from app.audit import service as audit
from app.cases.models import Case, CaseStatus
from app.endings.models import Ending
from app.forms import Form
from app.outcomes.models import (
    CARE_STATUSES,
    COUNTERFACTUALS,
    COUNTS,
    EDUCATION,
    FOLLOW_UP_MONTHS,
    FORM_POINTS,
    LEVELS,
    LIVING,
    PLACEMENTS,
    YES_NO,
    FollowUpTask,
    OutcomeRecord,
)
from app.security.auth import Actor
from app.timeutil import local, utcnow

CODED = [
    ("living", LIVING),
    ("care_status", CARE_STATUSES),
    ("education", EDUCATION),
    ("anti_social_behaviour", YES_NO),
    ("sexual_exploitation_risk", LEVELS),
    ("criminal_exploitation_risk", LEVELS),
    ("substance_concern", YES_NO),
    ("mental_health_service", YES_NO),
]


def work_ended_on(*, session: Session, case: Case) -> date | None:
    """The day active work last ended (its latest ending), if the case is dormant or closed now."""
    if case.status not in (CaseStatus.dormant, CaseStatus.closed):
        return None
    ended_at = session.exec(
        select(func.max(Ending.recorded_at)).where(Ending.case_id == case.id, Ending.pending.is_(False))
    ).one()
    ended_at = ended_at or case.closed_at
    return local(ended_at).date() if ended_at else None


def read_form(*, form: Form, ended_on: date | None) -> dict:
    """The record's fields from the form; each problem is put beside its field on `form`."""
    codes = lambda options: [c for c, _ in options]  # noqa: E731
    fields: dict = {}
    fields["point"] = form.choice("point", codes(FORM_POINTS))
    fields["taken_on"] = form.date("taken_on", required=True, not_future=True)
    for name, options in CODED:
        fields[name] = form.choice(name, codes(options), default="not_known")
    taken_on = fields["taken_on"]
    for name in ("living_since", "care_status_since", "care_status_until"):
        fields[name] = form.date(name, not_future=True)
        if fields[name] and taken_on and fields[name] > taken_on and name != "care_status_until":
            form.error(name, "This is after the date the record was taken; it should be on or before it.")
    since, until = fields["care_status_since"], fields["care_status_until"]
    if since and until and until < since:
        form.error("care_status_until", "The end of the care status is before its start.")
    if fields["living"] == "in_care":
        fields["placement"] = form.choice("placement", codes(PLACEMENTS))
    else:
        fields["placement"] = ""
    fields["attendance_percent"] = form.integer("attendance_percent", minimum=0, maximum=100)
    for name, _ in COUNTS:
        fields[name] = form.integer(name, minimum=0, maximum=999)
    point = fields["point"]
    if point in FOLLOW_UP_MONTHS:
        if ended_on is None:
            form.error("point", "A follow-up is for after active work has ended; this case's work has not ended.")
        elif taken_on and taken_on < ended_on:
            form.error("taken_on", f"A follow-up is taken after the work ended ({ended_on:%-d %b %Y}).")
    if point == "baseline":
        fields["counterfactual_worker"] = form.choice("counterfactual_worker", codes(COUNTERFACTUALS))
        fields["counterfactual_worker_reason"] = form.text("counterfactual_worker_reason", max_length=2000)
        if fields["counterfactual_worker"] not in (None, "not_known") and not fields["counterfactual_worker_reason"]:
            form.error("counterfactual_worker_reason", "Please say why you think so.")
        fields["counterfactual_manager"] = (
            form.choice("counterfactual_manager", codes(COUNTERFACTUALS), required=False) or ""
        )
        fields["counterfactual_manager_reason"] = form.text("counterfactual_manager_reason", max_length=2000)
        if fields["counterfactual_manager"] not in ("", "not_known") and not fields["counterfactual_manager_reason"]:
            form.error("counterfactual_manager_reason", "Please give the team manager's reason.")
    return fields


def record(*, session: Session, case: Case, actor: Actor, fields: dict, source: str = "form") -> OutcomeRecord:
    """Store one outcome record, mark any follow-up for its point done, and audit it."""
    entry = OutcomeRecord(case_id=case.id, by_user_id=actor.id, source=source, **fields)
    session.add(entry)
    if entry.point in FOLLOW_UP_MONTHS:
        for task in session.exec(
            select(FollowUpTask).where(
                FollowUpTask.case_id == case.id, FollowUpTask.point == entry.point, FollowUpTask.done_at.is_(None)
            )
        ).all():
            task.done_at = utcnow()
            session.add(task)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        object_type="outcome_record",
        object_id=entry.id,
        case_id=case.id,
        detail=f"point={entry.point} source={source}",
    )
    return entry


def records_for(*, session: Session, case: Case, limit: int = 50) -> list[OutcomeRecord]:
    """A case's outcome records, newest first (one query)."""
    return list(
        session.exec(
            select(OutcomeRecord)
            .where(OutcomeRecord.case_id == case.id)
            .order_by(OutcomeRecord.taken_on.desc(), OutcomeRecord.recorded_at.desc())
            .limit(limit)
        ).all()
    )
