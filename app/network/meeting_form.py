"""Reading the meeting form's repeated rows into a MeetingInput, each error beside its own field.

The form works without JavaScript, so repeated parts (tasks, decisions, support, contingencies,
extra attendees) are fixed sets of numbered rows; a row left blank is skipped. Every task row
carries a UUID made when the form was drawn, so a task keeps its id across edits and replays.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

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


# The form's fields that are not the record's own (kept as sent, never merged).
CONTROL_FIELDS = ("base_version", "shown", "id", "no_consent_ok", "resolves")
CHECKBOXES = ("young_person_attended", "private_family_time", "plan_agreed")


def _merged_field(name: str) -> bool:
    # A row's id names the row, and the row counts are how many the page drew: neither is merged.
    return name not in CONTROL_FIELDS and not name.endswith("-count") and not name.endswith("-id")


def field_texts(values: dict) -> dict[str, str]:
    """The record's fields of a meeting form as text, as the merge compares them (a box: "1" or "")."""
    texts = {}
    for name, value in values.items():
        if not _merged_field(name):
            continue
        text = value[-1] if isinstance(value, list) else value
        text = str(text or "").replace("\x00", "").strip()
        if name in CHECKBOXES:
            text = "1" if text.lower() in ("1", "on", "true", "yes") else ""
        texts[name] = text
    # A blank row's choice is the page's default, not something recorded: it is no field of the record.
    for name in [n for n in texts if n.endswith(("-attendance", "-agreed"))]:
        prefix, index, _ = name.split("-", 2)
        parts = ("name", "role") if prefix == "extra" else ("agency", "what")
        if not any(texts.get(f"{prefix}-{index}-{part}") for part in parts):
            del texts[name]
    return texts


@dataclass
class MeetingEdit:
    """A meeting form read for the merge (app/sync `merge_edit`): what to save and the fields it
    was read from. The form's rows are numbered, so the merge is field by field, row by row."""

    data: MeetingInput
    fields: dict[str, str]


def parse_meeting_edit(form: Form, *, people: list, professionals: list, review_tasks: list) -> MeetingEdit:
    """`parse_meeting` for the merge: every row Homeward or the page has is read, however many the
    form drew (a row added on Homeward meanwhile is kept)."""
    data = parse_meeting(form, people=people, professionals=professionals, review_tasks=review_tasks, rows=MAX_ROWS)
    return MeetingEdit(data=data, fields=field_texts(form.values))


def meeting_edit_texts(edit: MeetingEdit) -> dict[str, str]:
    return edit.fields


def parse_meeting(
    form: Form, *, people: list, professionals: list, review_tasks: list, rows: int | None = None
) -> MeetingInput:
    """The MeetingInput the form describes; problems are recorded on `form.errors`.

    `rows`: read this many rows of each repeated part (default: as many as the form says it drew).
    """
    data = MeetingInput(
        kind=form.choice("kind", [k.value for k in MeetingKind], required=False) or MeetingKind.network,
        held_on=form.date("held_on", required=True, not_future=True, label="The date of the meeting"),  # type: ignore[arg-type]
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
    for row in formset(form, "extra", count=rows, max_rows=MAX_ROWS):
        name = row.text("name", max_length=120)
        role = row.text("role", max_length=120)
        status = row.choice("attendance", attendance_choices[1:], required=False) or Attendance.present
        if name:
            data.attendees.append(AttendeeInput(name=name, role=role, attendance=status))
        elif role:
            row.error("name", "Please give this person's name, or clear their role.")
    for row in formset(form, "decision", count=rows, max_rows=MAX_ROWS):
        decision = row.text(max_length=1000)
        rationale = row.text("why", max_length=2000)
        if decision:
            data.decisions.append((decision, rationale))
        elif rationale:
            row.error("", "Please say what was decided, or clear the reason.")
    for row in formset(form, "task", count=rows, max_rows=MAX_ROWS):
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
        # Each row is its own task: an id sent twice (a careless client; the page never does) is
        # the first row's, and the second row a new task, never the same row twice (500, or lost).
        if not _is_uuid(task_id) or task_id in {t.id for t in data.tasks}:
            task_id = str(uuid.uuid4())
        data.tasks.append(TaskInput(id=task_id, what=what, who=who, due_on=due, checked_by=checker, safety_rule=rule))
    for row in formset(form, "support", count=rows, max_rows=MAX_ROWS):
        agency = row.text("agency", max_length=120)
        what = row.text("what", max_length=1000)
        agreed = row.choice("agreed", AGREED_CHOICES, required=False) or "not_yet"
        if agency or what:
            if not agency:
                row.error("agency", "Please say which agency was asked.")
            if not what:
                row.error("what", "Please say what support was asked for.")
            data.support.append((agency, what, agreed))
    for row in formset(form, "cont", count=rows, max_rows=MAX_ROWS):
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
            data.progress.append(
                TaskProgress(task_id=task.id, status=status, note=form.text(f"progress-{task.id}-note", max_length=500))
            )
    return data


_SCALAR_FIELDS = (
    "kind",
    "held_on",
    "venue",
    "chair",
    "next_meeting_on",
    "young_person_attended",
    "views_given",
    "young_person_views",
    "information_shared",
    "private_family_time",
    "plan_agreed",
    "worries",
    "working_well",
    "needs_to_happen",
)


def progress_fields(review_tasks: list, *, recorded: Mapping | None = None) -> dict[str, object]:
    """Earlier tasks' progress as this meeting recorded it (`recorded`: its TaskUpdate rows by task
    id), else as the plan holds it now: what the form shows, and the base Homeward merges it with.

    A meeting's record keeps what was said at it: a task moved on the plan since is not what an
    edit of the meeting shows or saves for it."""
    recorded = recorded or {}
    current: dict[str, object] = {}
    for task in review_tasks:
        row = recorded.get(task.id)
        current[f"progress-{task.id}"] = row.status if row else task.status
        current[f"progress-{task.id}-note"] = (row.note if row else task.status_note) or ""
    return current


def recorded_progress(detail) -> dict:
    """A meeting's own progress rows, by task id (none for a meeting not yet recorded)."""
    return {update.task_id: update for update, _task in detail.updates} if detail else {}


# A repeated row's fields that say which row it is: a task by its id; the others, which have
# none, by what they say (a decision's words, a support's agency and ask, an "if", a name).
ROW_IDENTITY = {"decision": ("",), "support": ("agency", "what"), "cont": ("if",), "extra": ("name",)}


def _row_field(prefix: str, index: int, part: str) -> str:
    return f"{prefix}-{index}" + (f"-{part}" if part else "")


def align_rows(sent: Mapping[str, str], current: Mapping[str, object]) -> tuple[dict[str, str], set[str]]:
    """The sent meeting form with its task rows numbered as Homeward's are now, matched by task id
    (a task deleted or added on Homeward since the page was drawn moves the rows after it), and
    what cannot be merged row by row: a repeated part whose rows moved on Homeward, which has no
    ids to match them by ("decision"), and a task the page showed that Homeward deleted ("task-4").

    The form's rows are numbered by position, so without this a change made on the device to its
    first task could land on whatever task is first now (until December 2026 a safety rule did).
    A task the page showed that Homeward no longer has keeps a number of its own after Homeward's
    rows: left as shown it stays deleted; changed on the device, its changes are conflicts (the
    worker sees it was deleted), neither an edit of another task nor a change silently dropped."""
    values = {k: str(v) for k, v in sent.items()}
    try:
        shown = json.loads(values.get("shown") or "null")
    except ValueError:
        shown = None
    if not isinstance(shown, dict):
        return values, set()  # no page to compare with: the merge treats every difference as a conflict
    drawn = sorted({int(k.split("-")[1]) for k in values if k.startswith("task-") and k.split("-")[1].isdigit()})
    theirs = {str(current.get(f"task-{j}-id")): j for j in range(MAX_ROWS) if current.get(f"task-{j}-id")}
    free = max(theirs.values(), default=-1) + 1
    moves: dict[int, int] = {}
    moved = set()
    for i in drawn:
        task_id = values.get(f"task-{i}-id", "")
        if task_id in theirs:
            moves[i] = theirs[task_id]
        else:
            moves[i], free = free, free + 1
            parts = ("what", "who", "due", "checker", "rule")
            changed = any(
                str(values.get(f"task-{i}-{p}") or "").strip() != str(shown.get(f"task-{i}-{p}") or "").strip()
                for p in parts
            )
            if changed and str(shown.get(f"task-{i}-what") or "").strip():
                moved.add(f"task-{moves[i]}")  # changed on the device, deleted on Homeward: a conflict

    def renumbered(fields: dict) -> dict:
        out = {}
        for name, value in fields.items():
            prefix, _, rest = name.partition("-")
            index, _, part = rest.partition("-")
            if prefix == "task" and index.isdigit() and int(index) in moves:
                name = f"task-{moves[int(index)]}" + (f"-{part}" if part else "")
            out[name] = value
        return out

    values = renumbered(values)
    shown = renumbered(shown)
    values["shown"] = json.dumps(shown)
    for prefix, parts in ROW_IDENTITY.items():
        for i in range(MAX_ROWS):
            page = [str(shown.get(_row_field(prefix, i, p)) or "").strip() for p in parts]
            now = [str(current.get(_row_field(prefix, i, p)) or "").strip() for p in parts]
            if any(page) and page != now:
                moved.add(prefix)
                break
    return values, moved


def current_fields(*, detail, people: list, professionals: list, review_tasks: list) -> dict[str, object]:
    """A meeting as its form's fields, row by row as the form draws it (row ids included, as sent)."""
    meeting = detail.meeting
    current: dict[str, object] = {name: getattr(meeting, name) for name in _SCALAR_FIELDS}
    person_keys = {p.key for p in people}
    professional_keys = {(p.name, p.relationship): p.key for p in professionals}  # by name and role
    extras = []
    for a in detail.attendees:
        if a.person_id in person_keys:
            current[f"attend-{a.person_id}"] = a.attendance
        elif a.person_id is None and (a.name, a.role) in professional_keys:
            current[f"attend-{professional_keys[a.name, a.role]}"] = a.attendance
        elif a.person_id is None:
            extras.append(a)
    for i, a in enumerate(extras):
        current.update({f"extra-{i}-name": a.name, f"extra-{i}-role": a.role, f"extra-{i}-attendance": a.attendance})
    for i, d in enumerate(detail.decisions):
        current.update({f"decision-{i}": d.decision, f"decision-{i}-why": d.rationale})
    for i, t in enumerate(detail.tasks):
        current.update(
            {
                f"task-{i}-id": t.id,
                f"task-{i}-what": t.what,
                f"task-{i}-who": t.who,
                f"task-{i}-due": t.due_on,
                f"task-{i}-checker": t.checked_by,
                f"task-{i}-rule": t.safety_rule,
            }
        )
    for i, s in enumerate(detail.support):
        current.update(
            {f"support-{i}-agency": s.agency, f"support-{i}-what": s.support, f"support-{i}-agreed": s.agreed}
        )
    for i, c in enumerate(detail.contingencies):
        current.update({f"cont-{i}-if": c.if_this, f"cont-{i}-then": c.then_this})
    current.update(progress_fields(review_tasks, recorded=recorded_progress(detail)))
    return current


_ROW_LABELS = {
    "extra": ("Other person", {"name": "name", "role": "role", "attendance": "there or apologies"}),
    "decision": ("Decision", {"": "", "why": "why"}),
    "task": (
        "Task",
        {
            "what": "what needs doing",
            "who": "who",
            "due": "by when",
            "checker": "who checks",
            "rule": "safety plan rule",
        },
    ),
    "support": ("Support", {"agency": "agency", "what": "what was asked", "agreed": "agreed?"}),
    "cont": ("If things go wrong", {"if": "if", "then": "then"}),
}
_SCALAR_LABELS = {
    "kind": "Kind of meeting",
    "held_on": "Date of the meeting",
    "venue": "Where",
    "chair": "Coordinator or chair",
    "next_meeting_on": "Next meeting date",
    "young_person_attended": "The young person came to the meeting",
    "views_given": "How the young person's views were given",
    "young_person_views": "The young person's views",
    "information_shared": "Information shared",
    "private_family_time": "Private family time was held",
    "plan_agreed": "The family agreed a plan",
    "worries": "What are we worried about?",
    "working_well": "What's working well?",
    "needs_to_happen": "What needs to happen?",
}


ATTENDANCE_WORDS = {"": "Not at this meeting", "present": "Present", "apologies": "Sent apologies"}
DATES = ("held_on", "next_meeting_on")


def field_words(names, *, kinds: dict, views: dict, agreed: dict, task_status: dict) -> dict[str, dict[str, str]]:
    """How the meeting form shows each choice field's values (the conflict page's words)."""
    words: dict[str, dict[str, str]] = {"kind": dict(kinds), "views_given": dict(views)}
    for name in names:
        if name.startswith("attend-") or name.endswith("-attendance"):
            words[name] = ATTENDANCE_WORDS
        elif name.startswith("support-") and name.endswith("-agreed"):
            words[name] = dict(agreed)
        elif name.startswith("progress-") and not name.endswith("-note"):
            words[name] = dict(task_status)
    return words


def date_fields(names) -> tuple[str, ...]:
    """The meeting form's date fields among `names` (a task's due date is one per row)."""
    return tuple(n for n in names if n in DATES or (n.startswith("task-") and n.endswith("-due")))


def field_labels(names, *, people: list, professionals: list, review_tasks: list) -> dict[str, str]:
    """What the conflict page calls each of a meeting form's fields (the form's own words)."""
    by_key = {f"attend-{p.key}": f"{p.name}: at the meeting" for p in [*people, *professionals]}
    for task in review_tasks:
        by_key[f"progress-{task.id}"] = f"How it went: {task.what}"
        by_key[f"progress-{task.id}-note"] = f"Note: {task.what}"
    labels = {}
    for name in names:
        if name in _SCALAR_LABELS or name in by_key:
            labels[name] = _SCALAR_LABELS.get(name) or by_key[name]
            continue
        prefix, _, rest = name.partition("-")
        index, _, part = rest.partition("-")
        title, parts = _ROW_LABELS.get(prefix, (name, {}))
        labels[name] = (
            f"{title} {int(index) + 1}" + (f": {parts.get(part, part)}" if part else "") if index.isdigit() else name
        )
    return labels
