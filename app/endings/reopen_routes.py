"""A closed case: the supervisor reopens it, or a case worker asks them to (a reopen request)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from app.accounts.models import Role, User
from app.cases.happened import happened_at
from app.cases.models import CaseStatus, new_id
from app.cases.people import valid_client_id
from app.cases.service import Conflict, Refused
from app.db import SessionDep
from app.endings import reopen_requests, service
from app.endings.models import ASKED_BY, URGENCY
from app.endings.web import _failed
from app.forms import Form, SentForm
from app.review import service as review
from app.security.auth import CurrentActor, Forbidden, require_role
from app.security.permissions import get_case, is_case_supervisor
from app.templating import flash, redirect, render

router = APIRouter()


@router.get("/cases/{case_id}/reopen")
def reopen_form(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    require_role(actor, Role.supervisor)
    if not is_case_supervisor(actor.user, case):
        raise Forbidden("Only a supervisor of the case's own team can reopen it.")
    return render(request, "endings/reopen.html", {"case": case, "form": None, "new_id": new_id(), "refusal": None})


@router.post("/cases/{case_id}/reopen")
def reopen(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    require_role(actor, Role.supervisor)
    if not is_case_supervisor(actor.user, case):
        raise Forbidden("Only a supervisor of the case's own team can reopen it.")
    form = Form(sent)
    record_id = valid_client_id(form.values.get("id")) or new_id()
    ctx = {"case": case, "form": form, "new_id": record_id, "refusal": None}
    reason = form.text("reason", required=True, max_length=4000, label="A reason")
    base_version = form.integer("base_version", minimum=1, maximum=10**9)
    occurred_at, timed = happened_at(form, case)
    if not form.ok:
        return render(request, "endings/reopen.html", ctx, status_code=422)
    try:
        service.reopen(
            session=session,
            case=case,
            by=actor,
            reason=reason,
            record_id=record_id,
            base_version=base_version,
            occurred_at=occurred_at,
            timed=timed,
        )
    except (Refused, Conflict) as error:
        session.rollback()
        return _failed(request, "endings/reopen.html", ctx, error)
    flash(request, "Reopened for screening, recorded as a re-referral.")
    return redirect(request, f"/cases/{case.id}")


# ---------------------------------------------------------------- reopen requests (a case worker asks)


# ---------------------------------------------------------------- reopen requests (a case worker asks)


def _request_ctx(session, case, actor, form=None, refusal=None) -> dict:
    request_row = reopen_requests.open_request(session=session, case=case) or reopen_requests.latest_request(
        session=session, case=case
    )
    history = reopen_requests.versions(session=session, request=request_row) if request_row else []
    submission = (
        review.latest_for_item(session=session, kind=reopen_requests.KIND, item_id=request_row.id)
        if request_row
        else None
    )
    comments = (
        review.comments_for(session=session, submission_ids=[submission.id]).get(submission.id, [])
        if submission
        else []
    )
    user_ids = (
        {v.by_user_id for v in history}
        | {c.by_user_id for c in comments}
        | ({submission.decided_by_id} if submission and submission.decided_by_id else set())
    )
    users = {u.id: u for u in session.exec(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    is_open = request_row is not None and request_row.state == "open"
    worker = reopen_requests.is_case_worker(actor.user, case) and case.status == CaseStatus.closed
    return {
        "case": case,
        "form": form,
        "refusal": refusal,
        "asked_by": ASKED_BY,
        "urgency": URGENCY,
        "asked_by_words": dict(ASKED_BY),
        "urgency_words": dict(URGENCY),
        "reopen": request_row,
        "versions": history,
        "latest": history[0] if history else None,
        "submission": submission,
        "comments": comments,
        "users": users,
        "is_worker": reopen_requests.is_case_worker(actor.user, case),
        "can_ask": worker and not is_open,
        "can_resend": worker and is_open and submission is not None and submission.status == "returned",
        "waiting": is_open and submission is not None and submission.status == "waiting",
    }


@router.get("/cases/{case_id}/reopen-request")
def reopen_request_page(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    return render(request, "endings/reopen_request.html", _request_ctx(session, case, actor))


@router.post("/cases/{case_id}/reopen-request")
def ask_to_reopen(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    if not reopen_requests.is_case_worker(actor.user, case):
        raise Forbidden("Only the case's workers ask for it to be reopened; a supervisor reopens it directly.")
    form = Form(sent)
    data = reopen_requests.RequestInput(
        asked_by=form.choice("asked_by", [c for c, _ in ASKED_BY]) or "",
        what_changed=form.text("what_changed", required=True, max_length=4000, label="What has changed"),
        urgency=form.choice("urgency", [c for c, _ in URGENCY]) or "",
        reason=form.text("reason", required=True, max_length=4000, label="Why it should reopen"),
    )
    if not form.ok:
        return render(request, "endings/reopen_request.html", _request_ctx(session, case, actor, form), status_code=422)
    existing = reopen_requests.open_request(session=session, case=case)
    try:
        if existing is not None:
            reopen_requests.resubmit(session=session, request=existing, by=actor, data=data)
        else:
            reopen_requests.ask(session=session, case=case, by=actor, data=data)
        session.flush()
    except Refused as error:
        session.rollback()
        return render(
            request,
            "endings/reopen_request.html",
            _request_ctx(session, case, actor, form, error.message),
            status_code=422,
        )
    except IntegrityError:  # another tab asked at the same moment: the case keeps one open request
        session.rollback()
        return render(
            request,
            "endings/reopen_request.html",
            _request_ctx(session, case, actor, form, "This case already has a request to reopen it."),
            status_code=422,
        )
    flash(request, "Sent to your supervisor for review." if existing is None else "Sent to your supervisor again.")
    return redirect(request, f"/cases/{case.id}/reopen-request")


@router.post("/cases/{case_id}/reopen-request/withdraw")
def withdraw_reopen_request(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    existing = reopen_requests.open_request(session=session, case=case)
    if existing is None:
        raise HTTPException(status_code=404)
    if not reopen_requests.is_case_worker(actor.user, case):
        raise Forbidden("Only the case's workers can withdraw the request.")
    try:
        reopen_requests.withdraw(session=session, request=existing, by=actor)
    except Refused as error:
        session.rollback()
        return render(
            request,
            "endings/reopen_request.html",
            _request_ctx(session, case, actor, None, error.message),
            status_code=422,
        )
    flash(request, "Request withdrawn. The case stays closed.")
    return redirect(request, f"/cases/{case.id}")
