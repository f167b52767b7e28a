"""Endings on the timeline: each ending's goals, each dormant period, and re-referrals (their rows
read once per case page with the endings part, app/cases/reads.py, and one query for the names)."""

from __future__ import annotations

from sqlmodel import Session

from app.cases import reads
from app.cases.extensions import TimelineItem
from app.cases.models import Case
from app.endings.models import DormantSpell, Ending, Reactivation
from app.timeutil import local, today

reads.per_case(Ending, Reactivation, DormantSpell)  # read whole per case page (app/cases/reads.py)


def _day(value) -> str:
    return f"{value:%-d %b %Y}"


def items(*, session: Session, case: Case, latest: int | None = None) -> list[TimelineItem]:
    """Timeline items for `case`'s endings, dormant periods and reopenings."""
    result = []
    endings = reads.rows(session=session, model=Ending, case_id=case.id)
    returns = [r for r in reads.rows(session=session, model=Reactivation, case_id=case.id) if r.kind == "reopened"]
    names = reads.user_names(session=session, case=case, ids=[x.by_user_id for x in (*endings, *returns)])
    for ending in endings:
        who = names.get(ending.by_user_id)
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
    for back in returns:
        who = names.get(back.by_user_id)
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
