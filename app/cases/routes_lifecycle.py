"""Eligibility screening, status changes and step-up/step-down: thin routes over the services.

A refused transition re-renders the form with the rule's own words (422), so a crafted request
gets the same answer as the page: nothing changes.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app import features
from app.accounts.models import User
from app.cases import eligibility, rules, service
from app.cases.happened import happened_at
from app.cases.models import CLOSURE_REASONS, STEP_DOWN_DESTINATIONS, STEP_UP_DESTINATIONS, CaseStatus
from app.cases.service import Conflict, Refused
from app.db import SessionDep
from app.forms import Form, SentForm
from app.security.auth import CurrentActor, SettingsDep
from app.security.permissions import get_case
from app.templating import flash, redirect, render
from app.timeutil import age_on, today

router = APIRouter()

MOVE_WORDS = {
    CaseStatus.screening: "Start screening",
    CaseStatus.active: "Start active work",
    CaseStatus.dormant: "Move to dormant",
    CaseStatus.closed: "Close the case",
}


def _move_words(current: str, to: str) -> str:
    if current == CaseStatus.dormant and to == CaseStatus.active:
        return "Reactivate the case"
    return MOVE_WORDS.get(to, to)


def _why(form: Form) -> str:
    """The "Why" field every change records; its error uses the field's own word."""
    rationale = form.text("rationale", max_length=4000)
    if not rationale.strip() and "rationale" not in form.errors:
        form.error("rationale", "Say why: every change records who, when and why.")
    return rationale


# ---------------------------------------------------------------- eligibility


def _eligibility_ctx(session, case, settings, form) -> dict:
    criteria = eligibility.criteria_set(settings.eligibility_criteria_set)
    return {
        "case": case,
        "form": form,
        "criteria": criteria,
        "rule_words": rules.RULE_WORDS.get(criteria.rule, criteria.rule),
        "age": age_on(case.date_of_birth, today()) if case.date_of_birth else None,
        "latest": eligibility.latest_decision(session=session, case=case),
        "ticked": set(
            form.values.get("criteria", [])
            if isinstance(form.values.get("criteria"), list)
            else [form.values.get("criteria")]
        )
        if form
        else set(),
    }


@router.get("/cases/{case_id}/eligibility")
def eligibility_form(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, settings: SettingsDep
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    return render(request, "cases/eligibility.html", _eligibility_ctx(session, case, settings, None))


@router.post("/cases/{case_id}/eligibility")
def decide_eligibility(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, settings: SettingsDep, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent, repeated=("criteria",))
    criteria = eligibility.criteria_set(settings.eligibility_criteria_set)
    ticked = form.multi("criteria", list(criteria.codes))
    override = form.boolean("override")
    reason = form.text("override_reason", max_length=2000)
    if override and not reason:
        form.error("override_reason", "Give a reason for overriding the rule.")
    if case.status not in (CaseStatus.referred, CaseStatus.screening):
        form.error("criteria", "Eligibility is decided while the case is referred or in screening.")
    decided_at, timed = happened_at(form, case)
    if not form.ok:
        return render(
            request, "cases/eligibility.html", _eligibility_ctx(session, case, settings, form), status_code=422
        )
    try:
        decision = eligibility.record_decision(
            session=session,
            case=case,
            by=actor,
            criteria=criteria,
            ticked=ticked,
            override=override,
            override_reason=reason,
            decided_at=decided_at,
            timed=timed,
        )
    except Refused as refused:
        if not refused.field:
            raise
        session.rollback()
        form.error(refused.field, refused.message)
        ctx = _eligibility_ctx(session, case, settings, form)
        return render(request, "cases/eligibility.html", ctx, status_code=422)
    flash(request, "Eligibility recorded: " + ("eligible." if decision.eligible else "not eligible."))
    return redirect(request, f"/cases/{case.id}")


# ---------------------------------------------------------------- status


# Going dormant and coming back have guided flows of their own (app/endings: the ending records
# goals, agreement and a sustainability plan; reactivation records who asked and prompts tasks), so
# the plain status form points to them instead of offering a shortcut around them.
GUIDED = {
    (CaseStatus.active, CaseStatus.dormant): (
        "End active work",
        "/cases/{id}/end",
        "Moving to dormant is part of ending active work: use End active work.",
    ),
    (CaseStatus.referred, CaseStatus.screening): (
        "Eligibility screening",
        "/cases/{id}/eligibility",
        "Screening starts with the eligibility decision: use Eligibility screening.",
    ),
    (CaseStatus.dormant, CaseStatus.active): (
        "Reactivate",
        "/cases/{id}/reactivate",
        "Coming back from dormant has its own form: use Reactivate.",
    ),
    # The review ends the dormant spell with the case; closed from here, the spell stayed open and
    # came back on the dormant register at the case's next dormancy.
    (CaseStatus.dormant, CaseStatus.closed): (
        "Dormant review",
        "/cases/{id}/dormant-review",
        "A dormant case is closed at its dormant review: use Dormant review.",
    ),
    # Reopening is a re-referral: the flow records it (the figures count it), settles a worker's
    # request to reopen, and starts a new spell of work, so an ending still waiting from the work
    # before cannot be approved into the new one.
    (CaseStatus.closed, CaseStatus.screening): (
        "Reopen",
        "/cases/{id}/reopen",
        "A supervisor reopens a closed case as a re-referral, with its own form: use Reopen.",
    ),
}


def _status_ctx(session, case, actor, form, to: str = "", reason: str = "", refusal: str | None = None) -> dict:
    facts = service.case_facts(session=session, case=case, by=actor)
    allowed = rules.allowed_transitions(facts)
    moves = [(status, _move_words(case.status, status)) for status in allowed if (case.status, status) not in GUIDED]
    guided = [
        (words, url.format(id=case.id))
        for (frm, status), (words, url, _) in GUIDED.items()
        if frm == case.status and status in allowed
    ]
    blocked = []
    if case.status == CaseStatus.screening and CaseStatus.active not in rules.allowed_transitions(facts):
        blocked.append(rules.transition_refusal(facts, CaseStatus.active, rationale="x"))
    return {
        "case": case,
        "form": form,
        "moves": moves,
        "guided": guided,
        "to": to,
        "reason": reason,
        "closure_reasons": CLOSURE_REASONS,
        "refusal": refusal,
        "blocked": blocked,
        "closing_notes": _closing_notes(session, case, CaseStatus.closed in allowed),
    }


def _closing_notes(session, case, can_close: bool) -> list[str]:
    """What the worker should know beside the close (network tasks still open); never a refusal."""
    return features.closing_notes(session=session, case=case) if can_close else []


@router.get("/cases/{case_id}/status")
def status_form(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, to: str = "", reason: str = ""
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    if (case.status, to) in GUIDED:  # an old "Start screening" link goes to the screen that does it
        return redirect(request, GUIDED[(case.status, to)][1].format(id=case.id))
    return render(request, "cases/status.html", _status_ctx(session, case, actor, None, to=to[:20], reason=reason[:30]))


@router.post("/cases/{case_id}/status")
def change_status(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, settings: SettingsDep, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    to = form.choice("to", [s.value for s in CaseStatus])
    rationale = _why(form)
    closure_reason = form.choice("closure_reason", [c for c, _ in CLOSURE_REASONS], required=False) or ""
    base_version = form.integer("base_version", minimum=1, maximum=10**9)
    occurred_at, timed = happened_at(form, case)
    if to == CaseStatus.closed and not closure_reason:
        form.error("closure_reason", "Choose a reason for closing the case.")
    if (case.status, to) in GUIDED and (case.status, to) != (CaseStatus.referred, CaseStatus.screening):
        form.error("to", GUIDED[(case.status, to)][2])
    if to == CaseStatus.closed and case.status == CaseStatus.active:
        refusal = features.closing_refusal(session=session, case=case)
        if refusal:
            form.error("to", refusal)
    if form.ok:
        try:
            service.transition(
                session=session,
                case=case,
                to_status=to,
                by=actor,
                rationale=rationale,
                closure_reason=closure_reason,
                base_version=base_version,
                review_interval_weeks=settings.review_interval_weeks,
                occurred_at=occurred_at,
                timed=timed,
            )
        except Conflict as conflict:  # before Refused, of which it is a kind
            session.rollback()
            ctx = _status_ctx(session, case, actor, form, to=to or "", refusal=conflict.message)
            return render(request, "cases/status.html", ctx, status_code=409)
        except Refused as refused:
            session.rollback()
            if refused.field:
                form.error(refused.field, refused.message)
            ctx = _status_ctx(
                session, case, actor, form, to=to or "", refusal=None if refused.field else refused.message
            )
            return render(request, "cases/status.html", ctx, status_code=422)
        flash(request, f"The case is now {rules.STATUS_WORDS[to].lower()}.")
        return redirect(request, f"/cases/{case.id}")
    return render(request, "cases/status.html", _status_ctx(session, case, actor, form, to=to or ""), status_code=422)


# ---------------------------------------------------------------- step-up / step-down


def _step_ctx(session, case, form, refusal=None) -> dict:
    return {
        "case": case,
        "form": form,
        "refusal": refusal,
        "up": STEP_UP_DESTINATIONS,
        "down": STEP_DOWN_DESTINATIONS,
        "co_workers": service.step_co_workers(session=session, case=case),
        "closing_notes": _closing_notes(session, case, case.status != CaseStatus.dormant),
    }


@router.get("/cases/{case_id}/step")
def step_form(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    return render(request, "cases/step.html", _step_ctx(session, case, None))


@router.post("/cases/{case_id}/step")
def record_step(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    direction = form.choice("direction", ["up", "down"])
    options = STEP_UP_DESTINATIONS if direction == "up" else STEP_DOWN_DESTINATIONS
    destination = form.choice(f"destination_{direction or 'up'}", [c for c, _ in options])
    then = form.choice("then", ["closes", "continues"])
    rationale = _why(form)
    ctx = _step_ctx(session, case, form)
    co_worker_id = form.choice("co_worker_id", [uid for uid, _ in ctx["co_workers"]], required=False)
    if then == "closes" and case.status == CaseStatus.active:
        refusal = features.closing_refusal(session=session, case=case)
        if refusal:
            form.error("then", refusal)
    if not form.ok:
        return render(request, "cases/step.html", ctx, status_code=422)
    co_worker = session.get(User, int(co_worker_id)) if co_worker_id else None
    try:
        service.step(
            session=session,
            case=case,
            by=actor,
            direction=direction,
            destination=destination,
            rationale=rationale,
            closes=then == "closes",
            co_worker=co_worker,
        )
    except Refused as refused:
        session.rollback()
        if refused.field:
            form.error(refused.field, refused.message)
        ctx = _step_ctx(session, case, form, None if refused.field else refused.message)
        return render(request, "cases/step.html", ctx, status_code=422)
    flash(request, "Step-up recorded." if direction == "up" else "Step-down recorded.")
    return redirect(request, f"/cases/{case.id}")
