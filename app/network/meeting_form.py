"""Reading the meeting form's repeated rows into a MeetingInput, each error beside its own field.

The form works without JavaScript, so repeated parts (tasks, decisions, support, contingencies,
extra attendees) are fixed sets of numbered rows; a row left blank is skipped. Every task row
carries a UUID made when the form was drawn, so a task keeps its id across edits and replays.
"""

from __future__ import annotations

import uuid

from app.forms import Form
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


def _rows(form: Form, prefix: str) -> range:
    count = form.integer(f"{prefix}-count", minimum=0, maximum=MAX_ROWS, default=0) or 0
    return range(count)


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
    for i in _rows(form, "extra"):
        name = form.text(f"extra-{i}-name", max_length=120)
        role = form.text(f"extra-{i}-role", max_length=120)
        status = form.choice(f"extra-{i}-attendance", attendance_choices[1:], required=False) or Attendance.present
        if name:
            data.attendees.append(AttendeeInput(name=name, role=role, attendance=status))
        elif role:
            form.error(f"extra-{i}-name", "Please give this person's name, or clear their role.")
    for i in _rows(form, "decision"):
        decision = form.text(f"decision-{i}", max_length=1000)
        rationale = form.text(f"decision-{i}-why", max_length=2000)
        if decision:
            data.decisions.append((decision, rationale))
        elif rationale:
            form.error(f"decision-{i}", "Please say what was decided, or clear the reason.")
    for i in _rows(form, "task"):
        task_id = form.text(f"task-{i}-id", max_length=36)
        what = form.text(f"task-{i}-what", max_length=500)
        who = form.text(f"task-{i}-who", max_length=120)
        due = form.date(f"task-{i}-due")
        checker = form.text(f"task-{i}-checker", max_length=120)
        rule = form.text(f"task-{i}-rule", max_length=300)
        if not what:
            if who or due or checker:
                form.error(f"task-{i}-what", "Please say what needs doing, or clear this task's other boxes.")
            continue
        if not who:
            form.error(f"task-{i}-who", "Please say who will do this.")
        if not _is_uuid(task_id):
            task_id = str(uuid.uuid4())
        data.tasks.append(TaskInput(id=task_id, what=what, who=who, due_on=due, checked_by=checker, safety_rule=rule))
    for i in _rows(form, "support"):
        agency = form.text(f"support-{i}-agency", max_length=120)
        what = form.text(f"support-{i}-what", max_length=1000)
        agreed = form.choice(f"support-{i}-agreed", AGREED_CHOICES, required=False) or "not_yet"
        if agency or what:
            if not agency:
                form.error(f"support-{i}-agency", "Please say which agency was asked.")
            if not what:
                form.error(f"support-{i}-what", "Please say what support was asked for.")
            data.support.append((agency, what, agreed))
    for i in _rows(form, "cont"):
        if_this = form.text(f"cont-{i}-if", max_length=500)
        then_this = form.text(f"cont-{i}-then", max_length=1000)
        if if_this or then_this:
            if not if_this:
                form.error(f"cont-{i}-if", "Please say what might happen.")
            if not then_this:
                form.error(f"cont-{i}-then", "Please say what the network will do.")
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
