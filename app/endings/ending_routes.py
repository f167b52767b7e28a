"""End active work: the ending form, filled from a returned ending, and sending it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.accounts.models import Role
from app.cases.models import STEP_DOWN_DESTINATIONS, STEP_UP_DESTINATIONS, new_id
from app.cases.people import valid_client_id
from app.cases.service import Conflict, Refused
from app.db import SessionDep
from app.endings import goals as goal_sources
from app.endings import rules, service
from app.endings.models import ENDING_CLOSURE_REASONS, GOAL_RATINGS
from app.endings.web import _failed
from app.forms import Form, SentForm, formset
from app.security.auth import CurrentActor, SettingsDep
from app.security.permissions import get_case
from app.templating import flash, redirect, render
from app.timeutil import today

router = APIRouter()
EXTRA_GOALS = 3  # blank rows for goals the worker lists in the form


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
