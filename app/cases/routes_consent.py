"""Consent: everyone's on one screen (the grid), the one-person form's items still waiting in an
outbox, and a withdrawal."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, select

from app.cases import consent as consent_service
from app.cases import people as people_service
from app.cases.models import CONSENT_HOW, CONSENT_PURPOSES, Consent, Person, new_id
from app.cases.record_forms import _already_stored, _not_before_birth, _replayed
from app.cases.service import Refused
from app.db import SessionDep
from app.forms import Form, SentForm
from app.security.auth import CurrentActor
from app.security.permissions import get_case
from app.sync.ledger import Idempotent
from app.templating import flash, redirect, render
from app.timeutil import today

router = APIRouter()


def _consent_ctx(case, people, form, record_id=None, person_id=None) -> dict:
    return {
        "case": case,
        "form": form,
        "people": [(p.id, f"{p.name} ({p.relationship})" if p.relationship else p.name) for p in people],
        "purposes": CONSENT_PURPOSES,
        "how": CONSENT_HOW,
        "today": today(),
        "new_id": record_id or "",
        "person_id": person_id,
    }


@router.get("/cases/{case_id}/consent/new")
def new_consent(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    """The one-person form became the grid's first row: everyone's consent is one screen (issue 18).
    The old address (bookmarks, pages kept on devices) goes there; POST /consent still accepts items
    made from the old form and waiting in a device's outbox."""
    case = get_case(session=session, actor=actor, case_id=case_id, write=True, audit_read=False)
    return RedirectResponse(f"/cases/{case.id}/consent/all", status_code=303)


def _grid_ctx(session: Session, case, people, form, form_id: str) -> dict:
    given = {
        (c.person_id, c.purpose)
        for c in session.exec(select(Consent).where(Consent.case_id == case.id, Consent.withdrawn_on.is_(None))).all()
    }
    return {
        "case": case,
        "form": form,
        "people": people,
        "purposes": CONSENT_PURPOSES,
        "how": CONSENT_HOW,
        "given": given,
        "today": today(),
        "form_id": form_id,
        "ticked": {k for k, v in (form.values.items() if form else []) if k.startswith("give-") and v},
    }


@router.get("/cases/{case_id}/consent/all")
def consent_grid(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    """Consent on one screen: every person against every purpose, one save (issue 18)."""
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    people = people_service.people_of(session=session, case=case)
    return render(request, "cases/consent_grid.html", _grid_ctx(session, case, people, None, new_id()))


@router.post("/cases/{case_id}/consent/all")
def record_consent_grid(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    form_id = people_service.valid_client_id(form.values.get("id")) or new_id()
    people = people_service.people_of(session=session, case=case)
    chosen = [(p.id, code) for p in people for code, _ in CONSENT_PURPOSES if form.boolean(f"give-{p.id}-{code}")]
    if not chosen:
        form.error("grid", "Tick at least one box: who agreed to what.")
    how = form.choice("how_given", [c for c, _ in CONSENT_HOW])
    given_on = form.date(
        "given_on", required=True, not_future=True, default=today(), label="The date consent was given"
    )
    _not_before_birth(form, "given_on", given_on, case)
    agency = form.text("agency", max_length=200)
    if any(code == "sharing" for _, code in chosen) and not agency:
        form.error("agency", "Name the agencies this consent allows sharing with.")
    signature = form.text("signature", max_length=consent_service.SIGNATURE_MAX) if how == "signed" else ""
    if how == "signed" and len({person_id for person_id, _ in chosen}) > 1:
        # One signature is one person's: kept with everyone's consent, it recorded a young person's
        # consent as signed with her mother's hand (until December 2026).
        form.error(
            "how_given",
            "A signature drawn here is one person's. Tick only the boxes of the person who signs, save,"
            " then record the others (each signing in turn, or choose how they agreed).",
        )
    elif how == "signed" and signature:
        refusal = consent_service.signature_refusal(signature)
        if refusal:
            form.error("signature", refusal)
    given_at = consent_service.made_at(form.values.get("recorded_at"), given_on)  # data-stamp (app.js)
    if given_on is not None:
        names = {p.id: p.name for p in people}
        for person_id, _, withdrawn_on in consent_service.withdrawn_since(
            session=session, case=case, chosen=chosen, given_on=given_on, given_at=given_at
        ):
            form.error("given_on", consent_service.withdrawal_message(names[person_id], withdrawn_on))
    if not form.ok:
        return render(
            request, "cases/consent_grid.html", _grid_ctx(session, case, people, form, form_id), status_code=422
        )
    made = consent_service.record_grid(
        session=session,
        case=case,
        by=actor,
        form_id=form_id,
        people=people,
        chosen=chosen,
        how_given=how,
        given_on=given_on,
        agency=agency,
        signature=signature or None,
        given_at=given_at,
    )
    flash(request, f"Consent recorded: {len(made)} new." if made else "That consent was already recorded.")
    return redirect(request, f"/cases/{case.id}#consent")


@router.post("/cases/{case_id}/consent")
def record_consent(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    record_id = people_service.valid_client_id(form.values.get("id"))
    if _already_stored(session, Consent, case, record_id):
        return _replayed(request, case.id)
    people = people_service.people_of(session=session, case=case)
    person_id = form.choice("person_id", [p.id for p in people])
    purpose = form.choice("purpose", [c for c, _ in CONSENT_PURPOSES])
    how = form.choice("how_given", [c for c, _ in CONSENT_HOW])
    given_on = form.date(
        "given_on", required=True, not_future=True, default=today(), label="The date consent was given"
    )
    _not_before_birth(form, "given_on", given_on, case)
    agency = form.text("agency", max_length=200)
    if purpose == "sharing" and not agency:
        form.error("agency", "Name the agencies this consent allows sharing with.")
    if not form.ok:
        return render(request, "cases/consent.html", _consent_ctx(case, people, form, record_id), status_code=422)
    person = next(p for p in people if p.id == person_id)
    try:
        _, created = consent_service.record_consent(
            session=session,
            case=case,
            by=actor,
            person=person,
            purpose=purpose,
            how_given=how,
            given_on=given_on,
            agency=agency,
            record_id=record_id,
            given_at=consent_service.made_at(form.values.get("recorded_at"), given_on),
        )
    except Refused as refused:
        session.rollback()
        form.error(refused.field or "purpose", refused.message)
        return render(request, "cases/consent.html", _consent_ctx(case, people, form, record_id), status_code=422)
    flash(request, f"Consent recorded for {person.name}." if created else "That consent was already recorded.")
    return redirect(request, f"/cases/{case.id}#consent")


def _consent_of(session: Session, case, consent_id: str) -> Consent:
    consent = session.get(Consent, consent_id)
    if consent is None or consent.case_id != case.id:
        raise HTTPException(status_code=404)
    return consent


@router.get("/cases/{case_id}/consent/{consent_id}/withdraw")
def withdraw_form(
    request: Request, case_id: int, consent_id: str, session: SessionDep, actor: CurrentActor
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    consent = _consent_of(session, case, consent_id)
    person = session.get(Person, consent.person_id)
    return render(
        request,
        "cases/withdraw.html",
        {
            "case": case,
            "consent": consent,
            "person": person,
            "form": None,
            "today": today(),
            "purposes": dict(CONSENT_PURPOSES),
            "current": consent_service.current_consent(
                session=session, case=case, person_id=consent.person_id, purpose=consent.purpose
            ),
        },
    )


@router.post("/cases/{case_id}/consent/{consent_id}/withdraw")
def withdraw(
    request: Request,
    case_id: int,
    consent_id: str,
    session: SessionDep,
    actor: CurrentActor,
    op: Idempotent,
    sent: SentForm,
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    consent = _consent_of(session, case, consent_id)
    person = session.get(Person, consent.person_id)
    form = Form(sent)
    withdrawn_on = form.date(
        "withdrawn_on", required=True, not_future=True, default=today(), label="The date consent was withdrawn"
    )
    note = form.text("note", max_length=1000)
    if withdrawn_on and withdrawn_on < consent.given_on and consent.withdrawn_on is None:
        form.error("withdrawn_on", "Consent cannot be withdrawn before it was given.")
    if form.ok:
        try:
            consent_service.withdraw_consent(
                session=session,
                case=case,
                by=actor,
                consent=consent,
                withdrawn_on=withdrawn_on,
                note=note,
                withdrawn_at=consent_service.made_at(form.values.get("recorded_at"), withdrawn_on),
            )
        except Refused as refused:
            session.rollback()
            form.error(refused.field or "withdrawn_on", refused.message)
    if not form.ok:
        ctx = {
            "case": case,
            "consent": consent,
            "person": person,
            "form": form,
            "today": today(),
            "purposes": dict(CONSENT_PURPOSES),
            "current": consent_service.current_consent(
                session=session, case=case, person_id=consent.person_id, purpose=consent.purpose
            ),
        }
        return render(request, "cases/withdraw.html", ctx, status_code=422)
    if (
        consent.purpose == "work"
        and case.status != "closed"
        and not consent_service.work_consent_remaining(session=session, case=case)
    ):
        # Issue 3: withdrawing consent to the work itself prompts ending the case.
        flash(
            request,
            'Consent to the work has been withdrawn. The case should now be closed with the reason "consent withdrawn".',
            "warning",
        )
        return redirect(request, f"/cases/{case.id}/status?to=closed&reason=consent_withdrawn")
    flash(request, "Withdrawal of consent recorded.")
    return redirect(request, f"/cases/{case.id}#consent")
