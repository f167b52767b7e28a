"""Network pages: the map, FGDM, meetings, the task list and the letter to the family."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import select

from app import i18n
from app.audit import service as audit
from app.cases.models import Case, Person, new_id
from app.db import SessionDep
from app.family import languages
from app.forms import Form, SentForm, refuse_unexpected_parts
from app.network import letters, meeting_form, pdf, rules, service
from app.network.meeting_form import MeetingEdit, parse_meeting
from app.network.models import (
    CIRCLE_LABELS,
    FGDM_STATUS_LABELS,
    MEETING_KIND_LABELS,
    TASK_STATUS_LABELS,
    VIEWS_GIVEN_LABELS,
    Circle,
    FgdmStatus,
    MeetingKind,
    NetworkMeeting,
    TaskStatus,
)
from app.network.service import TaskProgress
from app.review import service as review
from app.security.auth import CurrentActor
from app.security.permissions import can_change_case, get_case
from app.sync import service as sync
from app.sync.ledger import Idempotent
from app.sync.rules import as_text, three_way
from app.templating import flash, redirect, render, templates

router = APIRouter()

LABELS = {
    "circles": CIRCLE_LABELS,
    "kinds": MEETING_KIND_LABELS,
    "views": VIEWS_GIVEN_LABELS,
    "task_status": TASK_STATUS_LABELS,
    "fgdm": FGDM_STATUS_LABELS,
    "agreed": {"agreed": "Agreed", "not_agreed": "Not agreed", "not_yet": "Not answered yet"},
}


def _map_label(entry) -> str:
    """The name drawn beside a person on the map: a person's first name, or an agency's name."""
    return entry.name.split()[0] if entry.is_person else entry.name


def _base(case_id: int) -> str:
    return f"/cases/{case_id}/network"


def _conflict(request: Request, case: Case, back: str, what: str) -> Response:
    return render(request, "network/conflict.html", {"case": case, "back": back, "what": what}, status_code=409)


def _meeting_or_404(session, case: Case, meeting_id: str) -> NetworkMeeting:
    meeting = service.get_meeting(session=session, case=case, meeting_id=meeting_id)
    if meeting is None:
        raise HTTPException(status_code=404)
    return meeting


# ---- the map ---------------------------------------------------------------------------------


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
    return redirect(request, _base(case.id) + "#list")


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
    return redirect(request, _base(case.id) + "#list")


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
    return redirect(request, _base(case.id) + "#fgdm")


# ---- meetings --------------------------------------------------------------------------------


def _form_context(
    session, case: Case, *, meeting: NetworkMeeting | None, form: Form | None, kind: str | None = None
) -> dict:
    young_person, entries = service.network_map(session=session, case=case)
    people = [e for e in entries if e.is_person]
    professionals = [e for e in entries if not e.is_person]
    detail = service.meeting_detail(session=session, meeting=meeting) if meeting else None
    review_tasks = service.tasks_to_review(session=session, case=case, before_meeting_id=meeting.id if meeting else "")
    attendance = {}
    if detail:
        for a in detail.attendees:
            attendance[a.person_id or a.name] = a.attendance
    extras = (
        [a for a in detail.attendees if a.person_id is None and a.name not in {p.name for p in professionals}]
        if detail
        else []
    )
    rows = {
        "task": max(5, len(detail.tasks) + 2) if detail else 5,
        "decision": max(3, len(detail.decisions) + 1) if detail else 3,
        "support": max(2, len(detail.support) + 1) if detail else 2,
        "cont": max(2, len(detail.contingencies) + 1) if detail else 2,
        "extra": max(4, len(extras) + 2) if detail else 4,
    }
    task_ids = [t.id for t in detail.tasks] if detail else []
    task_ids += [new_id() for _ in range(rows["task"] - len(task_ids))]
    if form is not None:
        task_ids = [form.values.get(f"task-{i}-id") or tid for i, tid in enumerate(task_ids)]
    return {
        "case": case,
        "meeting": meeting,
        "detail": detail,
        "form": form,
        "labels": LABELS,
        "young_person": young_person,
        "people": people,
        "professionals": professionals,
        "review_tasks": review_tasks,
        "progress": meeting_form.progress_fields(review_tasks, recorded=meeting_form.recorded_progress(detail)),
        "attendance": attendance,
        "extras": extras,
        "rows": rows,
        "task_ids": task_ids,
        "kind": (meeting.kind if meeting else kind) or MeetingKind.network,
        "new_id": new_id(),
        "safety_rules": service.safety_plan_rules(session=session, case=case),
    }


def _with_tasks_sent(session, case: Case, ctx: dict, sent, meeting_id: str) -> dict:
    """The review's earlier tasks, with those the form's page showed that are done since (on the
    plan, meanwhile): their progress from the page is merged too, not dropped."""
    listed = {t.id for t in ctx["review_tasks"]}
    named = {
        k.removeprefix("progress-")
        for k in sent
        if k.startswith("progress-") and not k.endswith("-note") and k.removeprefix("progress-") not in listed
    }
    if named:
        ctx["review_tasks"] = [
            *ctx["review_tasks"],
            *service.earlier_tasks(session=session, case=case, task_ids=sorted(named), meeting_id=meeting_id),
        ]
    return ctx


def _parse(session, case: Case, form: Form, meeting: NetworkMeeting | None):
    ctx = _form_context(session, case, meeting=meeting, form=form)
    ctx = _with_tasks_sent(session, case, ctx, form.values, form.values.get("id") or "")
    return parse_meeting(
        form, people=ctx["people"], professionals=ctx["professionals"], review_tasks=ctx["review_tasks"]
    ), ctx


@router.get("/cases/{case_id}/network/meetings/new")
def new_meeting(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, kind: str = "") -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    if kind not in [k.value for k in MeetingKind]:
        kind = MeetingKind.review if service.meetings(session=session, case=case) else MeetingKind.network
    return render(
        request, "network/meeting_form.html", _form_context(session, case, meeting=None, form=None, kind=kind)
    )


@router.post("/cases/{case_id}/network/meetings")
def create_meeting(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    meeting_id = form.text("id", max_length=36) or new_id()
    existing = service.get_meeting(session=session, case=case, meeting_id=meeting_id)
    if existing is not None:
        # A replay from the offline outbox: already applied, answer success again and change nothing.
        return redirect(request, f"{_base(case.id)}/meetings/{existing.id}")
    data, ctx = _parse(session, case, form, None)
    progress_conflicts = _merge_progress(data, sent=form.values, review_tasks=ctx["review_tasks"]) if form.ok else {}
    agencies = any(a.person_id is None for a in data.attendees) or bool(data.support)
    if (
        form.ok
        and agencies
        and not form.boolean("no_consent_ok")
        and not service.network_consent_given(session=session, case=case)
    ):
        # Warn before saving (issue 18): sharing with agencies needs someone's consent to it.
        form.error(
            "no_consent_ok",
            "Nobody in the family has consented to a network meeting with agencies. Record their consent "
            "first, or tick the box to save the meeting anyway.",
        )
    if not form.ok:
        ctx["new_id"] = meeting_id
        return render(request, "network/meeting_form.html", ctx, status_code=422)
    meeting, _created = service.create_meeting(
        session=session, case=case, by_user_id=actor.id, meeting_id=meeting_id, data=data
    )
    audit.record(
        session=session,
        actor=actor,
        action="create",
        object_type="network_meeting",
        object_id=meeting.id,
        case_id=case.id,
    )
    if progress_conflicts:
        return _keep_conflict(request, session, actor, op, case, meeting, ctx, progress_conflicts, base_version=0)
    flash(request, "Meeting saved as a draft.")
    return redirect(request, f"{_base(case.id)}/meetings/{meeting.id}")


def _merge_progress(data, *, sent, review_tasks: list) -> dict[str, tuple[str, str, str]]:
    """A new review meeting's progress on earlier tasks, merged with the plan as it is now.

    The tasks are versioned records of their own: the form's page showed them as they were (its
    `shown`), so a task is moved only where the worker changed it there, a task updated on the plan
    meanwhile keeps that update, and one changed differently on both sides is a conflict (it keeps
    the plan's value until the worker chooses). A post without the script is fresh: it moves them.
    """
    theirs = {f: as_text(v) for f, v in meeting_form.progress_fields(review_tasks).items()}
    shown = sync.shown_of(sent)
    mine = {f: str(sent.get(f) or "").strip() for f in theirs if shown is None or f in shown}
    base = {f: str(shown.get(f, "")).strip() for f in theirs} if shown is not None else theirs
    merged, conflicts = three_way(base=base, mine=mine, theirs=theirs)
    data.progress = [
        TaskProgress(task_id=t.id, status=merged[f"progress-{t.id}"], note=merged[f"progress-{t.id}-note"])
        for t in review_tasks
        if merged[f"progress-{t.id}"] in {s.value for s in TaskStatus}
    ]
    return conflicts


def _keep_conflict(request, session, actor, op, case, meeting, ctx, conflicts, *, base_version: int) -> Response:
    """Keep the fields of a meeting changed on both sides for the worker to settle on the meeting's
    own form (app/sync `keep_conflict`); everything else the edit changed is saved."""
    people = {k: ctx[k] for k in ("people", "professionals", "review_tasks")}
    return sync.keep_conflict(
        request,
        session=session,
        actor=actor,
        op_id=op,
        case_id=case.id,
        record_type="network_meeting",
        record_id=meeting.id,
        record_label=f"Meeting on {meeting.held_on.isoformat()}",
        base_version=base_version,
        server_version=meeting.version,
        conflicts=conflicts,
        labels=meeting_form.field_labels(conflicts, **people),
        yes_no=meeting_form.CHECKBOXES,
        options=meeting_form.field_words(
            conflicts,
            kinds=LABELS["kinds"],
            views=LABELS["views"],
            agreed=LABELS["agreed"],
            task_status=LABELS["task_status"],
        ),
        dates=meeting_form.date_fields(conflicts),
        target=f"{_base(case.id)}/meetings/{meeting.id}",
    )


@router.get("/cases/{case_id}/network/meetings/{meeting_id}")
def show_meeting(request: Request, case_id: int, meeting_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    meeting = _meeting_or_404(session, case, meeting_id)
    detail = service.meeting_detail(session=session, meeting=meeting)
    letter = letters.letter_for(session=session, meeting=meeting)
    return render(
        request,
        "network/meeting.html",
        {
            "case": case,
            "d": detail,
            "m": meeting,
            "letter": letter,
            "labels": LABELS,
            "new_id": new_id(),
            "can_change": can_change_case(actor.user, case),
        },
    )


@router.get("/cases/{case_id}/network/meetings/{meeting_id}/edit")
def edit_meeting(request: Request, case_id: int, meeting_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    meeting = _meeting_or_404(session, case, meeting_id)
    if meeting.finalised_at is not None:
        flash(request, "This record is final; add a correction instead.", "warning")
        return redirect(request, f"{_base(case.id)}/meetings/{meeting.id}")
    return render(request, "network/meeting_form.html", _form_context(session, case, meeting=meeting, form=None))


@router.post("/cases/{case_id}/network/meetings/{meeting_id}")
def update_meeting(
    request: Request,
    case_id: int,
    meeting_id: str,
    session: SessionDep,
    actor: CurrentActor,
    op: Idempotent,
    sent: SentForm,
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    meeting = _meeting_or_404(session, case, meeting_id)
    back = f"{_base(case.id)}/meetings/{meeting.id}"
    if meeting.finalised_at is not None:
        return _conflict(request, case, back, "this meeting record")
    ctx = _with_tasks_sent(session, case, _form_context(session, case, meeting=meeting, form=None), sent, meeting.id)
    lists = {k: ctx[k] for k in ("people", "professionals", "review_tasks")}

    def parse(form: Form) -> MeetingEdit:
        return meeting_form.parse_meeting_edit(form, **lists)

    # Merged field by field, row by row, with the meeting and the plan's tasks as they are now
    # (app/sync `merge_edit`, docs/offline.md "Edits: changes, not snapshots").
    current = meeting_form.current_fields(detail=ctx["detail"], **lists)
    refuse_unexpected_parts(sent)  # before the rows are aligned into a plain dict
    aligned, moved = meeting_form.align_rows(sent, current)
    edit = sync.merge_edit(
        sent=aligned,
        current=current,
        current_version=meeting.version,
        parse=parse,
        texts=meeting_form.meeting_edit_texts,
        base_unknown=lambda field: field.partition("-")[0] in moved or "-".join(field.split("-")[:2]) in moved,
    )
    if edit.form.ok:
        _keep_reviewed_tasks(session, meeting, edit.values.data, edit.form)
    if not edit.form.ok:
        return render(
            request,
            "network/meeting_form.html",
            _form_context(session, case, meeting=meeting, form=edit.form),
            status_code=422,
        )
    if edit.changed:
        service.update_meeting(
            session=session, case=case, meeting=meeting, base_version=meeting.version, data=edit.values.data
        )
        audit.record(
            session=session,
            actor=actor,
            action="update",
            object_type="network_meeting",
            object_id=meeting.id,
            case_id=case.id,
        )
    if edit.conflicts:
        base_version = edit.base_version if edit.base_version is not None else meeting.version
        return _keep_conflict(
            request, session, actor, op, case, meeting, ctx, edit.conflicts, base_version=base_version
        )
    flash(request, "Meeting record updated.")
    return redirect(request, back)


def _keep_reviewed_tasks(session, meeting: NetworkMeeting, data, form: Form) -> None:
    """A task a later meeting reviewed is on that meeting's record as it is: the draft it was agreed
    in can neither reword it nor take it out (that record would change, or lose its progress row)."""
    reviewed = service.reviewed_elsewhere(session=session, meeting=meeting)
    if not reviewed:
        return
    rows = {form.values.get(f"task-{i}-id"): i for i in range(meeting_form.MAX_ROWS)}
    sent = {t.id: t for t in data.tasks}
    for task_id, (task, held_on) in reviewed.items():
        said = f"It was reviewed at the meeting on {held_on:%-d %b %Y}, whose record shows it as it is"
        if task_id not in sent:
            form.error(
                "tasks", f"“{task.what}” cannot be taken out. {said}: mark it dropped at the next review instead."
            )
        elif (sent[task_id].what, sent[task_id].who, sent[task_id].due_on) != (task.what, task.who, task.due_on):
            row = rows.get(task_id)
            form.error(f"task-{row}-what" if row is not None else "tasks", f"This task cannot be changed here. {said}.")


@router.post("/cases/{case_id}/network/meetings/{meeting_id}/finalise")
def finalise_meeting(
    request: Request, case_id: int, meeting_id: str, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    meeting = _meeting_or_404(session, case, meeting_id)
    form = Form(sent)
    back = f"{_base(case.id)}/meetings/{meeting.id}"
    was_draft = meeting.finalised_at is None
    try:
        service.finalise_meeting(
            session=session, meeting=meeting, base_version=form.integer("base_version", minimum=0, default=-1)
        )  # type: ignore[arg-type]
    except service.StaleVersion:
        return _conflict(request, case, back, "this meeting record")
    if was_draft:
        review.submit_item(
            session=session,
            kind="network_meeting",
            case=case,
            item_id=meeting.id,
            version_id=meeting.id,
            version_number=1,
            by=actor.user,
        )
    audit.record(
        session=session,
        actor=actor,
        action="finalise",
        object_type="network_meeting",
        object_id=meeting.id,
        case_id=case.id,
    )
    flash(request, "Meeting record is final. Corrections can be added below it.")
    return redirect(request, back)


@router.post("/cases/{case_id}/network/meetings/{meeting_id}/addenda")
def add_addendum(
    request: Request, case_id: int, meeting_id: str, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    meeting = _meeting_or_404(session, case, meeting_id)
    form = Form(sent)
    text = form.text("addendum", required=True, max_length=4000, label="The correction")
    if not form.ok:
        detail = service.meeting_detail(session=session, meeting=meeting)
        return render(
            request,
            "network/meeting.html",
            {
                "case": case,
                "d": detail,
                "m": meeting,
                "letter": letters.letter_for(session=session, meeting=meeting),
                "labels": LABELS,
                "form": form,
                "new_id": form.values.get("id") or new_id(),
                "can_change": True,
            },
            status_code=422,
        )
    addendum, created = service.add_addendum(
        session=session,
        meeting=meeting,
        addendum_id=form.text("id", max_length=36) or new_id(),
        text=text,
        by_user_id=actor.id,
    )
    if created:
        audit.record(
            session=session,
            actor=actor,
            action="create",
            object_type="meeting_addendum",
            object_id=addendum.id,
            case_id=case.id,
        )
    flash(request, "Correction added.")
    return redirect(request, f"{_base(case.id)}/meetings/{meeting.id}#addenda")


@router.post("/cases/{case_id}/network/tasks/{task_id}")
def update_task(
    request: Request, case_id: int, task_id: str, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    status = form.choice("status", [s.value for s in TaskStatus])
    # The case page's form has no note: the one a review meeting gave the task is kept.
    note = form.text("note", max_length=500) if "note" in sent else None
    base = form.integer("base_version", required=True, minimum=0)
    if not form.ok:
        flash(request, "Please choose how the task is going.", "error")
        return redirect(request, f"/cases/{case.id}#network-tasks")
    try:
        task, changed = service.update_task(
            session=session, case=case, task_id=task_id, status=status, note=note, base_version=base
        )  # type: ignore[arg-type]
    except service.StaleVersion:
        return _conflict(request, case, f"/cases/{case.id}#network-tasks", "this task")
    if not changed:
        flash(request, f"Nothing to change: the task already says “{TASK_STATUS_LABELS[status]}”.")
        return redirect(request, f"/cases/{case.id}#network-tasks")
    audit.record(
        session=session,
        actor=actor,
        action="update",
        object_type="network_task",
        object_id=task.id,
        case_id=case.id,
        detail=status or "",
    )
    flash(request, "Task updated.")
    return redirect(request, f"/cases/{case.id}#network-tasks")


# ---- the letter to the family ----------------------------------------------------------------


def _letter_language(session, case: Case, letter, asked: str | None) -> str:
    """The letter's language: the saved letter's; else the one the worker asked for (if offered);
    else the young person's own language (app.family.languages)."""
    if letter is not None:
        return letter.language
    offered = [lang.code for lang in languages.offered(session=session)]
    if asked in offered:
        return asked  # type: ignore[return-value]
    young = session.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person)).first()
    return languages.screen_language(session=session, person=young)


def _letter_context(
    session,
    case: Case,
    meeting: NetworkMeeting,
    body: str | None = None,
    form: Form | None = None,
    asked: str | None = None,
) -> dict:
    detail = service.meeting_detail(session=session, meeting=meeting)
    letter = letters.letter_for(session=session, meeting=meeting)
    language = _letter_language(session, case, letter, asked)
    if body is None:
        helpers = service.network_map(session=session, case=case)[1] if letter is None else []
        body = (
            letter.body
            if letter
            else letters.draft_letter(case=case, detail=detail, helpers=helpers, language=language)
        )
    text = body
    return {
        "case": case,
        "m": meeting,
        "d": detail,
        "letter": letter,
        "body": text,
        "blocks": rules.letter_blocks(text),
        "jargon": rules.jargon_in(text),
        "form": form,
        "labels": LABELS,
        "language": i18n.LANGUAGES[language],
        "languages": languages.offered(session=session),
    }


def _letter_html(ctx: dict) -> str:
    """The print page's own "letter" block, in the letter's language: the PDF is drawn from it,
    so the two cannot drift apart. The rest of the request stays in the worker's language."""
    workers_language = i18n.current()
    i18n.use(ctx["language"].code)
    template = templates.env.get_template("network/letter_print.html")
    html = "".join(template.blocks["letter"](template.new_context(ctx)))
    i18n.use(workers_language)
    return html


@router.get("/cases/{case_id}/network/meetings/{meeting_id}/letter")
def letter_page(
    request: Request, case_id: int, meeting_id: str, session: SessionDep, actor: CurrentActor, lang: str | None = None
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    meeting = _meeting_or_404(session, case, meeting_id)
    ctx = _letter_context(session, case, meeting, asked=lang)
    # Said before the worker asks for a PDF it would leave gaps in (characters its fonts lack).
    ctx["pdf_missing"] = pdf.missing_characters(html=_letter_html(ctx), language=ctx["language"].code)
    return render(request, "network/letter.html", ctx)


@router.post("/cases/{case_id}/network/meetings/{meeting_id}/letter")
def save_letter(
    request: Request, case_id: int, meeting_id: str, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    meeting = _meeting_or_404(session, case, meeting_id)
    form = Form(sent)
    body = form.text("body", required=True, max_length=letters.MAX_LETTER_CHARACTERS, label="The letter")
    lines = len(body.splitlines())
    if lines > letters.MAX_LETTER_LINES:
        form.error("body", f"Keep the letter to {letters.MAX_LETTER_LINES} lines or fewer (it has {lines}).")
    base = form.integer("base_version", minimum=0, default=None)
    language = form.choice("language", list(i18n.LANGUAGES), default=i18n.DEFAULT) or i18n.DEFAULT
    finalise = form.values.get("action") == "finalise"
    url = f"{_base(case.id)}/meetings/{meeting.id}/letter"
    if finalise and meeting.finalised_at is None:
        # The letter is the family's copy of the meeting's plan: final only once the record is.
        form.error(
            "finalise",
            "Finalise the meeting notes first: the letter is made from them, and a draft can still "
            "change. Save the letter for now; what you typed is still here.",
        )
    if not form.ok:
        return render(
            request,
            "network/letter.html",
            _letter_context(session, case, meeting, body=body, form=form, asked=language),
            status_code=422,
        )
    try:
        letter = letters.save_letter(
            session=session, meeting=meeting, body=body, base_version=base, finalise=finalise, language=language
        )
    except (service.StaleVersion, service.AlreadyFinal):
        return _conflict(request, case, url, "this letter")
    audit.record(
        session=session,
        actor=actor,
        action="finalise" if finalise else "update",
        object_type="family_letter",
        object_id=letter.id,
        case_id=case.id,
    )
    flash(request, "Letter is final and ready to print." if finalise else "Letter saved.")
    return redirect(request, url)


@router.get("/cases/{case_id}/network/meetings/{meeting_id}/letter/print")
def letter_print(
    request: Request, case_id: int, meeting_id: str, session: SessionDep, actor: CurrentActor, lang: str | None = None
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    meeting = _meeting_or_404(session, case, meeting_id)
    ctx = _letter_context(session, case, meeting, asked=lang)
    ctx["pdf_missing"] = pdf.missing_characters(html=_letter_html(ctx), language=ctx["language"].code)
    i18n.use(ctx["language"].code)  # the family's page: in the letter's language
    return render(request, "network/letter_print.html", ctx)


@router.get("/cases/{case_id}/network/meetings/{meeting_id}/letter.pdf")
def letter_pdf(
    request: Request, case_id: int, meeting_id: str, session: SessionDep, actor: CurrentActor, lang: str | None = None
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    meeting = _meeting_or_404(session, case, meeting_id)
    ctx = _letter_context(session, case, meeting, asked=lang)
    html = _letter_html(ctx)
    if missing := pdf.missing_characters(html=html, language=ctx["language"].code):
        # Never a PDF with gaps where the family's words were: the browser's print view draws them.
        return render(request, "network/letter.html", {**ctx, "pdf_missing": missing}, status_code=422)
    code = i18n.use(ctx["language"].code)
    content = pdf.letter_pdf(html=html, title=i18n.gettext("Our family plan"), language=code)
    audit.record(
        session=session,
        actor=actor,
        action="export",
        object_type="family_letter",
        object_id=meeting.id,
        case_id=case.id,
        # Which text was printed: the letter saved (its id and version), or the draft made from the meeting.
        detail=f"pdf letter={letter.id} version={letter.version}{' final' if letter.finalised_at else ''}"
        if (letter := ctx["letter"]) is not None
        else "pdf unsaved draft",
    )
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="family-letter-{meeting.held_on.isoformat()}.pdf"',
            "Cache-Control": "no-store",
        },
    )
