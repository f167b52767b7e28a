"""Case rules that touch the database: listing a caseload."""
from __future__ import annotations

from sqlmodel import Session, select

from app.accounts.models import User
from app.cases.models import Case, CaseStatus
from app.security.permissions import visible_cases


def caseload(*, session: Session, user: User, search: str = "") -> list[Case]:
    """The cases `user` may see, active first, in one query."""
    query = select(Case).where(visible_cases(user))
    if search:
        like = f"%{search.lower()}%"
        from sqlalchemy import func, or_

        query = query.where(
            or_(func.lower(Case.young_person_name).like(like), func.lower(Case.preferred_name).like(like), func.lower(Case.reference).like(like))
        )
    order = {CaseStatus.active: 0, CaseStatus.screening: 1, CaseStatus.referred: 2, CaseStatus.dormant: 3, CaseStatus.closed: 4}
    from sqlalchemy import case as sql_case

    query = query.order_by(sql_case(order, value=Case.status, else_=9), Case.young_person_name)
    return list(session.exec(query).all())
