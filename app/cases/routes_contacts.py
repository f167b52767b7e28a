"""Contacts, and "Record a visit" (app/cases/visit.py): its first step, the contact form filled in
as a visit, and its end, what was recorded today."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.cases import contacts as contact_service
from app.cases import extensions
from app.cases import people as people_service
from app.cases import visit as visit_flow
from app.cases.models import CONTACT_KINDS, CONTACT_PLACES, Contact
from app.cases.record_forms import _already_stored, _replayed
from app.cases.service import Refused
from app.db import SessionDep
from app.forms import Form, SentForm
from app.security.auth import CurrentActor
from app.security.permissions import get_case
from app.sync.ledger import Idempotent
from app.templating import flash, redirect, render
from app.timeutil import local, today, utcnow

router = APIRouter()


def _contact_ctx(case, people, form, record_id=None, *, visit: bool = False, last=None) -> dict:
    now = local(utcnow())
    return {
        "case": case,
        "form": form,
        "people": people,
        "kinds": CONTACT_KINDS,
        "places": CONTACT_PLACES,
        "today": today(),
        "now": now.strftime("%H:%M"),
        "new_id": record_id or "",
        "visit": visit,
        "visit_steps": visit_flow.steps(case.id),
        # "Young person seen", "seen alone" and who was there, as the last attended visit had them.
        "last": last,
        "present_default": [],
    }


@router.get("/cases/{case_id}/contacts/new")
def new_contact(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    return render(
        request, "cases/contact.html", _contact_ctx(case, people_service.people_of(session=session, case=case), None)
    )


@router.get("/cases/{case_id}/visit")
def record_visit(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    """Record a visit, step 1: the contact form filled in as a home visit today, now, for an hour,
    with the young person seen (alone) and the people present as at the last visit."""
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    people = people_service.people_of(session=session, case=case)
    last = contact_service.last_visit(session=session, case=case)
    ctx = _contact_ctx(case, people, None, visit=True, last=last)
    # Who was there: as at the last visit; at a first visit, the young person.
    ctx["present_default"] = last.present if last else [p.id for p in people if p.is_young_person]
    return render(request, "cases/contact.html", ctx)


@router.get("/cases/{case_id}/visit/done")
def visit_done(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    """The end of the visit flow: what was recorded today, from every feature's timeline."""
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    items = [i for i in extensions.timeline_items(session=session, case=case) if local(i.at).date() == today()]
    ctx = {"case": case, "items": items, "visit_steps": visit_flow.steps(case.id)}
    return render(request, "cases/visit_done.html", ctx)


@router.post("/cases/{case_id}/contacts")
def record_contact(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent, repeated=("present",))
    record_id = people_service.valid_client_id(form.values.get("id"))
    if _already_stored(session, Contact, case, record_id):
        return _replayed(request, case.id)
    people = people_service.people_of(session=session, case=case)
    kind = form.choice("kind", [c for c, _ in CONTACT_KINDS], default="visit")
    occurred_on = form.date(
        "occurred_on", required=True, not_future=True, default=today(), label="The date of the contact"
    )
    start_time = form.time("start_time")
    duration = form.integer("duration_minutes", minimum=0, maximum=24 * 60, default=60)
    place = form.choice("place", [c for c, _ in CONTACT_PLACES], default="home")
    present = form.multi("present", [p.id for p in people])
    outcome = form.choice("outcome", ["attended", "missed"], default="attended")
    young_person_seen = form.boolean("young_person_seen")
    seen_alone = form.boolean("seen_alone")
    direct = form.integer("direct_minutes", minimum=0, maximum=24 * 60)
    admin = form.integer("admin_minutes", minimum=0, maximum=24 * 60, default=0)
    note = form.text("note", max_length=2000)
    professionals = form.text("professionals", max_length=500)
    if occurred_on and case.referral_date and occurred_on < case.referral_date:
        form.error("occurred_on", f"This is before the referral on {case.referral_date.strftime('%-d %b %Y')}.")
    elif occurred_on == case.referral_date and start_time and case.referral_time and start_time < case.referral_time:
        # Counted as the first contact, it would be "within the target" at 0 hours.
        form.error("start_time", f"This is before the referral came in, at {case.referral_time.strftime('%H:%M')}.")
    if seen_alone and not young_person_seen and outcome == "attended":
        form.error("seen_alone", "The young person can only be seen alone if they were seen.")
    if (
        occurred_on == today()
        and start_time
        and datetime.combine(occurred_on, start_time) > local(utcnow()).replace(tzinfo=None)
    ):
        form.error("start_time", "This time has not happened yet today.")
    if outcome == "attended" and direct is not None and duration is not None and direct > duration + (admin or 0):
        form.error("direct_minutes", "Direct time cannot be longer than the contact itself.")
    visit = form.values.get("then") == "visit"
    if not form.ok:
        ctx = _contact_ctx(case, people, form, record_id, visit=visit)
        return render(request, "cases/contact.html", ctx, status_code=422)
    try:
        contact, _ = contact_service.record_contact(
            session=session,
            case=case,
            by=actor,
            kind=kind,
            occurred_on=occurred_on,
            start_time=start_time,
            duration_minutes=duration or 0,
            place=place,
            present=present,
            young_person_seen=young_person_seen,
            seen_alone=seen_alone,
            attended=outcome == "attended",
            direct_minutes=direct,
            admin_minutes=admin or 0,
            note=note,
            record_id=record_id,
            professionals=professionals,
            people_ids={p.id for p in people},
            replay_checked=True,  # _already_stored above
        )
    except Refused as refused:
        session.rollback()
        form.error(refused.field or "kind", refused.message)
        ctx = _contact_ctx(case, people, form, record_id, visit=visit)
        return render(request, "cases/contact.html", ctx, status_code=422)
    flash(request, f"{contact_service.title(contact)} recorded.")
    if visit:
        return redirect(request, visit_flow.after(case.id, "contact"))
    return redirect(request, f"/cases/{case.id}#timeline")
