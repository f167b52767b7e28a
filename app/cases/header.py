"""The case header: the essentials shown at the top of the case page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam
from sqlmodel import Session, select

from app.cases import reads, rules
from app.cases.models import Case, CaseEvent, CaseStatus
from app.db import read_columns
from app.timeutil import age_on, local, today


@dataclass(frozen=True)
class CaseHeader:
    age: int | None
    key_worker: str
    co_worker: str
    days_open: int
    first_contact_hours: float | None
    first_contact_on_target: bool | None
    dormant_since: date | None = None


# Built once, the case a bound parameter (issue 21: building statements afresh was a quarter of a
# first view of the case page).
_STATUS_CHANGES = (
    select(CaseEvent.occurred_at, CaseEvent.to_status)
    .where(CaseEvent.case_id == bindparam("case_id"), CaseEvent.to_status.is_not(None))
    .order_by(CaseEvent.occurred_at)
)


def header(*, session: Session, case: Case, first_contact_target_hours: int) -> CaseHeader:
    """The essentials shown at the top of the case page (one query for the workers' names)."""

    names = reads.user_names(session=session, case=case, ids=())
    end = local(case.closed_at).date() if case.closed_at else today()
    started = rules.referral_started_at(case.referral_date, case.opened_at, case.referral_time)
    hours = rules.first_contact_hours(started, case.first_contact_at)
    changes = [
        (local(at).date(), status) for at, status in read_columns(session, _STATUS_CHANGES, {"case_id": case.id}).all()
    ]
    dormant_since = None
    if case.status == CaseStatus.dormant:
        dormant_since = next((day for day, status in reversed(changes) if status == "dormant"), None)
    return CaseHeader(
        age=age_on(case.date_of_birth, today()) if case.date_of_birth else None,
        key_worker=names.get(case.key_worker_id, ""),
        co_worker=names.get(case.co_worker_id, "") if case.co_worker_id else "",
        days_open=rules.days_open(started=case.referral_date or local(case.opened_at).date(), end=end, changes=changes),
        dormant_since=dormant_since,
        first_contact_hours=hours,
        first_contact_on_target=rules.first_contact_within_target(hours, first_contact_target_hours),
    )
