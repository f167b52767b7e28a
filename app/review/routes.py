"""Supervision pages: review queue and review screen, team oversight, notes, notifications.

Here: the review queue, team oversight and the work returned to a worker. The review screen and
its decisions are in submission_routes.py, the supervision notes in supervision_routes.py and the
notifications in notification_routes.py; this router includes them after its own routes, in the
order they were written, so every route keeps its place in the order tried.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import select

from app.accounts.models import Role, User
from app.audit import service as audit
from app.db import SessionDep
from app.ids import parse_id
from app.review import (
    notification_routes,
    oversight,
    registry,
    rules,
    service,
    submission_routes,
    supervision_routes,
    team_routes,
    weights_routes,
)
from app.security.auth import CurrentActor, Forbidden, SettingsDep
from app.templating import render
from app.timeutil import local, today, utcnow

router = APIRouter()


def _require_reviewer(actor) -> None:
    if actor.role not in (Role.supervisor, Role.manager):
        raise Forbidden("The review queue is for supervisors and managers.")


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
        "decides": {r.submission.id for r in rows if service.can_review(actor.user, r.submission)},
        "waits_for": {r.submission.id: service.waits_for(r.submission) for r in rows},
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


router.include_router(submission_routes.router)
router.include_router(supervision_routes.router)
router.include_router(notification_routes.router)
router.include_router(team_routes.router)
router.include_router(weights_routes.router)
