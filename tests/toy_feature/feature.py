"""A toy capability that lives entirely in this package: a case-page part, a timeline item, a
review kind, an oversight flag and a header link, declared in one Feature (the contract in app/features.py).

tests/test_toy_feature.py adds it to the app's features and finds it on every shared screen,
so a new capability needs no edit outside its own package.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from app.cases.extensions import TimelineItem
from app.features import CaseSection, Feature, FlagRule, FlagScope, NavLink, ReviewKind

router = APIRouter()


@router.get("/toy/ping")
def ping() -> PlainTextResponse:
    return PlainTextResponse("toy pong")


def section(*, session, case, actor) -> dict:
    return {"greeting": f"The toy part of {case.reference}"}


def timeline(*, session, case, latest=None) -> list[TimelineItem]:
    return [TimelineItem(at=case.opened_at, kind="toy", title="Toy moment recorded")]


def sections(session, submission) -> list[tuple[str, str]]:
    return [("What the toy saw", f"Version {submission.version_number} of the toy note")]


def every_open_case(scope: FlagScope) -> list:
    return list(scope.cases)


feature = Feature(
    name="toy",
    router=router,
    templates=Path(__file__).parent / "templates",
    section=CaseSection("toy/_case_section.html", section, jump_label="Toy part"),
    timeline=timeline,
    review_kinds=(
        ReviewKind(key="toy_note", label="Toy note", sections=sections, url=lambda s: f"/cases/{s.case_id}"),
    ),
    nav=(NavLink("Toy corner", "/toy/ping", roles=frozenset({"supervisor"})),),
    flags=(
        FlagRule(
            "toy_worry", lambda settings: f"Toy worry after {settings.no_contact_flag_days} days", every_open_case
        ),
    ),
)
