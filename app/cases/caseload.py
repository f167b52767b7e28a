"""The caseload: the cases a worker may see, with each one's last contact, and how many they hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case as sql_case
from sqlalchemy import func, or_
from sqlmodel import Session, select

from app.accounts.models import User
from app.cases.models import Case, CaseStatus, Contact
from app.core.text import fold
from app.security.permissions import visible_cases


@dataclass(frozen=True)
class CaseloadRow:
    case: Case
    last_contact_on: date | None
    key_worker_name: str


def caseload(*, session: Session, user: User, search: str = "") -> list[Case]:
    """The cases `user` may see, active first, in one query."""
    return [row.case for row in caseload_rows(session=session, user=user, search=search)]


def last_contact_on():
    """The listed case's last attended contact day, as a column of a query over Case.

    One expression for every list that shows it (the caseload, team cases, the dormant register,
    the endings figures): correlated, so it reads only the listed cases' contacts through
    ix_contact_case_attended_on, never every attended contact in the service (a grouped subquery
    over contacts scanned the county: 120 ms a view whatever the list's length)."""
    return (
        select(func.max(Contact.occurred_on))
        .where(Contact.case_id == Case.id, Contact.attended.is_(True))
        .correlate(Case)
        .scalar_subquery()
    )


def caseload_rows(*, session: Session, user: User, search: str = "") -> list[CaseloadRow]:
    """The caseload with each case's last attended contact and key worker, in one query."""
    query = (
        select(Case, last_contact_on(), User.full_name)
        .join(User, User.id == Case.key_worker_id)
        .where(visible_cases(user))
    )
    folded = fold(search)
    if folded:
        # Names are kept folded (no accents, lower case) in search_text: "Wisniewska" finds
        # "Wiśniewska", "zoe" finds "Zoë" (goes by), the same on SQLite and PostgreSQL.
        like = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Case.search_text.like(like, escape="\\"))
    order = {
        CaseStatus.active: 0,
        CaseStatus.screening: 1,
        CaseStatus.referred: 2,
        CaseStatus.dormant: 3,
        CaseStatus.closed: 4,
    }
    query = query.order_by(
        sql_case(order, value=Case.status, else_=9),
        Case.next_review_on.is_(None),
        Case.next_review_on,
        Case.young_person_name,
    ).limit(500)
    return [CaseloadRow(case, last_on, name) for case, last_on, name in session.exec(query).all()]


def open_cases_held(*, session: Session, user_id: int) -> int:
    """How many open cases the user key-works or co-works (one count)."""
    return session.exec(
        select(func.count())
        .select_from(Case)
        .where(
            Case.status.in_([CaseStatus.referred, CaseStatus.screening, CaseStatus.active, CaseStatus.dormant]),
            or_(Case.key_worker_id == user_id, Case.co_worker_id == user_id),
        )
    ).one()
