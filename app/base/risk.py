"""BASE risk: the hazards in the register, each level worked out from its scales, and the overall judgement."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlmodel import Session

from app.base import rules
from app.base.changes import _add, _content, _edit, _save
from app.base.models import BaseVersion
from app.security.auth import Actor

RISK_FIELDS = ("hazard", "likelihood", "imminence", "impact", "mitigations", "tolerable", "tolerable_reason", "actions")


@dataclass(frozen=True)
class RiskAction:
    """One action that lowers a hazard: what, who, and when it is reviewed (ISO date or "")."""

    what: str
    owner: str = ""
    review_on: str = ""


@dataclass(frozen=True)
class RiskInput:
    """A hazard as the worker (or the demo) gives it; the level is worked out, never given."""

    hazard: str
    likelihood: int
    imminence: int
    impact: int
    mitigations: list[str] = field(default_factory=list)
    tolerable: bool = False
    tolerable_reason: str = ""
    actions: list[RiskAction] = field(default_factory=list)


def _risk_fields(risk: RiskInput) -> dict[str, Any]:
    level = rules.risk_level(likelihood=risk.likelihood, imminence=risk.imminence, impact=risk.impact)
    return {**asdict(risk), "level": level}


def save_risk(*, session: Session, version: BaseVersion, by: Actor, item_id: str, risk: RiskInput) -> dict[str, Any]:
    """Add a hazard to the risk register; its level follows from the three scales."""
    content = _content(version)
    item, added = _add(content["risks"], item_id=item_id, fields=_risk_fields(risk), by=by)
    if added:
        _save(session=session, version=version, content=content, by=by, what="risk", item_id=item_id)
    return item


def edit_risk(*, session: Session, version: BaseVersion, by: Actor, item_id: str, risk: RiskInput) -> dict[str, Any]:
    """Change a hazard (as merged by the route); its level follows from the three scales."""
    content = _content(version)
    item, changed = _edit(content["risks"], item_id=item_id, fields=_risk_fields(risk), by=by)
    if changed:
        _save(session=session, version=version, content=content, by=by, what="risk", item_id=item_id)
    return item


def save_risk_judgement(*, session: Session, version: BaseVersion, by: Actor, level: str, rationale: str) -> None:
    """The overall risk judgement with its rationale (as merged by the route); a new revision."""
    content = _content(version)
    if content["risk_judgement"] == {"level": level, "rationale": rationale}:
        return
    content["risk_judgement"] = {"level": level, "rationale": rationale}
    content["stages"]["risk"]["revision"] += 1
    version.overall_risk = level
    _save(session=session, version=version, content=content, by=by, what="risk judgement")
