"""Case rules that touch the database: the lifecycle, its status changes and its steps up and down.

Every write here records a CaseEvent where the timeline should show it, an audit entry (ids and
codes only, never personal data) and bumps Case.version when the case record itself changes.
The caseload, referrals, the case header, people, consent, contacts and eligibility have their own
modules beside this one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.audit import service as audit
from app.cases import reads, rules
from app.cases.models import Case, CaseEvent, CaseStatus, Consent, EligibilityDecision, Person
from app.refused import Refused
from app.security.auth import Actor
from app.security.permissions import is_case_supervisor
from app.timeutil import as_utc, local, today, utcnow

reads.per_case(EligibilityDecision, Consent, Person)  # read whole per case page (app/cases/reads.py)


class Conflict(Refused):
    """The record changed since the version the change was made from (an offline edit, two tabs)."""

    status_code = 409

    def __init__(self, message: str, *, current_version: int) -> None:
        super().__init__(message)
        self.message = message
        self.current_version = current_version


# ---------------------------------------------------------------- lifecycle


def case_facts(*, session: Session, case: Case, by: Actor) -> rules.CaseFacts:
    """What the lifecycle rules need, in two small queries."""
    decisions = reads.rows(session=session, model=EligibilityDecision, case_id=case.id)
    latest = max(decisions, key=lambda d: d.decided_at).eligible if decisions else None
    consent = sum(
        1
        for c in reads.rows(session=session, model=Consent, case_id=case.id)
        if c.purpose == "work" and c.withdrawn_on is None
    )
    # A supervisor of another team who co-works the case is one of its workers, not its
    # supervisor: the supervisor's powers (reopening, giving the case to another worker) are the
    # case's own team's.
    role = by.user.role
    if role == "supervisor" and not is_case_supervisor(by.user, case):
        role = "worker"
    return rules.CaseFacts(
        status=case.status,
        role=role,
        is_key_worker=by.id == case.key_worker_id,
        eligible=bool(latest),
        work_consent=consent > 0,
    )


def _event(
    *, session: Session, case: Case, by: Actor, kind: str, rationale: str, occurred_at: datetime | None = None, **extra
) -> CaseEvent:
    event = CaseEvent(
        case_id=case.id,
        kind=kind,
        rationale=rationale.strip()[:4000],
        occurred_at=occurred_at or utcnow(),
        by_user_id=by.id,
        **extra,
    )
    session.add(event)
    return event


def _touch(case: Case) -> None:
    case.version += 1
    case.updated_at = utcnow()


def just_after(*, occurred_at: datetime, latest_at: datetime | None, timed: bool, what: str, this: str) -> datetime:
    """`occurred_at`, if after `latest_at` (what the case goes by: its latest move, its latest
    eligibility decision); Refused beside its date if on an earlier day, since the history would
    read out of order or the new entry be stored and then ignored. The same day given without a
    time (`timed` False) reads as midday, which may come before a move or decision made that
    afternoon: it is placed just after `latest_at`, so it becomes the latest. A time the worker
    typed is never changed behind their back: one before `latest_at`'s minute is refused beside
    it. `what` says what happened then ("The case moved to active"), `this` what is being
    entered ("this change")."""
    if latest_at is None or as_utc(occurred_at) > as_utc(latest_at):
        return occurred_at
    latest = local(latest_at)
    if local(occurred_at).date() < latest.date():
        raise Refused(f"{what} on {latest:%-d %b %Y}: {this} cannot be dated before it.", field="happened_on")
    if timed and local(occurred_at) < latest.replace(second=0, microsecond=0):
        day = "today" if latest.date() == today() else f"on {latest:%-d %b %Y}"
        raise Refused(f"{what} at {latest:%H:%M} {day}: give a time after it.", field="happened_time")
    return min(as_utc(latest_at) + timedelta(seconds=1), utcnow())


def _after_last_move(*, session: Session, case: Case, occurred_at: datetime | None, timed: bool) -> datetime | None:
    """`occurred_at`, placed after the case's latest status change (`just_after`), so `closed_at`
    never comes before the work nor the history reads closed before it was ever active."""
    if occurred_at is None:
        return None
    latest = session.exec(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.to_status.is_not(None))
        .order_by(CaseEvent.occurred_at.desc(), CaseEvent.recorded_at.desc())
        .limit(1)
    ).first()
    if latest is None:
        return occurred_at
    moved_to = rules.STATUS_WORDS.get(latest.to_status, latest.to_status).lower()
    return just_after(
        occurred_at=occurred_at,
        latest_at=latest.occurred_at,
        timed=timed,
        what=f"The case moved to {moved_to}",
        this="this change",
    )


def transition(
    *,
    session: Session,
    case: Case,
    to_status: str,
    by: Actor,
    rationale: str,
    closure_reason: str = "",
    occurred_at: datetime | None = None,
    timed: bool = False,
    base_version: int | None = None,
    review_interval_weeks: int = 6,
    event_id: str | None = None,
) -> CaseEvent:
    """Move `case` to `to_status` if the rules allow, recording who, when and why; else Refused.
    `timed`: `occurred_at`'s time was given, not only its day (`just_after`).
    `event_id`: the event's id, when a form's own id names it (so a replay is recognised)."""
    if base_version is not None and base_version != case.version:
        raise Conflict(
            "The case changed since this page was opened. Look at it again before changing its status.",
            current_version=case.version,
        )
    facts = case_facts(session=session, case=case, by=by)
    refusal = rules.transition_refusal(facts, to_status, rationale=rationale, closure_reason=closure_reason)
    if refusal:
        raise Refused(refusal)
    if occurred_at is not None and occurred_at > utcnow() + timedelta(minutes=5):
        raise Refused("This date is in the future; it should be now or earlier.")
    occurred_at = _after_last_move(session=session, case=case, occurred_at=occurred_at, timed=timed)
    from_status = case.status
    kind = rules.TRANSITIONS[(from_status, to_status)]
    event = _event(
        session=session,
        case=case,
        by=by,
        **({"id": event_id} if event_id else {}),
        kind=kind,
        rationale=rationale,
        occurred_at=occurred_at,
        from_status=from_status,
        to_status=to_status,
        reason=closure_reason if to_status == CaseStatus.closed else "",
    )
    case.status = to_status
    if to_status == CaseStatus.closed:
        case.closed_at = event.occurred_at
        case.closure_reason = closure_reason
        case.next_review_on = None
    elif from_status == CaseStatus.closed:
        case.closed_at = None
        case.closure_reason = ""
    if to_status == CaseStatus.active and case.next_review_on is None:
        case.next_review_on = today() + timedelta(weeks=review_interval_weeks)
    if to_status == CaseStatus.dormant:
        case.next_review_on = None
    _touch(case)
    session.add(case)
    audit.record(
        session=session,
        actor=by,
        action="transition",
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        detail=f"status {from_status} -> {to_status}",
    )
    session.flush()
    return event


def start_screening(*, session: Session, case: Case, by: Actor, rationale: str) -> CaseEvent:
    """referred -> screening."""
    return transition(session=session, case=case, to_status=CaseStatus.screening, by=by, rationale=rationale)


def activate(*, session: Session, case: Case, by: Actor, rationale: str, review_interval_weeks: int = 6) -> CaseEvent:
    """screening -> active, once eligibility and consent to the work are recorded."""
    return transition(
        session=session,
        case=case,
        to_status=CaseStatus.active,
        by=by,
        rationale=rationale,
        review_interval_weeks=review_interval_weeks,
    )


def move_to_dormant(*, session: Session, case: Case, by: Actor, rationale: str) -> CaseEvent:
    """active -> dormant: the worker keeps the case, it leaves the active count."""
    return transition(session=session, case=case, to_status=CaseStatus.dormant, by=by, rationale=rationale)


def reactivate(*, session: Session, case: Case, by: Actor, rationale: str, review_interval_weeks: int = 6) -> CaseEvent:
    """dormant -> active by the same worker, with no re-referral (PRACTICE.md "Dormant")."""
    return transition(
        session=session,
        case=case,
        to_status=CaseStatus.active,
        by=by,
        rationale=rationale,
        review_interval_weeks=review_interval_weeks,
    )


def close(
    *, session: Session, case: Case, by: Actor, rationale: str, closure_reason: str, event_id: str | None = None
) -> CaseEvent:
    """Any open status -> closed, with a closure reason."""
    return transition(
        session=session,
        case=case,
        to_status=CaseStatus.closed,
        by=by,
        rationale=rationale,
        closure_reason=closure_reason,
        event_id=event_id,
    )


def step_co_workers(*, session: Session, case: Case) -> list[tuple[int, str]]:
    """Who a step-up may name as the case's co-worker: the active workers and supervisors of the
    case's own team, the key worker aside (naming someone elsewhere is a reallocation, the team's
    supervisor's decision: docs/permissions.md)."""
    return [
        (uid, name)
        for uid, name in session.exec(
            select(User.id, User.full_name)
            .where(
                or_(
                    and_(
                        User.team_id == case.team_id,
                        User.role.in_([Role.worker, Role.supervisor]),
                        User.is_active.is_(True),
                    ),
                    User.id == case.co_worker_id,  # whoever co-works it now stays a choice
                )
            )
            .order_by(User.full_name)
        ).all()
        if uid != case.key_worker_id
    ]


def _step_co_worker_refusal(*, case: Case, co_worker: User) -> Refused | None:
    """Why `co_worker` cannot be named on a step-up that continues the case; None if they can."""
    if co_worker.id == case.co_worker_id:
        return None  # kept as they are
    if case.co_worker_id is not None:
        # A step-up is the key worker's record; taking someone off a case is a reallocation, which
        # only the team's supervisor makes, audited and with both workers told.
        return Refused(
            "The case has a co-worker already. To change who co-works it, ask the team's supervisor "
            "to reallocate the case; leave this as it is to keep them.",
            field="co_worker_id",
        )
    if co_worker.id == case.key_worker_id:
        return Refused("The co-worker must be someone other than the key worker.", field="co_worker_id")
    if (
        not co_worker.is_active
        or co_worker.role not in (Role.worker, Role.supervisor)
        or co_worker.team_id != case.team_id
    ):
        return Refused("Choose a co-worker from the case's team.", field="co_worker_id")
    return None


def step(
    *,
    session: Session,
    case: Case,
    by: Actor,
    direction: str,
    destination: str,
    rationale: str,
    closes: bool,
    co_worker: User | None = None,
) -> CaseEvent:
    """Record a step-up or step-down; it closes the case or continues it (with a co-worker)."""
    refusal = rules.step_refusal(
        status=case.status,
        role=by.user.role,
        direction=direction,
        destination=destination,
        rationale=rationale,
        closes=closes,
        co_worker_given=co_worker is not None or case.co_worker_id is not None,
    )
    if refusal:
        raise Refused(refusal)
    if closes and case.status == CaseStatus.dormant:
        # The dormant review closes a dormant case and ends its dormant spell (app/endings): closed
        # here, the spell stayed open, as closing from the status screen did (routes_lifecycle.GUIDED).
        raise Refused("A dormant case is closed at its dormant review: use Dormant review.", field="then")
    before_co = case.co_worker_id
    after_co = before_co
    if co_worker is not None and not closes:
        co_refusal = _step_co_worker_refusal(case=case, co_worker=co_worker)
        if co_refusal is not None:
            raise co_refusal
        after_co = co_worker.id
    kind = "step_up" if direction == "up" else "step_down"
    event = _event(
        session=session,
        case=case,
        by=by,
        kind=kind,
        rationale=rationale,
        destination=destination,
        reason="closes" if closes else "continues",
    )
    audit.record(
        session=session,
        actor=by,
        action="step",
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        detail=f"{kind} to {destination}" + (f"; co-worker {before_co} -> {after_co}" if after_co != before_co else ""),
    )
    if closes:
        reason = "stepped_up" if direction == "up" else "stepped_down"
        transition(
            session=session, case=case, to_status=CaseStatus.closed, by=by, rationale=rationale, closure_reason=reason
        )
    else:
        case.co_worker_id = after_co
        if destination in ("early_help", "cin", "cp", "cla"):
            case.practice_context = destination
        _touch(case)
        session.add(case)
    session.flush()
    return event
