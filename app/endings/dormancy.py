"""The dormant spell and the dormant review: when a case went dormant, its review date, and the
prompts that end with the spell (a review, a return to work or a closure).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from app.audit import service as audit
from app.cases import reads
from app.cases import service as cases
from app.cases.models import Case, CaseEvent, CaseStatus
from app.cases.service import Refused
from app.endings.case_version import check_version
from app.endings.models import DormantSpell, Prompt
from app.refused import WrongCase
from app.security.auth import Actor
from app.timeutil import local, today, utcnow


def open_spell(*, session: Session, case: Case) -> DormantSpell | None:
    """The case's current dormant spell, if it has one."""
    spells = [s for s in reads.rows(session=session, model=DormantSpell, case_id=case.id) if s.ended_at is None]
    return max(spells, key=lambda s: s.started_at, default=None)


def _dormant_since(*, session: Session, case: Case) -> datetime | None:
    spell = open_spell(session=session, case=case)
    if spell is not None:
        return spell.started_at
    return session.exec(
        select(func.max(CaseEvent.occurred_at)).where(CaseEvent.case_id == case.id, CaseEvent.kind == "dormant")
    ).one()


def _resolve_prompts(*, session: Session, case: Case, kinds: tuple[str, ...]) -> None:
    for prompt in session.exec(
        select(Prompt).where(Prompt.case_id == case.id, Prompt.resolved_at.is_(None), Prompt.kind.in_(kinds))
    ).all():
        prompt.resolved_at = utcnow()
        session.add(prompt)


def end_spell(*, session: Session, case: Case, how: str) -> int | None:
    """Close the open spell; returns the days dormant."""
    since = _dormant_since(session=session, case=case)
    spell = open_spell(session=session, case=case)
    if spell is not None:
        spell.ended_at, spell.ended_how = utcnow(), how
        session.add(spell)
    _resolve_prompts(session=session, case=case, kinds=("dormant_review_due", "max_dormancy"))
    return (today() - local(since).date()).days if since else None


def dormant_review(
    *,
    session: Session,
    case: Case,
    by: Actor,
    decision: str,
    rationale: str,
    new_review_on: date | None = None,
    closure_reason: str = "",
    base_version: int | None = None,
    record_id: str | None = None,
) -> bool:
    """The dormant review: stay dormant until a new date, or close; False if `record_id` was applied before."""
    if record_id:
        existing = session.get(CaseEvent, record_id)
        if existing is not None and existing.case_id == case.id:
            return False
        if existing is not None:
            raise WrongCase("That record belongs to another case.")
    check_version(case, base_version)
    if case.status != CaseStatus.dormant:
        raise Refused("Only a dormant case has a dormant review.")
    if not rationale.strip():
        raise Refused("Say what the review found.")
    if decision == "stay":
        if new_review_on is None or new_review_on <= today():
            raise Refused("Choose the next dormant review date, after today.")
        spell = open_spell(session=session, case=case)
        if spell is None:
            since = _dormant_since(session=session, case=case) or utcnow()
            spell = DormantSpell(case_id=case.id, started_at=since, review_due_on=new_review_on)
        spell.review_due_on, spell.reviews = new_review_on, spell.reviews + 1
        session.add(spell)
        _resolve_prompts(session=session, case=case, kinds=("dormant_review_due",))
        event = CaseEvent(
            case_id=case.id, kind="dormant_review", rationale=rationale.strip()[:4000], by_user_id=by.id, reason="stay"
        )
        if record_id:
            event.id = record_id
        session.add(event)
        # The review date is part of the case's state: an older offline copy of the form must conflict.
        case.version += 1
        session.add(case)
        audit.record(
            session=session,
            actor=by,
            action="review",
            object_type="case",
            object_id=case.id,
            case_id=case.id,
            detail="dormant review: stays dormant",
        )
    elif decision == "close":
        if not closure_reason:
            raise Refused("Choose a reason for closing the case.")
        # The closing event carries the form's id, so the same review sent twice is "already saved".
        cases.close(
            session=session, case=case, by=by, rationale=rationale, closure_reason=closure_reason, event_id=record_id
        )
        end_spell(session=session, case=case, how="closed")
    else:
        raise Refused("Choose what happens at the review.")
    session.flush()
    return True
