"""Team cases: the team's (a manager's: the service's) cases to browse, filter and sort (issue 19)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.accounts.models import Role
from app.audit import service as audit
from app.cases import team
from app.cases.models import PRACTICE_CONTEXT_LABELS
from app.db import SessionDep
from app.security.auth import CurrentActor, SettingsDep, require_role
from app.templating import render
from app.timeutil import today, utcnow

router = APIRouter()


def _number(text: str, *, low: int, high: int) -> int | None:
    return min(max(int(text), low), high) if text.strip().isdigit() else None


@router.get("/team/cases")
def team_cases(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    status: str = "open",
    worker: str = "",
    context: str = "",
    flag: str = "",
    quiet: str = "",
    review_due: str = "",
    sort: str = "",
    page: str = "1",
    team_choice: Annotated[str, Query(alias="team")] = "",
) -> Response:
    require_role(actor, Role.supervisor, Role.manager)
    whole_service = actor.role is Role.manager and _number(team_choice, low=0, high=2**31) is None
    filters = team.TeamCaseFilters(
        status=status if status in dict(team.STATUS_FILTERS) else "open",
        worker_id=_number(worker, low=0, high=2**31),
        practice_context=context if context in PRACTICE_CONTEXT_LABELS else "",
        flag=flag[:40],
        quiet_days=_number(quiet, low=0, high=3650),
        review_due=review_due == "1",
        # A manager's whole service opens by name: sorting by flags works every case's flags out
        # (issue 21: the county's 50,000); a team, chosen or a supervisor's, opens by flags.
        sort=sort if sort in dict(team.SORTS) else ("name" if whole_service else "attention"),
        page=_number(page, low=1, high=100000) or 1,
        team_id=_number(team_choice, low=0, high=2**31) if actor.role is Role.manager else None,
    )
    result = team.team_cases(
        session=session, viewer=actor.user, settings=settings, filters=filters, today=today(), now=utcnow()
    )
    # Which cases this page showed, not only how many matched (issue 20: lists record what they showed).
    audit.record_list(
        session=session,
        actor=actor,
        object_type="team_cases",
        case_ids=[row.case.id for row in result.rows],
        detail=f"{result.matching} matching;",
    )
    query = {
        "team": team_choice if filters.team_id is not None else "",
        "status": filters.status,
        "worker": worker if filters.worker_id is not None else "",
        "context": filters.practice_context,
        "flag": filters.flag,
        "quiet": quiet if filters.quiet_days is not None else "",
        "review_due": "1" if filters.review_due else "",
        "sort": filters.sort,
    }
    ctx = {
        "result": result,
        "filters": filters,
        "query": query,
        "statuses": team.STATUS_FILTERS,
        "worker_options": [(u.id, u.full_name) for u in result.workers],
        "flag_options": [("any", "Any flag"), *result.flag_labels.items()],
        "sorts": team.SORTS,
        "contexts": [(k.value, v) for k, v in PRACTICE_CONTEXT_LABELS.items()],
        "context_words": {k.value: v for k, v in PRACTICE_CONTEXT_LABELS.items()},
        "review_due_days": team.REVIEW_DUE_DAYS,
        "today": today(),
        "is_manager": actor.role is Role.manager,
        "team_options": [(t.id, t.name) for t in result.teams],
    }
    return render(request, "cases/team_cases.html", ctx, block="team_cases")
