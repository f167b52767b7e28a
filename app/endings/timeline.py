"""Endings on the timeline: each ending's goals, each dormant period, and re-referrals (three queries)."""

from __future__ import annotations

from sqlmodel import Session, select

from app.accounts.models import User
from app.cases import reads
from app.cases.extensions import TimelineItem
from app.cases.models import Case
from app.endings.models import DormantSpell, Ending, Reactivation
from app.timeutil import local, today


def _day(value) -> str:
    return f"{value:%-d %b %Y}"


def items(*, session: Session, case: Case, latest: int | None = None) -> list[TimelineItem]:
    """Timeline items for `case`'s endings, dormant periods and reopenings."""
    result = []
    for ending, who in session.exec(
        select(Ending, User.full_name).join(User, User.id == Ending.by_user_id).where(Ending.case_id == case.id)
    ).all():
        met = sum(1 for g in ending.goals if g.get("rating") == "met")
        partly = sum(1 for g in ending.goals if g.get("rating") == "partly")
        detail = f"{met} of {len(ending.goals)} goals met, {partly} partly. " + (
            "To dormant." if ending.outcome == "dormant" else "Closed."
        )
        if ending.missing:
            detail += f" Approved without: {', '.join(ending.missing)}."
        title = "Active work ended"
        if ending.pending:
            title = "Ending sent for the supervisor's approval"
            detail += " The case stays in active work until it is approved."
        result.append(TimelineItem(at=ending.recorded_at, kind="event", title=title, detail=detail, by=who or ""))
    for spell in reads.rows(session=session, model=DormantSpell, case_id=case.id):
        began = local(spell.started_at).date()
        if spell.ended_at:
            ended = local(spell.ended_at).date()
            detail = (
                f"From {_day(began)} to {_day(ended)}: {(ended - began).days} days dormant, then {spell.ended_how}."
            )
        else:
            detail = f"Dormant since {_day(began)} ({(today() - began).days} days so far); review due {_day(spell.review_due_on)}."
        result.append(TimelineItem(at=spell.started_at, kind="event", title="Dormant period", detail=detail))
    for back, who in session.exec(
        select(Reactivation, User.full_name)
        .join(User, User.id == Reactivation.by_user_id)
        .where(Reactivation.case_id == case.id, Reactivation.kind == "reopened")
    ).all():
        result.append(
            TimelineItem(
                at=back.reactivated_at,
                kind="event",
                title="Re-referral: reopened by a supervisor",
                detail=back.what_changed,
                by=who or "",
            )
        )
    return result
