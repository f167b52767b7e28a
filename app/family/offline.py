"""The family screens "Take offline" keeps on the tablet, so the family can rate with no signal.

Every screen for every person who can rate (their URLs name the case and the person), the
hand-over page (it carries the worker's offline PIN check) and the Diamond pages the worker
returns to. Two queries, whatever the size of the family.
"""

from __future__ import annotations

from sqlmodel import Session

from app.cases.models import Case
from app.diamond import rules
from app.diamond.service import open_goals, people_who_can_rate


def pages(*, session: Session, case: Case, actor) -> list[str]:
    base = f"/family/{case.id}"
    goals = open_goals(session=session, case=case)
    urls = [
        f"/cases/{case.id}/hand-to-family",
        f"{base}/who",
        f"{base}/hand-back",
        f"/cases/{case.id}/diamond",
        f"/cases/{case.id}/diamond/rate",
    ]
    for person in people_who_can_rate(session=session, case=case):
        mine = f"{base}/{person.id}"
        urls += [
            mine,
            *(f"{mine}/diamond/{aim}" for aim in rules.AIM_KEYS),
            *(f"{mine}/goal/{goal.id}" for goal in goals),
            f"{mine}/done",
        ]
    return urls
