"""Recording outcome records: reading the form into coded indicators, the rules, and the audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import and_, bindparam, func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from app.audit import service as audit
from app.cases import living as case_facts
from app.cases.models import Case, CaseEvent, CaseStatus
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


def ends_active_work() -> ColumnElement:
    """A case event that ends active work: the case's move from active to dormant or closed, made
    however the work ended ("End active work" when approved, a step that closes, or closing from
    the status screen, which makes no `Ending`), on the day it happened (as the scorecard counts it)."""
    return and_(
        CaseEvent.from_status == CaseStatus.active,
        CaseEvent.to_status.in_([CaseStatus.dormant, CaseStatus.closed]),
    )


def work_ended_on(*, session: Session, case: Case) -> date | None:
    """The day active work last ended, if the case is dormant or closed now."""
    if case.status not in (CaseStatus.dormant, CaseStatus.closed):
        return None
    ended_at = session.exec(
        select(func.max(CaseEvent.occurred_at)).where(CaseEvent.case_id == case.id, ends_active_work())
    ).one()
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


@dataclass(frozen=True)
class CaseFacts:
    """What the case records on the record's date, that the outcome record takes from it (issue 18:
    one place for each fact). None where the case records nothing."""

    taken_on: date
    living: str | None
    living_since: date | None
    education: str | None
    attendance_percent: int | None
    education_since: date | None
    period_after: date | None  # missing episodes are counted after this day (None: from the referral)
    period_from: date | None  # the first day of the period, for the words
    missing: int


def previous_taken_on(*, session: Session, case: Case, before: date) -> date | None:
    """The date of the case's last worker's outcome record before `before`: the period starts after it."""
    return session.exec(
        select(func.max(OutcomeRecord.taken_on)).where(
            OutcomeRecord.case_id == case.id, OutcomeRecord.source == "form", OutcomeRecord.taken_on < before
        )
    ).one()


def from_case(*, session: Session, case: Case, taken_on: date) -> CaseFacts:
    """The case's living situation and education current on `taken_on`, and its missing episodes in the
    record's period: after the previous outcome record (or from the referral) up to `taken_on`."""
    living = case_facts.living_on(session=session, case=case, on=taken_on)
    education = case_facts.education_on(session=session, case=case, on=taken_on)
    after = previous_taken_on(session=session, case=case, before=taken_on)
    if after is not None:
        period_from = date.fromordinal(after.toordinal() + 1)
        count_after = after
    else:
        period_from = case.referral_date
        count_after = date.fromordinal(case.referral_date.toordinal() - 1) if case.referral_date else None
    return CaseFacts(
        taken_on=taken_on,
        living=living.living if living else None,
        living_since=living.since if living else None,
        education=education.education if education else None,
        attendance_percent=education.attendance_percent if education else None,
        education_since=education.since if education else None,
        period_after=count_after,
        period_from=period_from,
        missing=case_facts.missing_count(session=session, case=case, after=count_after, until=taken_on),
    )


def check_against_case(*, form: Form, fields: dict, facts: CaseFacts) -> None:
    """What the case knows is never overwritten by "not known" unless the worker says so (a box to tick), and
    the missing episodes are never fewer than the case records in the period; problems go beside their
    fields on `form`."""
    known = lambda value: value not in (None, "not_known")  # noqa: E731
    if fields.get("living") == "not_known" and known(facts.living) and not form.boolean("living_not_known"):
        form.error(
            "living",
            f'The case records "{dict(LIVING)[facts.living]}" since {facts.living_since:%-d %b %Y}. '
            'Choose where they live, or tick "No longer known" to record that it is not known now.',
        )
    if fields.get("education") == "not_known" and known(facts.education) and not form.boolean("education_not_known"):
        form.error(
            "education",
            f'The case records "{dict(EDUCATION)[facts.education]}" since {facts.education_since:%-d %b %Y}. '
            'Choose their education now, or tick "No longer known" to record that it is not known now.',
        )
    if facts.missing:
        given = fields.get("missing_episodes")
        if given is None or given < facts.missing:
            form.error(
                "missing_episodes",
                f"The case records {facts.missing} missing episode{'s' if facts.missing != 1 else ''} "
                f"{period_words(facts)}; the number cannot be fewer, or not known.",
            )


def period_words(facts: CaseFacts) -> str:
    if facts.period_from is None:
        return f"up to {facts.taken_on:%-d %b %Y}"
    return f"from {facts.period_from:%-d %b %Y} to {facts.taken_on:%-d %b %Y}"


def feed_case(*, session: Session, case: Case, actor: Actor, entry: OutcomeRecord, facts: CaseFacts) -> list[str]:
    """Record on the case's history where the outcome record differs from what the case says on the
    record's date, so the case and its outcomes never disagree. A new living situation counts from
    the record's "living since" when that is after the case's own entry, otherwise from the record's
    date; education from the record's date. Returns what changed, in words."""
    changed = []
    if entry.living != (facts.living or "not_known"):
        since = entry.living_since
        if since is None or (facts.living_since is not None and since <= facts.living_since):
            since = entry.taken_on
        case_facts.record(session=session, case=case, by=actor, living=entry.living, with_whom="", since=since)
        changed.append("where the young person lives")
    known_attendance = entry.attendance_percent is not None and entry.attendance_percent != facts.attendance_percent
    if entry.education != (facts.education or "not_known") or (entry.education == facts.education and known_attendance):
        attendance = entry.attendance_percent
        if attendance is None and entry.education == facts.education:
            attendance = facts.attendance_percent
        case_facts.record_education(
            session=session,
            case=case,
            by=actor,
            education=entry.education,
            attendance_percent=attendance,
            since=entry.taken_on,
        )
        changed.append("education")
    return changed


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
    return list(session.exec(_records_statement(limit), params={"case_id": case.id}).all())


@cache
def _records_statement(limit: int):
    return (
        select(OutcomeRecord)
        .where(OutcomeRecord.case_id == bindparam("case_id"))
        .order_by(OutcomeRecord.taken_on.desc(), OutcomeRecord.recorded_at.desc())
        .limit(limit)
    )
