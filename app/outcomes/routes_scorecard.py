"""The service scorecard for supervisors (their team) and managers (the service or one team), and the evaluator export."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from app.accounts.models import Role
from app.audit import service as audit
from app.db import SessionDep
from app.endings.rules import add_months
from app.forms import Form
from app.locks import try_lock
from app.outcomes import export, export_fields, figures, pdf
from app.outcomes.breakdowns import BREAKDOWNS
from app.outcomes.card import Period
from app.outcomes.scorecard import scorecard, team_choices
from app.security.auth import CurrentActor, Forbidden, SettingsDep, require_role
from app.templating import render
from app.timeutil import today

router = APIRouter()
LONGEST_PERIOD_DAYS = 3 * 366


def _read(request: Request, session, actor) -> tuple[Form, Period | None, int | None, str, list]:
    """The period, team and breakdown asked for; problems go beside their field on the form."""
    form = Form(request.query_params)
    end = form.date("end", default=today(), not_future=True)
    start = form.date("start", default=add_months(end or today(), -12) + timedelta(days=1))
    breakdown = form.choice("breakdown", [c for c, _ in BREAKDOWNS], default="age_band") or "age_band"
    teams = team_choices(session=session) if actor.role is Role.manager else []
    if actor.role is Role.manager:
        chosen = form.choice("team", [t for t, _ in teams], required=False)
        team_id = int(chosen) if chosen else None
    elif actor.user.team_id is None:
        raise Forbidden("The scorecard shows a supervisor's own team, and you are not in a team yet.")
    else:
        team_id = actor.user.team_id
    if start and end and "start" not in form.errors and "end" not in form.errors:
        if start > end:
            form.error("start", "The start of the period is after its end.")
        elif (end - start).days > LONGEST_PERIOD_DAYS:
            form.error("start", "Choose a period of three years or less.")
    period = Period(start, end) if form.ok and start and end else None
    return form, period, team_id, breakdown, teams


def _scope_name(team_id, teams, actor) -> str:
    if actor.role is Role.manager:
        return dict(teams).get(team_id, "Whole service") if team_id else "Whole service"
    return "Your team"


@router.get("/scorecard")
def scorecard_page(request: Request, session: SessionDep, actor: CurrentActor, settings: SettingsDep) -> Response:
    require_role(actor, Role.supervisor, Role.manager)
    form, period, team_id, breakdown, teams = _read(request, session, actor)
    ctx = {
        "form": form,
        "teams": teams,
        "team_id": team_id,
        "breakdowns": BREAKDOWNS,
        "breakdown": breakdown,
        "scope": _scope_name(team_id, teams, actor),
        "is_manager": actor.role is Role.manager,
        "card": None,
        "query": request.url.query,
    }
    if period is None:
        return render(request, "outcomes/scorecard.html", ctx, status_code=422)
    card = scorecard(
        session=session,
        period=period,
        team_id=team_id,
        breakdown=breakdown,
        first_contact_target_hours=settings.first_contact_target_hours,
    )
    ctx.update(
        card=card,
        headline=[(x.label, x.now, x.before) for x in figures.headline(card)],
        caseload=figures.caseload(card),
        days_dormant=figures.days_dormant(card),
        days_in_care=figures.days_in_care(card),
        feedback=[(x.label, x.now, x.before) for x in figures.feedback_rows(card)],
        endings=figures.shown_endings(card),
        endings_chart=figures.endings_chart(card),
        groups=figures.shown_rows(figures.breakdown_rows(card)),
        groups_chart=figures.breakdown_chart(card),
        home_groups=[(x.label, x.now, x.before) for x in figures.home_by_group(card)],
        care_groups=[(x.label, x.now, x.before) for x in figures.care_by_group(card)],
        diamond=[figures.change_line(c) for c in card.diamond],
        scales=[figures.change_line(c) for c in card.scales],
        breakdown_label=dict(BREAKDOWNS)[breakdown],
        by_words=figures.by_words(breakdown),
        care12=[(x.label, x.now, x.before) for x in figures.care_within_12(card)],
        care12_chart=figures.care_within_12_chart(card),
        care12_groups=figures.care_within_12_by_group(card),
        endings_groups=figures.endings_by_group(card),
        endings_groups_chart=figures.endings_group_chart(card),
        contact_groups=figures.shown_rows(figures.contacts_rows(card)),
        contacts_chart=figures.contacts_chart(card),
        diamond_groups=figures.distance_by_group(card, "diamond"),
        scale_groups=figures.distance_by_group(card, "scales"),
        distance_chart=figures.distance_chart(card),
    )
    return render(request, "outcomes/scorecard.html", ctx)


@router.get("/scorecard.pdf")
def scorecard_as_pdf(request: Request, session: SessionDep, actor: CurrentActor, settings: SettingsDep) -> Response:
    require_role(actor, Role.supervisor, Role.manager)
    form, period, team_id, breakdown, teams = _read(request, session, actor)
    if period is None:
        return scorecard_page(request, session, actor, settings)
    card = scorecard(
        session=session,
        period=period,
        team_id=team_id,
        breakdown=breakdown,
        first_contact_target_hours=settings.first_contact_target_hours,
    )
    audit.record(
        session=session,
        actor=actor,
        action="export",
        object_type="scorecard_pdf",
        detail=f"start={period.start} end={period.end} team={team_id or 'all'} breakdown={breakdown}",
    )
    body = pdf.scorecard_pdf(card=card, scope=_scope_name(team_id, teams, actor))
    name = f"scorecard-{period.start.isoformat()}-to-{period.end.isoformat()}.pdf"
    return Response(
        body, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/outcomes/export")
def export_page(request: Request, actor: CurrentActor) -> Response:
    require_role(actor, Role.manager)
    return render(request, "outcomes/export.html", {"tables": list(export_fields.FIELDS)})


# One evaluator export at a time for the whole service, across every app process: it reads every
# case in the service (about a minute on a year of a county's data), so a second one waits its
# turn instead of taking another core (issue 20, bounded work).
EXPORT_LOCK = 20_022


@router.post("/outcomes/export")
def export_download(request: Request, session: SessionDep, actor: CurrentActor, settings: SettingsDep) -> Response:
    require_role(actor, Role.manager)
    engine = request.app.state.engine
    held = ExitStack()
    if not held.enter_context(try_lock(engine, EXPORT_LOCK, "export")):
        held.close()
        return render(
            request,
            "outcomes/export.html",
            {
                "tables": list(export_fields.FIELDS),
                "busy": "An export is being prepared already. It takes a minute or two; try again when it has finished.",
            },
            status_code=429,
        )
    # Audited before the first byte leaves; the request's session commits before the stream starts.
    audit.record(
        session=session,
        actor=actor,
        action="export",
        object_type="evaluator_export",
        detail=f"scope=whole service; tables={','.join(export_fields.FIELDS)}; ids=hmac-sha256 v1",
    )
    name = f"homeward-evaluator-export-{today().isoformat()}.zip"

    def body() -> Iterator[bytes]:
        with held:  # released when the last byte has gone, or the download was abandoned
            yield from export.stream_zip(engine=engine, secret_key=settings.secret_key)

    return StreamingResponse(
        body(), media_type="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
