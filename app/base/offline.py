"""The BASE pages "Take offline" keeps on the device for a case (app/cases/extensions.py).

Two queries whatever the assessment and the family hold: the newest version, whose document
names every item, and the case's people.
Listed, so they are kept even if the crawl of links stops early: the overview, the five stage
pages (every stage form, the status choice, the risk judgement, finalising the plan), the edit
page of each engagement (one per person), hazard and plan step, and the feedback overview with
the social worker's form. Older versions are read-only and stay online. Without a version there
is only the overview: the stage forms need the version's id, so an assessment is started online.

The family's feedback screen of every person on the case (/family/<case>/<person>/feedback, the
young person's questions or a parent's), with or without an assessment: the family can answer it
on the tablet with no signal after an offline hand-over, and its "All done" page and the hand-over
are kept by app/family/offline.py.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.base import rules, service
from app.base.models import VersionStatus
from app.cases.models import Case, Person

# The stage whose page edits each list of items (the page the item's Edit link opens).
_EDITABLE = (("engagement", "engagement"), ("risk", "risks"), ("plan", "steps"))


def pages(*, session: Session, case: Case, actor) -> list[str]:
    people = session.exec(
        select(Person.id).where(Person.case_id == case.id).order_by(Person.is_young_person.desc(), Person.name)
    ).all()
    family = [f"/family/{case.id}/{person_id}/feedback" for person_id in people]
    return [*_assessment_pages(session=session, case=case), *family]


def _assessment_pages(*, session: Session, case: Case) -> list[str]:
    base = f"/cases/{case.id}/base"
    version = service.current_version(session=session, case_id=case.id)
    if version is None:
        return [base]
    listed = [base, *(f"{base}/{stage}" for stage in rules.STAGES)]
    if version.status == VersionStatus.draft:
        content = version.content
        listed += [f"{base}/{stage}?edit={item['id']}" for stage, key in _EDITABLE for item in content.get(key, [])]
    listed += [f"{base}/feedback", f"{base}/feedback/social_worker"]
    return listed
