"""End active work, the dormant review, reactivation, reopening, the dormant register and figures.

Thin routes: parse the form, call app.endings.service (which moves the status through
app.cases.service), re-render with 422 on a refusal and 409 on a stale base_version.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from app.accounts.models import Role, User
from app.audit import service as audit
from app.cases import reallocation
from app.cases.happened import happened_at
from app.cases.models import CLOSURE_REASONS, STEP_DOWN_DESTINATIONS, STEP_UP_DESTINATIONS, CaseStatus, new_id
from app.cases.people import valid_client_id
from app.cases.service import Conflict, Refused
from app.db import SessionDep, parse_id
from app.endings import figures as figures_service
from app.endings import goals as goal_sources
from app.endings import reopen_requests, rules, service
from app.endings.models import ASKED_BY, ENDING_CLOSURE_REASONS, GOAL_RATINGS, PROMPT_WORDS, URGENCY
from app.forms import Form, SentForm, formset
from app.refused import WrongCase
from app.review import service as review
from app.security.auth import CurrentActor, Forbidden, SettingsDep, require_role
from app.security.permissions import get_case, is_case_supervisor
from app.sync.ledger import Idempotent
from app.templating import flash, redirect, render
from app.timeutil import today

router = APIRouter()
EXTRA_GOALS = 3  # blank rows for goals the worker lists in the form


def _failed(request: Request, template: str, ctx: dict, error: Exception) -> Response:
    if isinstance(error, WrongCase):
        raise error  # not found, like any record of another case (app/refused.py)
    if getattr(error, "field", None) and ctx.get("form") is not None:
        ctx["form"].error(error.field, error.message)  # e.g. a date before the case's latest move
        return render(request, template, ctx, status_code=422)
    ctx["refusal"] = error.message  # type: ignore[attr-defined]
    return render(request, template, ctx, status_code=409 if isinstance(error, Conflict) else 422)


# ---------------------------------------------------------------- end active work


def _ending_ctx(session, case, actor, settings, form, record_id: str) -> dict:
    goals = goal_sources.goals_for(session=session, case=case)
    return {
        "case": case,
        "form": form,
        "new_id": record_id,
        "goals": goals,
        "extra": range(EXTRA_GOALS),
        "ratings": GOAL_RATINGS,
        "closure_reasons": ENDING_CLOSURE_REASONS,
        "up": STEP_UP_DESTINATIONS,
        "down": STEP_DOWN_DESTINATIONS,
        "review_default": rules.add_months(today(), settings.dormant_review_months),
        "is_supervisor": actor.role is Role.supervisor,
        "refusal": None,
    }


@router.get("/cases/{case_id}/end")
def ending_form(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, settings: SettingsDep
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    ctx = _ending_ctx(session, case, actor, settings, None, new_id())
    pending = service.pending_ending(session=session, case=case)
    if pending is not None and pending[1] is not None and pending[1].status == "returned":
        # The returned ending fills the form, so the worker changes what the comments ask.
        ctx["form"] = Form(_returned_values(pending[0], ctx["goals"]))
        ctx["returned"] = pending[1]
    return render(request, "endings/end.html", ctx)


def _returned_values(ending, goals) -> dict:
    values = {
        name: getattr(ending, name) or ""
        for name in (
            "outcome",
            "agreement_how",
            "taper",
            "sustainability_plan",
            "named_contact",
            "family_summary",
            "young_person_views",
            "outcome_summary",
            "closure_reason",
            "closure_other",
            "destination",
            "lead_name",
        )
    }
    values["agreed_on"] = ending.agreed_on.isoformat() if ending.agreed_on else ""
    values["dormant_review_on"] = ending.dormant_review_on.isoformat() if ending.dormant_review_on else ""
    index = {(g.source, g.ref): i for i, g in enumerate(goals)}
    own = 0
    for saved in ending.goals:
        i = index.get((saved.get("source"), saved.get("ref")))
        if i is not None and saved.get("source") != "worker":
            prefix = f"goal_{i}_"
        elif own < EXTRA_GOALS:
            prefix, own = f"own_{own}_", own + 1
            values[prefix + "goal"] = saved.get("goal", "")
        else:
            continue
        values[prefix + "rating"] = saved.get("rating", "")
        values[prefix + "evidence"] = saved.get("evidence", "")
    return values


def _goals_from(form: Form, goals, ratings: list[str]) -> list[dict]:
    rows = []
    for goal, row in zip(goals, formset(form, "goal", count=len(goals), sep="_"), strict=True):
        rows.append(
            {
                "source": goal.source,
                "ref": goal.ref,
                "goal": goal.text,
                "rating": row.choice("rating", ratings, required=False) or "",
                "evidence": row.text("evidence", max_length=1000),
            }
        )
    for row in formset(form, "own", count=EXTRA_GOALS, sep="_"):
        text = row.text("goal", max_length=500)
        if text:
            rows.append(
                {
                    "source": "worker",
                    "ref": "",
                    "goal": text,
                    "rating": row.choice("rating", ratings, required=False) or "",
                    "evidence": row.text("evidence", max_length=1000),
                }
            )
    return rows


@router.post("/cases/{case_id}/end")
def end_active_work(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, settings: SettingsDep, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    record_id = valid_client_id(form.values.get("id")) or new_id()
    ctx = _ending_ctx(session, case, actor, settings, form, record_id)
    outcome = form.choice("outcome", ["dormant", "closed"])
    reason = form.choice("closure_reason", [c for c, _ in ENDING_CLOSURE_REASONS], required=outcome == "closed") or ""
    destination_options = STEP_UP_DESTINATIONS if reason == "stepped_up" else STEP_DOWN_DESTINATIONS
    destination = (
        form.choice(
            "destination", [c for c, _ in destination_options], required=reason in ("stepped_up", "stepped_down")
        )
        or ""
    )
    agreed_on = form.date("agreed_on", not_future=True, label="The date the family agreed")
    if agreed_on and case.referral_date and agreed_on < case.referral_date:
        form.error("agreed_on", f"This is before the referral on {case.referral_date:%-d %b %Y}.")
    data = service.EndingInput(
        outcome=outcome or "",
        goals=_goals_from(form, ctx["goals"], [c for c, _ in GOAL_RATINGS]),
        agreed_on=agreed_on,
        agreement_how=form.text("agreement_how", max_length=2000),
        taper=form.text("taper", max_length=2000),
        sustainability_plan=form.text("sustainability_plan", max_length=4000),
        named_contact=form.text("named_contact", max_length=300),
        family_summary=form.text("family_summary", max_length=4000),
        young_person_views=form.text("young_person_views", max_length=4000),
        outcome_summary=form.text("outcome_summary", max_length=4000),
        dormant_review_on=form.date("dormant_review_on"),
        closure_reason=reason,
        closure_other=form.text("closure_other", max_length=300, required=reason == "other", label="The other reason"),
        destination=destination,
        lead_name=form.text(
            "lead_name", max_length=200, required=reason in ("stepped_up", "stepped_down"), label="The named lead"
        ),
        approve=form.boolean("approve"),
        approval_reason=form.text("approval_reason", max_length=2000),
    )
    base_version = form.integer("base_version", minimum=1, maximum=10**9)
    if not form.ok:
        return render(request, "endings/end.html", ctx, status_code=422)
    try:
        ending, created = service.end_active_work(
            session=session,
            case=case,
            by=actor,
            data=data,
            record_id=record_id,
            base_version=base_version,
            dormant_review_months=settings.dormant_review_months,
            approval_first=settings.ending_approval == "before",
        )
    except (Refused, Conflict) as error:
        session.rollback()
        ctx["missing"] = service.missing_for(data)
        return _failed(request, "endings/end.html", ctx, error)
    if not created:
        flash(request, "This was already saved.")
    elif ending.pending:
        flash(
            request,
            "The ending is sent to your supervisor for approval. The case stays in active work until it is approved.",
        )
    elif ending.outcome == "dormant":
        flash(
            request, f"Active work ended. The case is dormant; its review is due {ending.dormant_review_on:%-d %b %Y}."
        )
    else:
        flash(request, "Active work ended. The case is closed.")
    return redirect(request, f"/cases/{case.id}")


# ---------------------------------------------------------------- reactivate


def _workers(session, case, actor) -> list[tuple[int, str]]:
    """Who the case's own team supervisor may give it to on reactivation: its team's workers.
    (A supervisor of another team co-working the case does not reallocate it.)"""
    if not is_case_supervisor(actor.user, case):
        return []
    return [(u.id, u.full_name) for u in reallocation.team_workers(session=session, case=case)]


def _reactivate_ctx(session, case, actor, form, record_id) -> dict:
    spell = service.open_spell(session=session, case=case)
    return {
        "case": case,
        "form": form,
        "new_id": record_id,
        "asked_by": ASKED_BY,
        "urgency": URGENCY,
        "spell": spell,
        "refusal": None,
        "workers": _workers(session, case, actor),
    }


@router.get("/cases/{case_id}/reactivate")
def reactivate_form(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    return render(request, "endings/reactivate.html", _reactivate_ctx(session, case, actor, None, new_id()))


@router.post("/cases/{case_id}/reactivate")
def reactivate(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, settings: SettingsDep, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    record_id = valid_client_id(form.values.get("id")) or new_id()
    ctx = _reactivate_ctx(session, case, actor, form, record_id)
    asked_by = form.choice("asked_by", [c for c, _ in ASKED_BY])
    what_changed = form.text("what_changed", required=True, max_length=4000, label="What has changed")
    urgency = form.choice("urgency", [c for c, _ in URGENCY])
    worker_id = (
        form.choice("key_worker_id", [uid for uid, _ in ctx["workers"]], required=False) if ctx["workers"] else None
    )
    base_version = form.integer("base_version", minimum=1, maximum=10**9)
    if not form.ok:
        return render(request, "endings/reactivate.html", ctx, status_code=422)
    new_worker = session.get(User, int(worker_id)) if worker_id else None
    try:
        _, created = service.reactivate(
            session=session,
            case=case,
            by=actor,
            asked_by=asked_by,
            what_changed=what_changed,
            urgency=urgency,
            record_id=record_id,
            base_version=base_version,
            new_key_worker=new_worker,
            review_interval_weeks=settings.review_interval_weeks,
        )
    except (Refused, Conflict) as error:
        session.rollback()
        return _failed(request, "endings/reactivate.html", ctx, error)
    flash(request, "Reactivated: the case is active again, with no referral." if created else "This was already saved.")
    return redirect(request, f"/cases/{case.id}#endings")


# ---------------------------------------------------------------- dormant review


def _review_ctx(session, case, settings, form) -> dict:
    return {
        "case": case,
        "form": form,
        "spell": service.open_spell(session=session, case=case),
        "closure_reasons": CLOSURE_REASONS,
        "next_default": rules.add_months(today(), settings.dormant_review_months),
        "refusal": None,
        "new_id": (form.values.get("id") if form else None) or new_id(),
    }


@router.get("/cases/{case_id}/dormant-review")
def dormant_review_form(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, settings: SettingsDep
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    return render(request, "endings/dormant_review.html", _review_ctx(session, case, settings, None))


@router.post("/cases/{case_id}/dormant-review")
def dormant_review(
    request: Request,
    case_id: int,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    op: Idempotent,
    sent: SentForm,
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    ctx = _review_ctx(session, case, settings, form)
    decision = form.choice("decision", ["stay", "close", "reactivate"])
    if decision == "reactivate":
        if op is not None:
            # From the outbox this choice saves nothing, and a 303 would tell the device it was
            # saved: refuse it, so the worker is told to use the Reactivate form (kept offline too).
            # Online, the script then posts the form itself and the browser follows the redirect.
            form.error("decision", "Reactivating asks who asked and what has changed: use Reactivate on the case page.")
            return render(request, "endings/dormant_review.html", ctx, status_code=422)
        return redirect(request, f"/cases/{case.id}/reactivate")
    rationale = form.text("rationale", required=True, max_length=4000, label="What the review found")
    new_review_on = form.date("new_review_on", required=decision == "stay")
    reason = form.choice("closure_reason", [c for c, _ in CLOSURE_REASONS], required=decision == "close") or ""
    base_version = form.integer("base_version", minimum=1, maximum=10**9)
    record_id = valid_client_id(form.values.get("id"))
    if not form.ok:
        return render(request, "endings/dormant_review.html", ctx, status_code=422)
    try:
        applied = service.dormant_review(
            session=session,
            case=case,
            by=actor,
            decision=decision,
            rationale=rationale,
            new_review_on=new_review_on,
            closure_reason=reason,
            base_version=base_version,
            record_id=record_id,
        )
    except (Refused, Conflict) as error:
        session.rollback()
        return _failed(request, "endings/dormant_review.html", ctx, error)
    if not applied:
        flash(request, "This was already saved.")
    else:
        flash(
            request,
            f"Stays dormant; next review {new_review_on:%-d %b %Y}." if decision == "stay" else "The case is closed.",
        )
    return redirect(request, f"/cases/{case.id}")


# ---------------------------------------------------------------- reopen (supervisor)


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


# ---------------------------------------------------------------- prompted tasks


@router.post("/cases/{case_id}/endings/tasks/{task_id}")
def task_done(
    request: Request, case_id: int, task_id: str, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    try:
        service.complete_task(
            session=session,
            case=case,
            by=actor,
            task_id=task_id,
            done=form.boolean("done"),
            base_version=form.integer("base_version", minimum=1, maximum=10**9),
        )
    except Conflict as conflict:  # before Refused, of which it is a kind
        session.rollback()
        raise HTTPException(status_code=409, detail=conflict.message) from None
    except Refused as refused:
        raise HTTPException(status_code=404, detail=refused.message) from None
    flash(request, "Task updated.")
    return redirect(request, f"/cases/{case.id}#endings")


# ---------------------------------------------------------------- register and figures


@router.get("/dormant")
def register(
    request: Request, session: SessionDep, actor: CurrentActor, settings: SettingsDep, page: str = "1"
) -> Response:
    require_role(actor, Role.worker, Role.supervisor, Role.manager)
    # Paged (issue 21: a manager's register held 7,565 cases and showed 500 of them).
    total = figures_service.dormant_count(session=session, user=actor.user)
    per_page = figures_service.DORMANT_PAGE
    pages = max(1, -(-total // per_page))
    number = min(parse_id(page) or 1, pages)
    rows = figures_service.dormant_register(
        session=session,
        user=actor.user,
        dormant_review_months=settings.dormant_review_months,
        offset=(number - 1) * per_page,
        limit=per_page,
    )
    flags = figures_service.open_flags(session=session, user=actor.user)
    audit.record_list(
        session=session,
        actor=actor,
        object_type="dormant_register",
        case_ids=[row.case.id for row in rows] + [case.id for case, _, _ in flags],
    )
    return render(
        request,
        "endings/register.html",
        {
            "rows": rows,
            "total": total,
            "page": number,
            "pages": pages,
            "flags": flags,
            "words": PROMPT_WORDS,
            "today": today(),
            "show_figures": actor.role in (Role.supervisor, Role.manager),
        },
    )


@router.get("/endings/figures")
def figures(request: Request, session: SessionDep, actor: CurrentActor, start: str = "", end: str = "") -> Response:
    require_role(actor, Role.supervisor, Role.manager)
    form = Form({key: value[:20] for key, value in (("start", start), ("end", end)) if value})
    end_on = form.date("end", default=today()) or today()
    start_on = form.date("start", default=end_on - timedelta(days=365)) or end_on - timedelta(days=365)
    if start_on > end_on:
        form.error("start", "The start should be on or before the end.")
        start_on = end_on - timedelta(days=365)
    result = figures_service.figures(session=session, user=actor.user, start=start_on, end=end_on)
    return render(
        request,
        "endings/figures.html",
        {"fig": result, "form": form, "reasons": dict(CLOSURE_REASONS)},
        status_code=422 if form.errors else 200,
    )
