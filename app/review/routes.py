"""Supervision pages: review queue and review screen, team oversight, notes, notifications."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import select

from app.accounts.models import Role, User
from app.audit import service as audit
from app.cases.models import Case
from app.db import SessionDep, is_valid_id, parse_id
from app.forms import Form, SentForm
from app.review import oversight, registry, rules, service
from app.review.models import Submission, SubmissionStatus
from app.security.auth import CurrentActor, Forbidden, SettingsDep
from app.security.permissions import case_for_change, get_case, is_case_supervisor
from app.templating import flash, redirect, render
from app.timeutil import local, today, utcnow

router = APIRouter()


def _require_reviewer(actor) -> None:
    if actor.role not in (Role.supervisor, Role.manager):
        raise Forbidden("The review queue is for supervisors and managers.")


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


def _can_review(session, actor, submission: Submission) -> bool:
    return service.can_review(actor.user, submission, session.get(User, submission.submitted_by_id))


def _not_yours(decision: str, session, submission: Submission) -> str:
    if service.manager_decides(submission, session.get(User, submission.submitted_by_id)):
        return f"Only another supervisor of the team or a service manager can {decision} this: a supervisor of the team sent it."
    return f"Only the team's supervisor can {decision} this, and not their own work."


# --- Review queue -----------------------------------------------------------------------------


QUEUE_PAGE = 50  # rows a page of the review queue shows (issue 21: a manager's held 1,000)


@router.get("/review")
def review_queue(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    worker: str = "",
    kind: str = "",
    page: str = "1",
    decide: str = "",
) -> Response:
    _require_reviewer(actor)
    worker_id = parse_id(worker)
    # A manager reads every team's queue and decides what a team's own supervisor sent ("decide").
    to_decide = actor.role is Role.manager and decide == "1"
    filters = {"user": actor.user, "worker_id": worker_id, "kind": kind or None, "to_decide": to_decide}
    total = service.queue_count(session=session, **filters)
    theirs = service.queue_count(session=session, user=actor.user, to_decide=True) if actor.role is Role.manager else 0
    pages = max(1, -(-total // QUEUE_PAGE))
    number = min(parse_id(page) or 1, pages)
    rows = service.queue(session=session, **filters, limit=QUEUE_PAGE, offset=(number - 1) * QUEUE_PAGE)
    audit.record_list(session=session, actor=actor, object_type="review_queue", case_ids=[r.case.id for r in rows])
    team_filter = (
        User.team_id == actor.user.team_id
        if actor.role is Role.supervisor
        else User.role.in_([Role.worker, Role.supervisor])
    )
    workers = session.exec(
        select(User).where(team_filter, User.role.in_([Role.worker, Role.supervisor])).order_by(User.full_name)
    ).all()
    now = utcnow()
    ages = {r.submission.id: (today() - local(r.submission.submitted_at).date()).days for r in rows}
    # Late by the same rule as team oversight's flag, so the two screens never disagree.
    wait = request.app.state.settings.review_wait_working_days
    late = {
        r.submission.id
        for r in rows
        if rules.waiting_too_long(
            submitted_on=local(r.submission.submitted_at).date(), today=today(), working_days=wait
        )
    }
    query = {
        key: value for key, value in (("worker", worker_id or ""), ("kind", kind), ("decide", "1" * to_decide)) if value
    }
    ctx = {
        "to_decide": to_decide,
        "theirs": theirs,
        # The rows this reviewer decides, and the rest's "whom it waits for" (their own, say).
        "decides": {r.submission.id for r in rows if service.can_review(actor.user, r.submission, r.worker)},
        "waits_for": {r.submission.id: service.waits_for(r.submission, r.worker) for r in rows},
        "is_manager": actor.role is Role.manager,
        "total": total,
        "page": number,
        "pages": pages,
        "query": query,
        "ages": ages,
        "late": late,
        "wait_days": wait,
        "rows": rows,
        "workers": workers,
        "kinds": [(k.key, k.label) for k in registry.kinds().values()],
        "worker": worker_id,
        "kind": kind,
        "now": now,
        "today": today(),
    }
    return render(request, "review/queue.html", ctx, block="queue")


@router.get("/review/oversight")
def team_oversight(
    request: Request, session: SessionDep, actor: CurrentActor, settings: SettingsDep, team: str = ""
) -> Response:
    _require_reviewer(actor)
    team_id = parse_id(team) if actor.role is Role.manager else None
    # The manager's whole service is a line per team, counted in grouped SQL with the flags as the
    # hourly tick kept them; each team's detail, worked out live, one click away (issue 21).
    overview = board = None
    if actor.role is Role.manager and not team_id:
        overview = oversight.service_overview(session=session, settings=settings, today=today(), now=utcnow())
        teams = [s.team for s in overview.teams]
    else:
        board = oversight.dashboard(
            session=session, viewer=actor.user, settings=settings, today=today(), now=utcnow(), team_id=team_id
        )
        teams = board.teams  # a manager's: every team, to choose from
    # A supervisor opens the supervision (notes, competency) of their own workers and their own; a
    # fellow supervisor's row shows caseload only. A manager sees every row's competency, no notes.
    supervised = {
        r.worker.id
        for r in (board.rows if board is not None else [])
        if service.may_see_reflective(actor.user, r.worker)
    }
    competency = (
        service.competency(
            session=session,
            worker_ids=[r.worker.id for r in board.rows if actor.role is Role.manager or r.worker.id in supervised],
        )
        if board is not None
        else {}
    )
    audit.record(
        session=session,
        actor=actor,
        action="read",
        object_type="team_oversight",
        object_id=team_id or actor.user.team_id or "",
    )
    if board is not None:
        # The flagged cases it names (the first FLAGS_SHOWN of each list, as the page shows them),
        # so "who saw that this family is known" is answered for oversight too.
        lists = [*board.flags_by_key().values(), *(row.flags for row in board.rows)]
        shown = [f.case_id for flags in lists for f in flags[: oversight.FLAGS_SHOWN]]
        audit.record_list(session=session, actor=actor, object_type="team_oversight", case_ids=shown)
    ctx = {
        "board": board,
        "overview": overview,
        "teams": teams,
        "team_id": team_id,
        "labels": (overview or board).labels,
        "competency": competency,
        "areas": service.COMPETENCY_AREAS,
        "levels": dict(service.COMPETENCY_LEVELS),
        "is_manager": actor.role is Role.manager,
        # What a team's own supervisor sent waits for a manager too (service.manager_decides).
        "to_decide": service.queue_count(session=session, user=actor.user, to_decide=True)
        if actor.role is Role.manager
        else 0,
        "supervised": supervised,
        "reflective_weeks": settings.reflective_supervision_weeks,
        "shown": oversight.FLAGS_SHOWN,
    }
    return render(request, "review/oversight.html", ctx)


@router.get("/review/returned")
def returned_work(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    """Work returned to the worker, shown on their home page."""
    returned = service.returned_for(session=session, user=actor.user)
    if returned:  # the cases it names, with the reviewer's comments, as every list of cases is
        audit.record_list(
            session=session, actor=actor, object_type="returned_work", case_ids=[row.case.id for row, _ in returned]
        )
    return render(request, "review/returned.html", {"returned": returned}, block="returned")


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
        "can_review": _can_review(session, actor, submission)
        and submission.status == SubmissionStatus.waiting
        and latest.id == submission.id,
        "can_resubmit": resubmit_here
        and submission.status == SubmissionStatus.returned
        and latest.id == submission.id
        and service.may_resubmit(actor.user, submission, case),
        "waits_for": service.waits_for(submission, users.get(submission.submitted_by_id)),
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
        _can_review(session, actor, submission) or actor.id == submission.submitted_by_id
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
    if not _can_review(session, actor, submission):
        raise Forbidden(_not_yours("approve", session, submission))
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
    if not _can_review(session, actor, submission):
        raise Forbidden(_not_yours("return", session, submission))
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


# --- Supervision notes ------------------------------------------------------------------------


@router.get("/cases/{case_id}/supervision")
def case_supervision(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    return render(request, "review/case_notes.html", _case_notes_ctx(session, actor, case))


def _case_notes_ctx(session, actor, case, form: Form | None = None) -> dict:
    notes = service.case_notes(session=session, case=case)
    users = {u.id: u for u in session.exec(select(User).where(User.id.in_({n.by_user_id for n in notes}))).all()}
    return {
        "case": case,
        "notes": notes,
        "users": users,
        "can_write": is_case_supervisor(actor.user, case),
        "form": form or Form(),
    }


@router.post("/cases/{case_id}/supervision")
def add_case_note(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    if not is_case_supervisor(actor.user, case):
        raise Forbidden("Case supervision notes are written by the supervisor of the case's team.")
    form = Form(sent)
    text = form.text("text", required=True, max_length=4000, label="What was discussed")
    decision = form.text("decision", required=True, max_length=2000, label="Decision")
    rationale = form.text("rationale", required=True, max_length=2000, label="Why")
    if not form.ok:
        return render(request, "review/case_notes.html", _case_notes_ctx(session, actor, case, form), status_code=422)
    note = service.add_case_note(
        session=session, case=case, text=text, decision=decision, rationale=rationale, by=actor.user
    )
    audit.record(
        session=session,
        actor=actor,
        action="create",
        object_type="supervision_note",
        object_id=note.id,
        case_id=case.id,
    )
    flash(request, "Supervision note added.")
    return redirect(request, f"/cases/{case.id}/supervision")


def _worker_or_404(session, actor, worker_id: int) -> User:
    worker = session.get(User, worker_id) if is_valid_id(worker_id) else None
    if worker is None or not service.may_see_reflective(actor.user, worker):
        raise HTTPException(status_code=404)
    return worker


@router.get("/supervision/{worker_id}")
def worker_supervision(request: Request, worker_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    worker = _worker_or_404(session, actor, worker_id)
    audit.record(session=session, actor=actor, action="read", object_type="reflective_notes", object_id=worker.id)
    return render(request, "review/worker.html", _worker_ctx(session, actor, worker))


def _worker_ctx(session, actor, worker: User, form: Form | None = None) -> dict:
    notes = service.reflective_notes(session=session, worker=worker)
    users = {u.id: u for u in session.exec(select(User).where(User.id.in_({n.by_user_id for n in notes}))).all()}
    return {
        "worker": worker,
        "notes": notes,
        "users": users,
        "competency": service.competency(session=session, worker_ids=[worker.id]).get(worker.id, {}),
        "areas": service.COMPETENCY_AREAS,
        "levels": service.COMPETENCY_LEVELS,
        "form": form or Form(),
    }


@router.post("/supervision/{worker_id}/notes")
def add_reflective_note(
    request: Request, worker_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    worker = _worker_or_404(session, actor, worker_id)
    form = Form(sent)
    text = form.text("text", required=True, max_length=4000, label="Note")
    if not form.ok:
        return render(request, "review/worker.html", _worker_ctx(session, actor, worker, form), status_code=422)
    note = service.add_reflective_note(session=session, worker=worker, text=text, by=actor.user)
    audit.record(session=session, actor=actor, action="create", object_type="reflective_note", object_id=note.id)
    flash(request, "Reflective note added.")
    return redirect(request, f"/supervision/{worker.id}")


@router.post("/supervision/{worker_id}/competency")
def rate_competency(
    request: Request, worker_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    worker = _worker_or_404(session, actor, worker_id)
    form = Form(sent)
    area = form.choice("area", [c for c, _ in service.COMPETENCY_AREAS])
    level = form.choice("level", [c for c, _ in service.COMPETENCY_LEVELS])
    if not form.ok:
        return render(request, "review/worker.html", _worker_ctx(session, actor, worker, form), status_code=422)
    try:
        rating = service.rate_competency(session=session, worker=worker, area=area, level=level, by=actor.user)
    except service.Refused as exc:
        raise Forbidden(str(exc)) from exc
    audit.record(session=session, actor=actor, action="create", object_type="competency_rating", object_id=rating.id)
    flash(request, "Competency rating saved.")
    return redirect(request, f"/supervision/{worker.id}")


# --- Notifications ----------------------------------------------------------------------------


@router.get("/notifications")
def notification_list(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    items = service.notifications(session=session, user=actor.user)
    return render(request, "review/notifications.html", {"items": items})


@router.get("/notifications/badge")
def notification_badge(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    count = service.unread_count(session=session, user=actor.user)
    return render(request, "review/notifications.html", {"count": count, "items": []}, block="badge")


@router.get("/notifications/{notification_id}")
def open_notification(request: Request, notification_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    """Follow a notification's link, marking it read on the way."""
    note = service.open_notification(session=session, user=actor.user, notification_id=notification_id)
    if note is None:
        raise HTTPException(status_code=404)
    return redirect(request, note.url or "/notifications")


@router.post("/notifications/read")
def mark_read(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    service.mark_all_read(session=session, user=actor.user)
    flash(request, "Notifications marked as read.")
    return redirect(request, "/notifications")


from app.review import team_routes, weights_routes  # noqa: E402  (their routes join this router)

router.include_router(team_routes.router)
router.include_router(weights_routes.router)
