"""Network pages: the map, FGDM, meetings, the task list and the letter to the family.

The map and its forms are here; meetings are in meeting_routes.py, the task list's form in
task_routes.py, the letter in letter_routes.py, included after the map in that order."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from app.audit import service as audit
from app.cases.models import Case, Person, new_id
from app.db import SessionDep
from app.forms import Form, SentForm
from app.network import rules, service
from app.network.letter_routes import router as letter_router
from app.network.meeting_routes import router as meeting_router
from app.network.models import CIRCLE_LABELS, Circle, FgdmStatus
from app.network.task_routes import router as task_router
from app.network.web import LABELS, network_url
from app.security.auth import CurrentActor
from app.security.permissions import can_change_case, get_case
from app.sync import service as sync
from app.sync.ledger import Idempotent
from app.templating import flash, redirect, render

router = APIRouter()


# ---- the map ---------------------------------------------------------------------------------


def _map_label(entry) -> str:
    """The name drawn beside a person on the map: a person's first name, or an agency's name."""
    return entry.name.split()[0] if entry.is_person else entry.name


def _map_context(session, case: Case, actor, **extra) -> dict:
    young_person, entries = service.network_map(session=session, case=case)
    by_circle = {c.value: [e for e in entries if e.circle == c] for c in Circle}
    points = rules.layout({c: len(v) for c, v in by_circle.items()})
    placed = [(e, p) for c in Circle for e, p in zip(by_circle[c.value], points[c.value], strict=False)]
    return {
        "case": case,
        "young_person": young_person,
        "entries": entries,
        "placed": placed,
        "margin": rules.label_margin([(p, _map_label(e)) for e, p in placed]),
        "labels": LABELS,
        "size": rules.MAP_SIZE,
        "radii": rules.RING_RADII,
        "fgdm": service.fgdm_history(session=session, case=case),
        "meetings": service.meetings(session=session, case=case),
        "new_id": new_id(),
        "today": date.today(),
        "can_change": can_change_case(actor.user, case),
        **extra,
    }


@router.get("/cases/{case_id}/network")
def network_page(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    return render(request, "network/network.html", _map_context(session, case, actor))


MEMBER_LABELS = {"circle": "Circle", "agreed_to_help": "Has agreed to help", "how_they_help": "How they help"}


@dataclass
class MemberFields:
    """A person's place in the network, as its form sends it."""

    circle: str
    agreed_to_help: bool
    how_they_help: str


def _member_fields(form: Form) -> MemberFields:
    return MemberFields(
        circle=form.choice("circle", [c.value for c in Circle]) or Circle.family.value,
        agreed_to_help=form.boolean("agreed_to_help"),
        how_they_help=form.text("how_they_help", max_length=1000),
    )


def _unplaced(session, case: Case, person_id: str) -> dict:
    """A person not yet placed, as the map shows them (their default circle): the base of a first
    save, so a page kept before it does not read the shown circle as a change met by a conflict."""
    person = session.get(Person, person_id)
    fields = asdict(_member_fields(Form({})))
    if person is not None and person.case_id == case.id:
        fields["circle"] = rules.default_circle(
            relationship=person.relationship, in_household=person.in_household
        ).value
    return fields


@router.post("/cases/{case_id}/network/people/{person_id}")
def save_person(
    request: Request,
    case_id: int,
    person_id: str,
    session: SessionDep,
    actor: CurrentActor,
    op: Idempotent,
    sent: SentForm,
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    member = service.member_for(session=session, case=case, person_id=person_id)
    version = member.version if member else 0
    # Merged field by field with the entry as it is now (app/sync, docs/offline.md "Conflicts").
    edit = sync.merge_edit(
        sent=sent,
        current=member.model_dump() if member else _unplaced(session, case, person_id),
        current_version=version,
        fields=MEMBER_LABELS,
        parse=_member_fields,
    )
    if not edit.form.ok:
        return render(
            request,
            "network/network.html",
            _map_context(session, case, actor, form=edit.form, form_for=person_id),
            status_code=422,
        )
    if edit.changed or member is None:
        try:
            member = service.save_person_facts(
                session=session, case=case, person_id=person_id, base_version=version, **asdict(edit.values)
            )
        except service.WrongCase:
            raise HTTPException(status_code=404) from None
        audit.record(
            session=session,
            actor=actor,
            action="update",
            object_type="network_member",
            object_id=member.id,
            case_id=case.id,
        )
    if edit.conflicts:
        return sync.keep_conflict(
            request,
            session=session,
            actor=actor,
            op_id=op,
            case_id=case.id,
            record_type="network_member",
            record_id=member.id,
            record_label="Place in the network",
            base_version=edit.base_version or version,
            server_version=member.version,
            conflicts=edit.conflicts,
            labels=MEMBER_LABELS,
            yes_no=("agreed_to_help",),
            options={"circle": {c.value: label for c, label in CIRCLE_LABELS.items()}},
        )
    flash(request, "Network details saved.")
    return redirect(request, network_url(case.id) + "#list")


@router.post("/cases/{case_id}/network/professionals")
def add_professional(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    member_id = form.text("id", max_length=36) or new_id()
    name = form.text("pro_name", required=True, max_length=120, label="Their name")
    role = form.text("pro_role", required=True, max_length=120, label="Their role")
    phone = form.text("pro_phone", max_length=40)
    how = form.text("pro_how", max_length=1000)
    if not form.ok:
        return render(request, "network/network.html", _map_context(session, case, actor, form=form), status_code=422)
    member, created = service.add_professional(
        session=session,
        case=case,
        member_id=member_id,
        name=name,
        role=role,
        phone=phone,
        agreed_to_help=bool(how),
        how_they_help=how,
    )
    if created:
        audit.record(
            session=session,
            actor=actor,
            action="create",
            object_type="network_member",
            object_id=member.id,
            case_id=case.id,
        )
    flash(request, "Professional added to the network.")
    return redirect(request, network_url(case.id) + "#list")


@router.post("/cases/{case_id}/network/fgdm")
def record_fgdm(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    record_id = form.text("id", max_length=36) or new_id()
    status = form.choice("fgdm_status", [s.value for s in FgdmStatus])
    # The day the step was taken (offered, accepted, declined, held): never a day to come.
    on_date = form.date("fgdm_date", required=True, not_future=True, label="The date")
    offered_to = form.text("fgdm_to", max_length=200)
    reason = form.text("fgdm_reason", max_length=2000)
    decided_by = form.text("fgdm_decided_by", max_length=120)
    if status == FgdmStatus.offered and not offered_to:
        form.error("fgdm_to", "Please say who it was offered to.")
    if status == FgdmStatus.not_offered:
        if not reason:
            form.error("fgdm_reason", "Please give the best-interests reason for not offering it.")
        if not decided_by:
            form.error("fgdm_decided_by", "Please say who decided not to offer it.")
    if not form.ok:
        return render(request, "network/network.html", _map_context(session, case, actor, form=form), status_code=422)
    record, created = service.record_fgdm(
        session=session,
        case=case,
        record_id=record_id,
        status=status,
        on_date=on_date,
        offered_to=offered_to,
        reason=reason,
        decided_by=decided_by,
        by_user_id=actor.id,
    )  # type: ignore[arg-type]
    if created:
        audit.record(
            session=session,
            actor=actor,
            action="create",
            object_type="fgdm_record",
            object_id=record.id,
            case_id=case.id,
            detail=status or "",
        )
    flash(request, "Family group decision making recorded.")
    return redirect(request, network_url(case.id) + "#fgdm")


# Included after the map's routes, in the order they were written in one module: a meeting's
# own paths (/meetings/new before /meetings/{meeting_id}) keep their precedence inside meeting_routes.
router.include_router(meeting_router)
router.include_router(task_router)
router.include_router(letter_router)
