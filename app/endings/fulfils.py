"""Prompted tasks close themselves when what they ask for is saved (issue 18), in the same transaction.

One registry, prompt -> the saves that fulfil it. The feature that saves calls
`app.features.fulfil(event=...)`; `fulfilled` (this feature's hook) closes the open prompts the
registry names. Every prompt `homeward tick` raises or a return to work prompts is listed here or
below with what already settles it:

| Prompt | Closed by |
|---|---|
| "Update the Signs of Safety map or the BASE risk assessment" (return to work) | a change to the map, or to BASE's risk register or judgement |
| "Do a Diamond rating with the young person and family" (return to work) | a Diamond rating given on or after the return |
| Three missed visits in a row (`engagement`, tick) | an attended visit |
| Dormant review due (`dormant_review_due`, tick) | the dormant review (app/endings/service.py) |
| Dormant for the longest time allowed (`max_dormancy`, tick) | reactivating or closing (service.py) |
| Outcome follow-ups at 3, 6 and 12 months (app/outcomes/scheduled.py) | the outcome record for that point (app/outcomes/service.py) |
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from app.audit import service as audit
from app.endings.models import EndingTask, Prompt, Reactivation
from app.endings.service import PROMPTED_TASKS, close_task
from app.features import EVENTS
from app.timeutil import local, utcnow

# What each prompted task (by its words) and each tick prompt (by its kind) asks for.
TASKS: dict[str, frozenset[str]] = {
    PROMPTED_TASKS[0]: frozenset({"signs_of_safety_map", "base_risk"}),
    PROMPTED_TASKS[1]: frozenset({"diamond_rating"}),
}
PROMPTS: dict[str, frozenset[str]] = {
    "engagement": frozenset({"visit_attended"}),
}


def fulfilled(*, session: Session, case_id: int, event: str, by, on: date) -> None:
    """Close the case's open prompts that `event` fulfils (a constant two queries at most)."""
    whats = [what for what, events in TASKS.items() if event in events]
    if whats:
        rows = session.exec(
            select(EndingTask, Reactivation.reactivated_at)
            .join(Reactivation, Reactivation.id == EndingTask.reactivation_id)
            .where(EndingTask.case_id == case_id, EndingTask.done_at.is_(None), EndingTask.what.in_(whats))
        ).all()
        for task, back_at in rows:
            if on < local(back_at).date():
                continue  # work dated before the return does not answer a prompt made by it
            words = f"{EVENTS[event][0].upper()}{EVENTS[event][1:]} on {on:%-d %b %Y}"
            close_task(session=session, task=task, by=by, closed_by=words, detail=f"closed by itself: {event}")
    kinds = [kind for kind, events in PROMPTS.items() if event in events]
    if kinds:
        for prompt in session.exec(
            select(Prompt).where(Prompt.case_id == case_id, Prompt.resolved_at.is_(None), Prompt.kind.in_(kinds))
        ).all():
            if _before_the_streak(prompt, on):
                continue  # a visit entered late, dated before the missed ones, does not end them
            prompt.resolved_at = utcnow()
            session.add(prompt)
            audit.record(
                session=session,
                actor=by,
                action="close",
                object_type="prompt",
                object_id=str(prompt.id),
                case_id=case_id,
                detail=f"{prompt.kind} closed by itself: {event}",
            )


def _before_the_streak(prompt: Prompt, on: date) -> bool:
    """Whether an attended visit on `on` comes before the missed visits the prompt is about: its key
    names the last attended visit before them ("engagement:<case>:<day>", app/endings/scheduled.py),
    and the tick never raises a resolved key again."""
    seen = prompt.key.rsplit(":", 1)[-1]
    if prompt.kind != "engagement" or seen == "never":
        return False
    try:
        return on <= date.fromisoformat(seen)
    except ValueError:
        return False
