"""BASE's oversight flag (stages skipped) and the worker's competency ratings on the dashboard."""

from __future__ import annotations

from sqlalchemy import and_, func
from sqlmodel import select

from app.base import rules as base_rules
from app.base import service as base_service
from app.base.models import BaseVersion
from app.cases.models import Case
from app.features import FlagRule, FlagScope


def base_stages_skipped(*, stages_done: list[str], stage_order: list[str]) -> bool:
    """A later BASE stage recorded while an earlier one is missing (PRACTICE.md fidelity, 001:L126)."""
    done = set(stages_done)
    reached = [i for i, stage in enumerate(stage_order) if stage in done]
    if not reached:
        return False
    return any(stage not in done for stage in stage_order[: max(reached)])


def _latest_number(in_scope):
    return (
        select(BaseVersion.case_id, func.max(BaseVersion.number).label("number"))
        .join(Case, Case.id == BaseVersion.case_id)
        .where(in_scope)
        .group_by(BaseVersion.case_id)
        .subquery()
    )


def _latest_content(scope: FlagScope):
    """The latest BASE version's content of each case in scope."""
    latest_number = _latest_number(scope.in_scope)
    return select(BaseVersion.case_id, BaseVersion.content).join(
        latest_number,
        and_(BaseVersion.case_id == latest_number.c.case_id, BaseVersion.number == latest_number.c.number),
    )


def competency(*, session, in_scope) -> dict[int, tuple[str | None, str | None]]:
    """Per case: the worker's (self-rating, supervisor's rating) on its latest BASE version.

    The two ratings only, not the versions' content (issue 21: the dashboard read every latest
    version's whole assessment twice, here and for the skipped-stages flag)."""
    latest_number = _latest_number(in_scope)
    return {
        case_id: (rated_self, rated_by_supervisor)
        for case_id, rated_self, rated_by_supervisor in session.exec(
            select(BaseVersion.case_id, BaseVersion.competency_self, BaseVersion.competency_supervisor).join(
                latest_number,
                and_(BaseVersion.case_id == latest_number.c.case_id, BaseVersion.number == latest_number.c.number),
            )
        ).all()
        if rated_self or rated_by_supervisor
    }


def _skipped(scope: FlagScope) -> list[Case]:
    contents = scope.figures("latest BASE content", _latest_content)
    flagged = []
    for c in scope.cases:
        if c.id not in contents or c.status != "active":
            continue
        counts = base_service.stage_counts({**base_service.empty_content(), **(contents[c.id][1] or {})})
        if base_stages_skipped(
            stages_done=[stage for stage in base_rules.STAGES if counts.get(stage, 0) > 0],
            stage_order=list(base_rules.STAGES),
        ):
            flagged.append(c)
    return flagged


FLAGS = (
    FlagRule(
        "base_skipped",
        lambda s: "BASE stages skipped",
        _skipped,
        lambda: {"latest BASE content": _latest_content},
    ),
)
