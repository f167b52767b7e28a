"""The Diamond pages "Take offline" keeps: the worker's own, and each rater's family screens (one per
aim, one per open goal), so the family can rate on the tablet with no signal. Two queries,
whatever the size of the family; family mode's own screens are listed by app/family/offline.py.
"""

from __future__ import annotations

from sqlmodel import Session

from app.cases.models import Case
from app.diamond import rules
from app.diamond.service import open_goals
from app.family.screens import people_who_can_rate


def pages(*, session: Session, case: Case, actor) -> list[str]:
    goals = open_goals(session=session, case=case)
    urls = [f"/cases/{case.id}/diamond", f"/cases/{case.id}/diamond/rate"]
    for person in people_who_can_rate(session=session, case=case):
        mine = f"/family/{case.id}/{person.id}"
        urls += [*(f"{mine}/diamond/{aim}" for aim in rules.AIM_KEYS), *(f"{mine}/goal/{goal.id}" for goal in goals)]
    return urls
