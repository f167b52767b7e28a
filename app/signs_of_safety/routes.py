"""Signs of Safety map pages: the map and its versions, items, submitting, the safety plan.

The items' pages are item_routes.py; what the pages share (the 409 for a stale version, the audit
entry) is web.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from app.cases.models import Case
from app.db import SessionDep
from app.forms import Form, SentForm
from app.security.auth import CurrentActor
from app.security.permissions import get_case
from app.signs_of_safety import (
    family_routes,
    item_routes,
    rules,
    scale_routes,
    service,
    three_houses_routes,
    words_and_pictures_routes,
)
from app.signs_of_safety.models import Category, MapVersion
from app.signs_of_safety.service import StaleVersion
from app.signs_of_safety.web import _accepts, _audit_write, base_url, conflict
from app.sync import service as sync
from app.sync.ledger import Idempotent
from app.templating import flash, redirect, render
from app.timeutil import today

router = APIRouter()


def _map_context(session, case: Case, version: MapVersion | None) -> dict:
    version_items = service.items(session=session, map_version=version) if version else []
    by_category: dict[str, list] = {c.value: [] for c in Category}
    for item in version_items:
        by_category[item.category].append(item)
    people = service.people(session=session, case=case)
    return {
        "case": case,
        "version": version,
        "by_category": by_category,
        "people_by_id": {p.id: p for p in people},
        "labels": rules.labels(case.practice_context),
        "columns": rules.COLUMNS,
        "safety_plan": rules.SAFETY_PLAN,
        "category_label": lambda c: rules.category_label(c, case.practice_context),
        "add_label": lambda c: rules.add_label(c, case.practice_context),
        "pair_warning": rules.too_many_pairs(len(by_category[Category.pair])),
        "base": base_url(case),
        "today": today(),
        "seen": service.item_seen,
    }


@router.get("/cases/{case_id}/signs-of-safety")
def map_page(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    version = service.latest_version(session=session, case=case)
    context = _map_context(session, case, version)
    context["versions"] = service.versions(session=session, case=case)
    context["base_version"] = version.number if version else 0
    return render(request, "signs_of_safety/map.html", context)


@router.get("/cases/{case_id}/signs-of-safety/versions/{number}")
def version_page(request: Request, case_id: int, number: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    version = service.get_version(session=session, case=case, number=number)
    if version is None:
        raise HTTPException(status_code=404)
    context = _map_context(session, case, version)
    context["read_only"] = True
    return render(request, "signs_of_safety/version.html", context)


@router.get("/cases/{case_id}/signs-of-safety/print")
def print_page(
    request: Request,
    case_id: int,
    session: SessionDep,
    actor: CurrentActor,
    summary: bool = False,
    everyone: bool = False,
) -> Response:
    """The map to print, or with `summary` the family's copy, "Our plan": with `everyone` the copy
    anyone in the family may read, which says each worry as its family version or its goal only
    (PRACTICE.md: worries are shared with the people who know them, deliberately)."""
    case = get_case(session=session, actor=actor, case_id=case_id)
    version = service.latest_version(session=session, case=case)
    context = _map_context(session, case, version)
    context["read_only"] = True
    context["for_everyone"] = everyone
    template = "signs_of_safety/family_summary.html" if summary else "signs_of_safety/print.html"
    return render(request, template, context)


router.include_router(item_routes.router)


@dataclass
class ReviewDate:
    """The safety plan's next review, as its form sends it."""

    review_on: date | None


@router.post("/cases/{case_id}/signs-of-safety/safety-plan")
def safety_plan_review(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    sent_base = Form(sent).integer("base_version", default=0, minimum=0, maximum=100000) or 0
    latest = service.latest_version(session=session, case=case)
    # Merged with the date the map holds now (app/sync `merge_edit`): a page kept from an older
    # version changes it only if the worker changed it there.
    edit = sync.merge_edit(
        sent=sent,
        current={"review_on": latest.safety_plan_review_on if latest else None},
        current_version=sent_base if latest is None or _accepts(latest, sent_base) else latest.number,
        parse=lambda form: ReviewDate(review_on=form.date("review_on")),
        fields=REVIEW_LABELS,
    )
    if not edit.form.ok:
        flash(request, next(iter(edit.form.errors.values())), "error")
        return redirect(request, f"{base_url(case)}#safety-plan")
    if edit.changed or latest is None:
        try:
            draft = service.set_safety_plan_review(
                session=session,
                case=case,
                base_version=latest.number if latest else sent_base,
                review_on=edit.values.review_on,
                by=actor.user,
            )
        except StaleVersion as exc:
            return conflict(request, case, exc, edit.form)
        _audit_write(session, actor, case, "update", "sos_map_version", draft.id, "safety plan review date set")
    if edit.conflicts:
        now = service.latest_version(session=session, case=case)
        return sync.keep_conflict(
            request,
            session=session,
            actor=actor,
            op_id=op,
            case_id=case.id,
            record_type="sos_map_version",
            record_id=now.id if now else "",
            record_label="Safety plan",
            base_version=sent_base,
            server_version=now.number if now else 0,
            conflicts=edit.conflicts,
            labels=REVIEW_LABELS,
            dates=("review_on",),
        )
    flash(request, "Safety plan review date saved.")
    return redirect(request, f"{base_url(case)}#safety-plan")


REVIEW_LABELS = {"review_on": "Next review of the safety plan"}


@router.post("/cases/{case_id}/signs-of-safety/submit")
def submit_map(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    base_version = form.integer("base_version", default=0, minimum=0, maximum=100000) or 0
    try:
        version = service.submit_from(session=session, case=case, base_version=base_version, by=actor.user)
    except StaleVersion as exc:
        return conflict(request, case, exc, form)
    except service.NothingToSubmit:
        context = _map_context(session, case, None)
        context.update(
            versions=[],
            base_version=0,
            submit_error="Add what you and the family found to the map before submitting it.",
        )
        return render(request, "signs_of_safety/map.html", context, status_code=422)
    _audit_write(
        session, actor, case, "submit", "sos_map_version", version.id, f"version {version.number} submitted for review"
    )
    flash(
        request,
        f"Version {version.number} submitted for review. It can no longer change; a new change starts version {version.number + 1}.",
    )
    return redirect(request, base_url(case))


router.include_router(scale_routes.router)
router.include_router(three_houses_routes.router)
router.include_router(words_and_pictures_routes.router)
router.include_router(family_routes.router)
