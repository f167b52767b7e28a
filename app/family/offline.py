"""The family screens "Take offline" keeps on the tablet, so the family can rate with no signal.

The hand-over page (it carries the worker's offline PIN check), "Someone else's turn", the
hand-back, and each rater's home and "done" screens (their URLs name the case and the person).
One query, whatever the size of the family. The frameworks list their own family screens
(e.g. app/diamond/offline.py), since family mode imports no framework.
"""

from __future__ import annotations

from sqlmodel import Session

from app.cases.models import Case
from app.family.screens import people_who_can_rate


def pages(*, session: Session, case: Case, actor) -> list[str]:
    base = f"/family/{case.id}"
    urls = [f"/cases/{case.id}/hand-to-family", f"{base}/who", f"{base}/hand-back"]
    for person in people_who_can_rate(session=session, case=case):
        urls += [f"{base}/{person.id}", f"{base}/{person.id}/done"]
    return urls
