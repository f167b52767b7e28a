"""Reading the meeting form's repeated rows into a MeetingInput, each error beside its own field.

The form works without JavaScript, so repeated parts (tasks, decisions, support, contingencies,
extra attendees) are fixed sets of numbered rows; a row left blank is skipped. Every task row
carries a UUID made when the form was drawn, so a task keeps its id across edits and replays.
"""

from __future__ import annotations

import uuid

from app.forms import Form, formset
from app.network.models import Attendance, MeetingKind, TaskStatus, ViewsGiven
from app.network.service import AttendeeInput, MeetingInput, TaskInput, TaskProgress

MAX_ROWS = 30
AGREED_CHOICES = ("agreed", "not_agreed", "not_yet")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def parse_meeting(form: Form, *, people: list, professionals: list, review_tasks: list) -> MeetingInput:
    """The MeetingInput the form describes; problems are recorded on `form.errors`."""
    data = MeetingInput(
        kind=form.choice("kind", [k.value for k in MeetingKind], required=False) or MeetingKind.network,
        held_on=form.date("held_on", required=True),  # type: ignore[arg-type]
        venue=form.text("venue", max_length=200),
        chair=form.text("chair", max_length=120),
        young_person_attended=form.boolean("young_person_attended"),
        views_given=form.choice("views_given", [v.value for v in ViewsGiven], required=False) or ViewsGiven.in_person,
        young_person_views=form.text("young_person_views", max_length=4000),
        information_shared=form.text("information_shared", max_length=4000),
        private_family_time=form.boolean("private_family_time"),
        plan_agreed=form.boolean("plan_agreed"),
        worries=form.text("worries", max_length=4000),
        working_well=form.text("working_well", max_length=4000),
        needs_to_happen=form.text("needs_to_happen", max_length=4000),
        next_meeting_on=form.date("next_meeting_on"),
    )
    if data.next_meeting_on and data.held_on and data.next_meeting_on < data.held_on:
        form.error("next_meeting_on", "The next meeting should be after this one.")
    attendance_choices = ["", Attendance.present.value, Attendance.apologies.value]
    for person in people:
        status = form.choice(f"attend-{person.key}", attendance_choices, required=False)
        if status:
            data.attendees.append(
                AttendeeInput(name=person.name, role=person.relationship, attendance=status, person_id=person.key)
            )
    for member in professionals:
        status = form.choice(f"attend-{member.key}", attendance_choices, required=False)
        if status:
            data.attendees.append(AttendeeInput(name=member.name, role=member.relationship, attendance=status))
    for row in formset(form, "extra", max_rows=MAX_ROWS):
        name = row.text("name", max_length=120)
        role = row.text("role", max_length=120)
        status = row.choice("attendance", attendance_choices[1:], required=False) or Attendance.present
        if name:
            data.attendees.append(AttendeeInput(name=name, role=role, attendance=status))
        elif role:
            row.error("name", "Please give this person's name, or clear their role.")
    for row in formset(form, "decision", max_rows=MAX_ROWS):
        decision = row.text(max_length=1000)
        rationale = row.text("why", max_length=2000)
        if decision:
            data.decisions.append((decision, rationale))
        elif rationale:
            row.error("", "Please say what was decided, or clear the reason.")
    for row in formset(form, "task", max_rows=MAX_ROWS):
        task_id = row.text("id", max_length=36)
        what = row.text("what", max_length=500)
        who = row.text("who", max_length=120)
        # A task cannot be due before the meeting that agreed it (issue 18, defect 7).
        due = row.date("due", not_before=data.held_on, label="The date it is due by")
        checker = row.text("checker", max_length=120)
        rule = row.text("rule", max_length=300)
        if not what:
            if who or due or checker:
                row.error("what", "Please say what needs doing, or clear this task's other boxes.")
            continue
        if not who:
            row.error("who", "Please say who will do this.")
        if not _is_uuid(task_id):
            task_id = str(uuid.uuid4())
        data.tasks.append(TaskInput(id=task_id, what=what, who=who, due_on=due, checked_by=checker, safety_rule=rule))
    for row in formset(form, "support", max_rows=MAX_ROWS):
        agency = row.text("agency", max_length=120)
        what = row.text("what", max_length=1000)
        agreed = row.choice("agreed", AGREED_CHOICES, required=False) or "not_yet"
        if agency or what:
            if not agency:
                row.error("agency", "Please say which agency was asked.")
            if not what:
                row.error("what", "Please say what support was asked for.")
            data.support.append((agency, what, agreed))
    for row in formset(form, "cont", max_rows=MAX_ROWS):
        if_this = row.text("if", max_length=500)
        then_this = row.text("then", max_length=1000)
        if if_this or then_this:
            if not if_this:
                row.error("if", "Please say what might happen.")
            if not then_this:
                row.error("then", "Please say what the network will do.")
            data.contingencies.append((if_this, then_this))
    for task in review_tasks:
        status = form.choice(f"progress-{task.id}", [s.value for s in TaskStatus], required=False)
        if status:
            was_status, was_note = (
                form.values.get(f"was-progress-{task.id}"),
                form.values.get(f"was-progress-{task.id}-note"),
            )
            data.progress.append(
                TaskProgress(
                    task_id=task.id,
                    status=status,
                    note=form.text(f"progress-{task.id}-note", max_length=500),
                    was_status=was_status,
                    was_note=None if was_note is None else was_note.strip()[:500],
                )
            )
    return data
