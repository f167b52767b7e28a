"""Ending active work: what an ending records, the supervisor's approval before or after it moves
the case, and which ending still waits (pending_ending, settled_endings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func
from sqlmodel import Session, select

from app.audit import service as audit
from app.cases import reads
from app.cases import service as cases
from app.cases.models import Case, CaseEvent, CaseStatus
from app.cases.service import Refused
from app.endings import rules
from app.endings.case_version import check_version
from app.endings.models import DormantSpell, Ending, Reactivation
from app.endings.prompted_tasks import drop_prompted_tasks
from app.refused import WrongCase
from app.review import service as review
from app.review.models import Submission
from app.security.auth import Actor
from app.timeutil import as_utc, today, utcnow


@dataclass(frozen=True)
class EndingInput:
    outcome: str  # dormant | closed
    goals: list[dict]
    agreed_on: date | None = None
    agreement_how: str = ""
    taper: str = ""
    sustainability_plan: str = ""
    named_contact: str = ""
    family_summary: str = ""
    young_person_views: str = ""
    outcome_summary: str = ""
    dormant_review_on: date | None = None
    closure_reason: str = ""
    closure_other: str = ""
    destination: str = ""
    lead_name: str = ""
    approve: bool = False
    approval_reason: str = ""


def missing_for(data: EndingInput) -> list[str]:
    """What the ending still lacks (see rules.missing_items)."""
    rated = [g for g in data.goals if g.get("rating") and g.get("evidence")]
    return rules.missing_items(
        rules.EndingFacts(
            goals=len(data.goals),
            goals_rated=len(rated),
            agreed=bool(data.agreed_on and data.agreement_how),
            sustainability_plan=bool(data.sustainability_plan),
            named_contact=bool(data.named_contact),
            family_summary=bool(data.family_summary),
            young_person_views=bool(data.young_person_views),
            outcome_summary=bool(data.outcome_summary),
        )
    )


def end_active_work(
    *,
    session: Session,
    case: Case,
    by: Actor,
    data: EndingInput,
    record_id: str | None = None,
    base_version: int | None = None,
    dormant_review_months: int = 3,
    approval_first: bool = False,
) -> tuple[Ending, bool]:
    """End active work to dormant or closed; returns (ending, created). A replayed id creates nothing.

    A worker's ending waits for the supervisor's approval before it moves the case when
    `approval_first` (the route passes ENDING_APPROVAL=before, the service's default setting); a
    supervisor's own ending, or any ending with approval after the fact, moves the case at once."""
    if record_id:
        existing = session.get(Ending, record_id)
        if existing is not None and existing.case_id == case.id:
            return existing, False
        if existing is not None:
            raise WrongCase("That record belongs to another case.")
    check_version(case, base_version)
    if case.status != CaseStatus.active:
        raise Refused("Only a case in active work can end it this way.")
    if data.outcome not in ("dormant", "closed"):
        raise Refused("Choose whether the case becomes dormant or closes.")
    waits = approval_first and by.user.role != "supervisor"
    previous = pending_ending(session=session, case=case)
    if previous is not None and previous[1] is not None and previous[1].status == "waiting":
        raise Refused("An ending of this case is already waiting for the supervisor's approval.")
    missing = missing_for(data)
    refusal = rules.ending_refusal(
        missing=missing, role=by.user.role, approve=data.approve, approval_reason=data.approval_reason
    )
    if refusal:
        raise Refused(refusal)
    ending = Ending(
        case_id=case.id,
        outcome=data.outcome,
        goals=data.goals,
        agreed_on=data.agreed_on,
        agreement_how=data.agreement_how,
        taper=data.taper,
        sustainability_plan=data.sustainability_plan,
        named_contact=data.named_contact,
        family_summary=data.family_summary,
        young_person_views=data.young_person_views,
        outcome_summary=data.outcome_summary,
        missing=missing,
        approved_by_id=by.id if missing else None,
        approval_reason=data.approval_reason if missing else "",
        by_user_id=by.id,
    )
    ending.pending = True  # until _apply moves the case (now, or on approval)
    if record_id:
        ending.id = record_id
    if data.outcome == "dormant":
        review_on = data.dormant_review_on or rules.add_months(today(), dormant_review_months)
        if review_on <= today():
            raise Refused("The dormant review date should be after today.")
        ending.dormant_review_on = review_on
    else:
        reason = data.closure_reason
        if reason not in ("aims_achieved", "consent_withdrawn", "moved_away", "stepped_up", "stepped_down", "other"):
            raise Refused("Choose a reason for closing the case.")
        if reason == "other" and not data.closure_other:
            raise Refused("Say what the other reason for closing is.")
        if reason in ("stepped_up", "stepped_down") and not (data.destination and data.lead_name):
            raise Refused("When a case is stepped up or down, say where to and name the lead there.")
        ending.closure_reason, ending.closure_other, ending.destination, ending.lead_name = (
            reason,
            data.closure_other,
            data.destination,
            data.lead_name,
        )
    session.add(ending)
    session.flush()
    if not waits:
        _apply(session=session, case=case, ending=ending, by=by)
    else:
        # The case stays active: the ending's version goes to the queue, and the case is one
        # version on, so an older offline copy of any form for it conflicts.
        case.version += 1
        session.add(case)
    audit.record(
        session=session,
        actor=by,
        action="create",
        object_type="ending",
        object_id=ending.id,
        case_id=case.id,
        detail=f"ending to {data.outcome}"
        + (" sent for approval" if waits else "")
        + (" approved with items missing" if missing else ""),
    )
    session.flush()
    if by.user.role != "supervisor":
        # A returned ending answered by a new one is the same item's next version, so the review
        # screen shows what changed since the supervisor's comments.
        returned = previous[1] if previous is not None else None
        review.submit_item(
            session=session,
            kind="ending",
            case=case,
            item_id=returned.item_id if returned is not None else ending.id,
            version_id=ending.id,
            version_number=returned.version_number + 1 if returned is not None else 1,
            by=by.user,
        )
    return ending, True


def _apply(*, session: Session, case: Case, ending: Ending, by: Actor, approved: bool = False) -> None:
    """Move the case as the ending says: dormant (with its spell) or closed, stepped up or down."""
    met = sum(1 for g in ending.goals if g.get("rating") == "met")
    rationale = f"Active work ended: {met} of {len(ending.goals)} goals met." + (
        f" Approved with items missing: {ending.approval_reason}" if ending.missing and ending.approval_reason else ""
    )
    if approved:
        rationale += " Ending approved by the supervisor."
    mover = by
    if ending.outcome == "dormant":
        # A spell an earlier dormancy left open (the case left it by a step) ends before this one
        # begins: the register shows one row a case, with this spell's review date.
        for stale in [
            s for s in reads.rows(session=session, model=DormantSpell, case_id=case.id) if s.ended_at is None
        ]:
            left = session.exec(
                select(CaseEvent.occurred_at, CaseEvent.to_status)
                .where(
                    CaseEvent.case_id == case.id,
                    CaseEvent.occurred_at > stale.started_at,
                    CaseEvent.to_status.is_not(None),
                    CaseEvent.to_status != CaseStatus.dormant,
                )
                .order_by(CaseEvent.occurred_at)
            ).first()
            stale.ended_at = left[0] if left else utcnow()
            stale.ended_how = "reactivated" if left and left[1] == CaseStatus.active else "closed"
            session.add(stale)
        cases.move_to_dormant(session=session, case=case, by=mover, rationale=rationale)
        session.add(DormantSpell(case_id=case.id, ending_id=ending.id, review_due_on=ending.dormant_review_on))
    elif ending.closure_reason in ("stepped_up", "stepped_down"):
        cases.step(
            session=session,
            case=case,
            by=mover,
            direction="up" if ending.closure_reason == "stepped_up" else "down",
            destination=ending.destination,
            rationale=f"{rationale} Lead: {ending.lead_name}.",
            closes=True,
        )
    else:
        words = rationale + (f" {ending.closure_other}" if ending.closure_reason == "other" else "")
        cases.close(session=session, case=case, by=mover, rationale=words, closure_reason=ending.closure_reason)
    ending.pending = False
    session.add(ending)
    drop_prompted_tasks(session=session, case=case, by=by, why="the work ended")
    session.flush()


def pending_ending(*, session: Session, case: Case):
    """The case's latest ending not yet applied and its latest review submission (waiting or
    returned), or None: an ending awaiting approval, or one the supervisor returned (two queries)."""
    endings = [e for e in reads.rows(session=session, model=Ending, case_id=case.id) if e.pending]
    ending = max(endings, key=lambda e: e.recorded_at, default=None)
    if ending is None or case.status != CaseStatus.active or not of_this_spell(session, case, ending):
        return None
    submission = reads.once(
        session=session,
        case_id=case.id,
        key=f"ending submission {ending.id}",
        read=lambda: review.submission_for_version(session=session, kind="ending", version_id=ending.id),
    )
    return ending, submission


def closing_refusal(*, session: Session, case: Case) -> str | None:
    """An ending waiting for the supervisor's approval decides how active work ends: closing the
    case from the status screen meanwhile would leave it waiting, and its goals and plan unread."""
    pending = pending_ending(session=session, case=case)
    if pending is None or pending[1] is None or pending[1].status != "waiting":
        return None
    return (
        "An ending of this case is waiting for the supervisor's approval, and it closes the case or"
        " makes it dormant once approved. Ask the supervisor to decide it rather than close the case here."
    )


def of_this_spell(session: Session, case: Case, ending: Ending) -> bool:
    """Whether an ending waiting for approval (or returned) was asked for in the case's present
    spell of active work: one from before the case was closed (from the status screen, say) and
    reopened, or made dormant and reactivated, belongs to work that is over, and must neither come
    back as waiting nor move the case. (The case page reads these rows already.)"""
    back = [r.reactivated_at for r in reads.rows(session=session, model=Reactivation, case_id=case.id)]
    return not back or as_utc(ending.recorded_at) > max(as_utc(at) for at in back)


def settled_endings(session: Session, item_ids: list[str]) -> set[str]:
    """Of these ending items, those whose newest version is an ending still waiting to move the case
    when the case has left active work another way (the supervisor ended it, it was closed) or
    was brought back since (of_this_spell): a returned one is no longer the worker's to answer.
    An ending already made (approval after the fact) stays theirs to send again (three queries)."""
    if not item_ids:
        return set()
    newest = (
        select(Submission.item_id, func.max(Submission.version_number).label("number"))
        .where(Submission.kind == "ending", Submission.item_id.in_(item_ids))
        .group_by(Submission.item_id)
        .subquery()
    )
    rows = session.exec(
        select(Submission.item_id, Ending, Case)
        .join(newest, and_(newest.c.item_id == Submission.item_id, newest.c.number == Submission.version_number))
        .join(Ending, Ending.id == Submission.version_id)
        .join(Case, Case.id == Ending.case_id)
        .where(Submission.kind == "ending", Ending.pending.is_(True))
    ).all()
    if not rows:
        return set()
    back = dict(
        session.exec(
            select(Reactivation.case_id, func.max(Reactivation.reactivated_at))
            .where(Reactivation.case_id.in_({case.id for _i, _e, case in rows}))
            .group_by(Reactivation.case_id)
        ).all()
    )
    return {
        item_id
        for item_id, ending, case in rows
        if case.status != CaseStatus.active or (case.id in back and as_utc(ending.recorded_at) <= as_utc(back[case.id]))
    }


def approve_ending(*, session: Session, submission, by: Actor, rationale: str) -> None:
    """The supervisor approves an ending: one awaiting approval now moves the case; one already
    made (approval after the fact) is signed off. The decision is recorded either way."""
    ending = session.get(Ending, submission.version_id)
    if ending is not None and ending.pending:
        case = session.get(Case, ending.case_id)
        if case.status != CaseStatus.active:
            raise Refused(f"The case is no longer in active work (it is {case.status}), so this ending cannot move it.")
        if not of_this_spell(session, case, ending):
            raise Refused(
                "This ending was asked for before the case was closed and reopened: it belongs to work that is"
                " over. Return it; the worker ends the present work with a new one."
            )
        if ending.outcome == "dormant" and ending.dormant_review_on <= today():
            raise Refused(
                "The dormant review date this ending chose has passed. Return it so the worker can choose another."
            )
        _apply(session=session, case=case, ending=ending, by=by, approved=True)
        audit.record(
            session=session,
            actor=by,
            action="approve",
            object_type="ending",
            object_id=ending.id,
            case_id=case.id,
            detail=f"ending approved: case {case.status}",
        )
    review.approve(session=session, submission=submission, by=by.user, rationale=rationale)


def latest_ending(*, session: Session, case: Case) -> Ending | None:
    """The latest ending that moved the case (not one awaiting approval or returned)."""
    endings = [e for e in reads.rows(session=session, model=Ending, case_id=case.id) if not e.pending]
    return max(endings, key=lambda e: e.recorded_at, default=None)
