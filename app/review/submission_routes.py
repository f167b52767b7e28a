"""The review screen: one submission, its comments, approving it, returning it, sending it again."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import select

from app.accounts.models import Role, User
from app.audit import service as audit
from app.cases.models import Case
from app.db import SessionDep
from app.forms import Form, SentForm
from app.review import registry, service
from app.review.models import Submission, SubmissionStatus
from app.security.auth import CurrentActor, Forbidden
from app.security.permissions import case_for_change, get_case
from app.templating import flash, redirect, render

router = APIRouter()


def _submission(
    request: Request, session, actor, submission_id: str, *, decide: bool = False
) -> tuple[Submission, Case]:
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise HTTPException(status_code=404)
    # The case a refusal here is about, for its audit entry (app/errors.py record_refusal).
    request.state.case_id = submission.case_id
    if not decide:
        return submission, get_case(session=session, actor=actor, case_id=submission.case_id)
    # A decision may move the case (an ending, a reopening): it takes the case writers' turn before
    # anything is checked, so its checks are made on the case as others last saved it, and reads
    # the submission again after it (app/security/permissions.py case_for_change).
    # A manager changes no casework: they take the turn too, and decide only what can_review lets
    # them (a team supervisor's own work), the decision audited by the route.
    manager = actor.role is Role.manager
    if manager:
        case_for_change(session, submission.case_id)
    case = get_case(session=session, actor=actor, case_id=submission.case_id, write=not manager, audit_read=not manager)
    session.refresh(submission)
    return submission, case


def _not_yours(decision: str, submission: Submission) -> str:
    if service.manager_decides(submission):
        return f"Only another supervisor of the team or a service manager can {decision} this: a supervisor of the team sent it."
    return f"Only the team's supervisor can {decision} this, and not their own work."


@router.get("/review/{submission_id}")
def review_screen(request: Request, submission_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    submission, case = _submission(request, session, actor, submission_id)
    return render(request, "review/review.html", _review_ctx(session, actor, submission, case))


def _resubmits_here(session, submission: Submission) -> bool:
    """Whether a returned version is sent again from the review screen (not from the item's page)."""
    kind = registry.kind(submission.kind)
    if kind is not None and kind.resubmits_here is not None:
        return kind.resubmits_here(session, submission)
    return bool(kind and kind.resubmit_here)


def _review_ctx(session, actor, submission: Submission, case: Case, form: Form | None = None) -> dict:
    kind = registry.kind(submission.kind)
    sections = kind.sections(session, submission) if kind else []
    previous = service.compared_with(session=session, submission=submission)
    before = kind.sections(session, previous) if (kind and previous) else None
    history = service.history(session=session, submission=submission)
    comments = service.comments_for(session=session, submission_ids=[s.id for s in history])
    users = {
        u.id: u
        for u in session.exec(
            select(User).where(
                User.id.in_(
                    {s.submitted_by_id for s in history}
                    | {s.decided_by_id for s in history if s.decided_by_id}
                    | {c.by_user_id for cs in comments.values() for c in cs}
                )
            )
        ).all()
    }
    latest = history[0] if history else submission
    resubmit_here = _resubmits_here(session, submission)
    changes = registry.compare(sections, before)
    # A comment that could not be saved comes back in the section it was written in, open.
    sent_to = form.values.get("section", "") if form is not None and "text" in form.errors else ""
    comment_section = sent_to if sent_to in {c.name for c in changes} else None
    return {
        "comment_section": comment_section,
        "general_form": Form() if comment_section else (form or Form()),
        "resubmit_here": resubmit_here,
        "submission": submission,
        "case": case,
        "kind": kind,
        "kind_label": registry.label(submission.kind),
        "changes": changes,
        "previous": previous,
        "history": history,
        "comments": comments,
        "users": users,
        "can_review": service.can_review(actor.user, submission)
        and submission.status == SubmissionStatus.waiting
        and latest.id == submission.id,
        "can_resubmit": resubmit_here
        and submission.status == SubmissionStatus.returned
        and latest.id == submission.id
        and service.may_resubmit(actor.user, submission, case),
        "waits_for": service.waits_for(submission),
        "is_latest": latest.id == submission.id,
        "latest": latest,
        "form": form or Form(),
    }


@router.post("/review/{submission_id}/comments")
def add_comment(
    request: Request, submission_id: str, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    submission, case = _submission(request, session, actor, submission_id)
    # Permission before validation: someone who may not comment learns nothing from the form.
    if submission.status != SubmissionStatus.waiting or not (
        service.can_review(actor.user, submission) or actor.id == submission.submitted_by_id
    ):
        raise Forbidden("Comments are added while the work is waiting for review.")
    form = Form(sent)
    text = form.text("text", required=True, max_length=2000, label="Comment")
    section = form.text("section", max_length=80)
    if not form.ok:
        return render(
            request, "review/review.html", _review_ctx(session, actor, submission, case, form), status_code=422
        )
    service.add_comment(session=session, submission=submission, section=section, text=text, by=actor.user)
    audit.record(
        session=session,
        actor=actor,
        action="comment",
        object_type="review_submission",
        object_id=submission.id,
        case_id=case.id,
    )
    flash(request, "Comment added.")
    return redirect(request, f"/review/{submission.id}#comments-{_anchor(section)}")


def _anchor(section: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in section.lower()) or "general"


@router.post("/review/{submission_id}/approve")
def approve(request: Request, submission_id: str, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    submission, case = _submission(request, session, actor, submission_id, decide=True)
    form = Form(sent)
    if not service.can_review(actor.user, submission):
        raise Forbidden(_not_yours("approve", submission))
    kind = registry.kind(submission.kind)
    rationale = form.text("rationale", max_length=4000)
    try:
        if kind is not None and kind.approve is not None:  # e.g. a reopen request reopens the case
            kind.approve(session, submission, actor, rationale)
        else:
            service.approve(session=session, submission=submission, by=actor.user, rationale=rationale)
    except service.Refused as exc:
        session.rollback()
        flash(request, str(exc), "error")
        return redirect(request, f"/review/{submission.id}")
    audit.record(
        session=session,
        actor=actor,
        action="approve",
        object_type="review_submission",
        object_id=submission.id,
        case_id=case.id,
        detail=submission.kind,
    )
    flash(request, f"{registry.label(submission.kind)} approved.")
    return redirect(request, "/review")


@router.post("/review/{submission_id}/return")
def return_work(
    request: Request, submission_id: str, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    submission, case = _submission(request, session, actor, submission_id, decide=True)
    form = Form(sent)
    if not service.can_review(actor.user, submission):
        raise Forbidden(_not_yours("return", submission))
    rationale = form.text("rationale", required=True, max_length=4000, label="Why it is returned")
    if not form.ok:
        return render(
            request, "review/review.html", _review_ctx(session, actor, submission, case, form), status_code=422
        )
    try:
        service.return_to_worker(session=session, submission=submission, by=actor.user, rationale=rationale)
    except service.Refused as exc:
        flash(request, str(exc), "error")
        return redirect(request, f"/review/{submission.id}")
    audit.record(
        session=session,
        actor=actor,
        action="return",
        object_type="review_submission",
        object_id=submission.id,
        case_id=case.id,
        detail=submission.kind,
    )
    flash(request, f"{registry.label(submission.kind)} returned to the worker.")
    return redirect(request, "/review")


@router.post("/review/{submission_id}/resubmit")
def resubmit(request: Request, submission_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    submission, case = _submission(request, session, actor, submission_id)
    get_case(session=session, actor=actor, case_id=case.id, write=True)
    if not service.may_resubmit(actor.user, submission, case):
        raise Forbidden("Returned work is sent again by the case's key worker or co-worker.")
    if not _resubmits_here(session, submission):
        flash(request, "This is sent again from its own page, changed as the comments ask.", "error")
        return redirect(request, f"/review/{submission.id}")
    try:
        again = service.resubmit(session=session, submission=submission, by=actor.user)
    except service.Refused as exc:
        flash(request, str(exc), "error")
        return redirect(request, f"/review/{submission.id}")
    audit.record(
        session=session,
        actor=actor,
        action="submit",
        object_type="review_submission",
        object_id=again.id,
        case_id=case.id,
        detail=submission.kind,
    )
    flash(request, "Sent for review again.")
    return redirect(request, f"/review/{again.id}")
