"""Reopen requests: a case worker asks the supervisor to reopen a closed case (issues 9 and 10).

Only a supervisor reopens a closed case (app.cases.rules); a worker who hears that things have
gone wrong again asks, with who asked, what has changed, how urgent it is and why. The request is
an item in the team's review queue (kind "reopen_request"). Approving it reopens the case through
`app.endings.returns.reopen` (a re-referral with the request's reason); returning it needs a
rationale, and the worker then sends a new version or withdraws it. A case has at most one open
request (the unique `open_case_id` keeps it so even under two clicks at once).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.accounts.models import Role
from app.audit import service as audit
from app.cases.models import Case, CaseStatus
from app.cases.service import Refused
from app.endings import returns
from app.endings.models import ASKED_BY, URGENCY, Reactivation, ReopenRequest, ReopenRequestVersion
from app.review import service as review
from app.security.auth import Actor
from app.timeutil import utcnow

KIND = "reopen_request"


@dataclass(frozen=True)
class RequestInput:
    asked_by: str
    what_changed: str
    urgency: str
    reason: str


def is_case_worker(user, case: Case) -> bool:
    """Only the case's own workers ask; a supervisor reopens the case directly instead."""
    return user.role == Role.worker and user.id in (case.key_worker_id, case.co_worker_id)


def open_request(*, session: Session, case: Case) -> ReopenRequest | None:
    return session.exec(select(ReopenRequest).where(ReopenRequest.open_case_id == case.id)).first()


def latest_request(*, session: Session, case: Case) -> ReopenRequest | None:
    return session.exec(
        select(ReopenRequest).where(ReopenRequest.case_id == case.id).order_by(ReopenRequest.created_at.desc()).limit(1)
    ).first()


def versions(*, session: Session, request: ReopenRequest) -> list[ReopenRequestVersion]:
    """The request's versions, newest first."""
    return list(
        session.exec(
            select(ReopenRequestVersion)
            .where(ReopenRequestVersion.request_id == request.id)
            .order_by(ReopenRequestVersion.number.desc())
        ).all()
    )


def _latest_submission(session: Session, request: ReopenRequest):
    return review.latest_for_item(session=session, kind=KIND, item_id=request.id)


def _check(data: RequestInput) -> None:
    if data.asked_by not in dict(ASKED_BY):
        raise Refused("Choose who asked for the case to be reopened.")
    if data.urgency not in dict(URGENCY):
        raise Refused("Choose how urgent it is.")
    if not data.what_changed.strip():
        raise Refused("Say what has changed since the case closed.")
    if not data.reason.strip():
        raise Refused("Say why the case should be reopened.")


def _add_version(
    session: Session, request: ReopenRequest, number: int, data: RequestInput, by: Actor
) -> ReopenRequestVersion:
    version = ReopenRequestVersion(
        request_id=request.id,
        number=number,
        asked_by=data.asked_by,
        what_changed=data.what_changed.strip()[:4000],
        urgency=data.urgency,
        reason=data.reason.strip()[:4000],
        by_user_id=by.id,
    )
    session.add(version)
    session.flush()

    review.submit_item(
        session=session,
        kind=KIND,
        case=session.get(Case, request.case_id),
        item_id=request.id,
        version_id=version.id,
        version_number=number,
        by=by.user,
    )
    return version


def ask(*, session: Session, case: Case, by: Actor, data: RequestInput) -> ReopenRequest:
    """A case worker asks for a closed case to be reopened; it waits in the supervisor's queue."""
    if not is_case_worker(by.user, case):
        raise Refused("Only the case's workers can ask for it to be reopened.")
    if case.status != CaseStatus.closed:
        raise Refused("Only a closed case can be asked to reopen.")
    if open_request(session=session, case=case) is not None:
        raise Refused("This case already has a request to reopen it. Send that one again or withdraw it.")
    _check(data)
    request = ReopenRequest(case_id=case.id, open_case_id=case.id, created_by_id=by.id)
    session.add(request)
    session.flush()
    _add_version(session, request, 1, data, by)
    audit.record(
        session=session,
        actor=by,
        action="create",
        object_type="reopen_request",
        object_id=request.id,
        case_id=case.id,
        detail=f"asked by {data.asked_by}, {data.urgency}",
    )
    session.flush()
    return request


def resubmit(*, session: Session, request: ReopenRequest, by: Actor, data: RequestInput) -> ReopenRequestVersion:
    """Send a returned request again as its next version."""
    case = session.get(Case, request.case_id)
    if not is_case_worker(by.user, case):
        raise Refused("Only the case's workers can send the request again.")
    if request.state != "open":
        raise Refused("This request is no longer open.")
    if case.status != CaseStatus.closed:
        raise Refused("Only a closed case can be asked to reopen.")
    latest = _latest_submission(session, request)
    if latest is None or latest.status != "returned":
        raise Refused("The request is waiting for review; it can be sent again once the supervisor returns it.")
    _check(data)
    version = _add_version(session, request, latest.version_number + 1, data, by)
    audit.record(
        session=session,
        actor=by,
        action="submit",
        object_type="reopen_request",
        object_id=request.id,
        case_id=case.id,
        detail=f"version {version.number}",
    )
    session.flush()
    return version


def withdraw(*, session: Session, request: ReopenRequest, by: Actor) -> ReopenRequest:
    """The worker withdraws a returned request; the case stays closed."""
    case = session.get(Case, request.case_id)
    if not is_case_worker(by.user, case):
        raise Refused("Only the case's workers can withdraw the request.")
    if request.state != "open":
        raise Refused("This request is no longer open.")
    latest = _latest_submission(session, request)
    if latest is not None and latest.status == "waiting":
        raise Refused("The request is waiting for review; it can be withdrawn once the supervisor has returned it.")
    _close(request, "withdrawn", by)
    session.add(request)
    audit.record(
        session=session,
        actor=by,
        action="withdraw",
        object_type="reopen_request",
        object_id=request.id,
        case_id=case.id,
    )
    session.flush()
    return request


def _close(request: ReopenRequest, state: str, by: Actor) -> None:
    request.state, request.open_case_id, request.closed_at, request.closed_by_id = state, None, utcnow(), by.id


def approve(*, session: Session, submission, by: Actor, rationale: str = "") -> Reactivation:
    """The supervisor approves the waiting version: the case is reopened as a re-referral with the
    request's reason (the supervisor's own reopen, so the same rules and audit apply)."""

    request = session.get(ReopenRequest, submission.item_id)
    version = session.get(ReopenRequestVersion, submission.version_id)
    if request is None or version is None or request.state != "open":
        raise Refused("This request is no longer open.")
    if submission.status != "waiting":
        raise Refused("This has already been decided.")
    case = session.get(Case, request.case_id)
    back, _ = returns.reopen(
        session=session,
        case=case,
        by=by,
        reason=version.reason,
        decision=rationale or "Reopen request approved.",
        request_submission_id=submission.id,
    )
    back.asked_by, back.urgency = version.asked_by, version.urgency
    session.add(back)
    session.flush()
    return back


def settle_on_reopen(
    *, session: Session, case: Case, by: Actor, back: Reactivation, rationale: str, submission_id: str | None = None
) -> None:
    """The case has been reopened: an open request is done with. Its waiting version is approved
    (the supervisor's decision, whether made from the queue or by reopening directly)."""

    request = open_request(session=session, case=case)
    if request is None:
        return
    _close(request, "approved", by)
    request.reactivation_id = back.id
    session.add(request)
    latest = _latest_submission(session, request)
    if latest is not None and latest.status == "waiting":
        if submission_id is None:
            rationale = f"The case was reopened: {rationale}"
        try:
            review.approve(session=session, submission=latest, by=by.user, rationale=rationale)
        except review.Refused:
            # Approving from the queue, losing the race to another supervisor's decision undoes the
            # reopening; reopening directly, the worker's own request (which they cannot approve)
            # or one just decided is still settled.
            if submission_id is not None:
                raise
    session.flush()


def settled_item_ids(session: Session, item_ids: list[str]) -> set[str]:
    """Of these requests, the ones approved or withdrawn (no longer the worker's to act on)."""
    if not item_ids:
        return set()
    return set(
        session.exec(
            select(ReopenRequest.id).where(ReopenRequest.id.in_(item_ids), ReopenRequest.state != "open")
        ).all()
    )
