"""The BASE pages "Take offline" keeps on the device for a case (app/cases/extensions.py).

One query whatever the assessment holds: the newest version, whose document names every item.
Listed, so they are kept even if the crawl of links stops early: the overview, the five stage
pages (every stage form, the status choice, the risk judgement, finalising the plan), the edit
page of each engagement (one per person), hazard and plan step, and the feedback overview with
the social worker's form. Older versions are read-only and stay online. Without a version there
is only the overview: the stage forms need the version's id, so an assessment is started online.

The young person's and parent's feedback screens are family-mode screens; they are kept for the
family by the family-mode work, not here.
"""
from __future__ import annotations

from sqlmodel import Session

from app.base import rules, service
from app.base.models import VersionStatus
from app.cases.models import Case

# The stage whose page edits each list of items (the page the item's Edit link opens).
_EDITABLE = (("engagement", "engagement"), ("risk", "risks"), ("plan", "steps"))


def pages(*, session: Session, case: Case, actor) -> list[str]:
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
