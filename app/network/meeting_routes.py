"""Network meeting pages: a new meeting, its record, editing a draft, finalising it and the
corrections (addenda) added to a final record."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.audit import service as audit
from app.cases.models import Case, new_id
from app.db import SessionDep
from app.forms import Form, SentForm, refuse_unexpected_parts
from app.network import letters, meeting_form, service
from app.network.meeting_form import MeetingEdit, parse_meeting
from app.network.models import MeetingKind, NetworkMeeting, TaskStatus
from app.network.service import TaskProgress
from app.network.web import LABELS, conflict_page, meeting_or_404, network_url
from app.review import service as review
from app.security.auth import CurrentActor
from app.security.permissions import can_change_case, get_case
from app.sync import service as sync
from app.sync.ledger import Idempotent
from app.sync.rules import as_text, three_way
from app.templating import flash, redirect, render

router = APIRouter()


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
            # A professional by name and role: two of one name (a school nurse and a CAMHS worker,
            # both Sarah Jones) were one, and an edit swapped which had been there.
            attendance[a.person_id or (a.name, a.role)] = a.attendance
    extras = (
        [
            a
            for a in detail.attendees
            if a.person_id is None and (a.name, a.role) not in {(p.name, p.relationship) for p in professionals}
        ]
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
        return redirect(request, f"{network_url(case.id)}/meetings/{existing.id}")
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
    return redirect(request, f"{network_url(case.id)}/meetings/{meeting.id}")


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
        target=f"{network_url(case.id)}/meetings/{meeting.id}",
    )


@router.get("/cases/{case_id}/network/meetings/{meeting_id}")
def show_meeting(request: Request, case_id: int, meeting_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    meeting = meeting_or_404(session, case, meeting_id)
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
    meeting = meeting_or_404(session, case, meeting_id)
    if meeting.finalised_at is not None:
        flash(request, "This record is final; add a correction instead.", "warning")
        return redirect(request, f"{network_url(case.id)}/meetings/{meeting.id}")
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
    meeting = meeting_or_404(session, case, meeting_id)
    back = f"{network_url(case.id)}/meetings/{meeting.id}"
    if meeting.finalised_at is not None:
        return conflict_page(request, case, back, "this meeting record")
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
    meeting = meeting_or_404(session, case, meeting_id)
    form = Form(sent)
    back = f"{network_url(case.id)}/meetings/{meeting.id}"
    was_draft = meeting.finalised_at is None
    try:
        service.finalise_meeting(
            session=session, meeting=meeting, base_version=form.integer("base_version", minimum=0, default=-1)
        )  # type: ignore[arg-type]
    except service.StaleVersion:
        return conflict_page(request, case, back, "this meeting record")
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
    meeting = meeting_or_404(session, case, meeting_id)
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
    return redirect(request, f"{network_url(case.id)}/meetings/{meeting.id}#addenda")
