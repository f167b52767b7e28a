"""BASE assessment screens: the overview, versions, submit for review and competency.

Every form works without JavaScript and offline (`data-offline="true"`): new rows carry the UUID
made when the form was rendered, edits carry `base_version`, and a stale edit answers 409 with
both versions shown. Stage pages are in stage_routes.py, feedback screens in feedback_routes.py.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.base import rules, service
from app.base.feedback_routes import router as feedback_router
from app.base.models import COMPETENCY_LABELS, BaseVersion
from app.base.stage_routes import router as stage_router
from app.base.web import TEMPLATES, locked_page, url, version_for_change
from app.cases.models import Case, new_id
from app.db import SessionDep
from app.forms import Form, SentForm
from app.refused import Refused
from app.security.auth import Actor, CurrentActor
from app.security.permissions import can_change_case, get_case
from app.templating import flash, redirect, render

router = APIRouter()
# Feedback first: its /base/feedback paths must win over the stage pages' /base/{stage}.
router.include_router(feedback_router)


def _overview_context(session: Session, case: Case, actor: Actor, version: BaseVersion | None) -> dict[str, Any]:
    all_versions = service.versions(session=session, case_id=case.id)
    key_worker = session.get(User, case.key_worker_id) if case.key_worker_id else None
    ctx: dict[str, Any] = {
        "case": case,
        "version": version,
        "versions": all_versions,
        "new_id": new_id(),
        "stages": rules.STAGES,
        "stage_labels": rules.STAGE_LABELS,
        "status_labels": rules.STATUS_LABELS,
        "competency_labels": COMPETENCY_LABELS,
        "can_change": can_change_case(actor.user, case),
        # Only the supervisor of the case's own team rates as supervisor, and only the key worker
        # rates their own practice: a co-worker (a supervisor of another team too) does neither,
        # and a supervisor key-working a case of their team rates their own practice.
        "rates_as_supervisor": service.rates_as_supervisor(actor.user, case, key_worker),
        "is_key_worker": actor.id == case.key_worker_id,
        "supervisor_raters": _supervisor_raters(actor, case, key_worker),
    }
    if version is not None:
        ctx["summary"] = service.summary(version.content)
        ctx["scales"] = service.scales_for(version.content)
        ctx["reasons"] = service.formulation_reasons(session=session, version=version)
    return ctx


def _supervisor_raters(actor: Actor, case: Case, key_worker: User | None) -> str:
    """Who gives the supervisor's rating, said to whoever cannot, so they know whom to ask."""
    if not service.key_worker_supervises_team(key_worker, case):
        return "The supervisor of this case's team gives the supervisor's rating."
    if actor.id == case.key_worker_id:
        return (
            "You rate your own practice here: as you supervise this case's team, another supervisor "
            "of the team or a service manager gives the supervisor's rating."
        )
    return "The key worker supervises this team, so another supervisor of the team or a service manager gives the supervisor's rating."


@router.get("/cases/{case_id}/base")
def overview(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, version: int | None = None
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    chosen = None
    if version is not None:
        chosen = session.exec(
            select(BaseVersion).where(BaseVersion.case_id == case.id, BaseVersion.number == version)
        ).first()
        if chosen is None:
            raise HTTPException(status_code=404)
    else:
        chosen = service.current_version(session=session, case_id=case.id)
    return render(request, f"{TEMPLATES}/overview.html", _overview_context(session, case, actor, chosen))


@router.post("/cases/{case_id}/base")
def start(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    version_id = form.text("id", required=True, max_length=36)
    if not form.ok:
        raise HTTPException(status_code=400)
    service.start(session=session, case=case, by=actor, version_id=version_id)
    flash(request, "BASE assessment started.")
    return redirect(request, url(case, "engagement"))


@router.post("/cases/{case_id}/base/versions")
def new_version(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    version_id = form.text("id", required=True, max_length=36)
    if not form.ok:
        raise HTTPException(status_code=400)
    version = service.new_version(session=session, case=case, by=actor, version_id=version_id)
    flash(request, f"Version {version.number} is a new draft, copied from the last one.")
    return redirect(request, url(case))


@router.post("/cases/{case_id}/base/submit")
def submit(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    version = version_for_change(session, case, form.text("version_id", max_length=36))
    service.submit(session=session, version=version, by=actor)
    flash(
        request,
        f"Version {version.number} submitted for review. It can no longer change; start a new version to update it.",
    )
    return redirect(request, url(case))


@router.post("/cases/{case_id}/base/competency")
def competency(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    # A service manager changes no casework, but may rate as supervisor (service.rates_as_supervisor).
    case = get_case(session=session, actor=actor, case_id=case_id, write=actor.role is not Role.manager)
    form = Form(sent)
    version = version_for_change(session, case, form.text("version_id", max_length=36))
    rating = form.choice("competency", COMPETENCY_LABELS.keys())
    as_supervisor = form.boolean("as_supervisor")
    was = form.text("was", max_length=20) if "was" in form.values else None  # a page before `was` did not say
    if form.ok:
        try:
            service.set_competency(
                session=session, version=version, by=actor, rating=rating, as_supervisor=as_supervisor, was=was
            )
        except service.VersionLocked:
            return locked_page(request, case, version)
        except Refused as refused:
            form.error("competency", refused.message)
    if not form.ok:
        ctx = _overview_context(session, case, actor, version)
        return render(request, f"{TEMPLATES}/overview.html", {**ctx, "form": form}, status_code=422)
    flash(request, "Competency rating saved.")
    return redirect(request, url(case))


router.include_router(stage_router)
