"""Family network meetings: the record of each (who came, decisions, tasks, support, contingencies),
its draft and final states and the addenda that correct a final one.

A meeting created again by the same client-made id is a replay and changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, delete, select

from app.cases.models import Case, Consent
from app.network.models import (
    MEETING_KIND_LABELS,
    Attendance,
    Contingency,
    MeetingAddendum,
    MeetingAttendee,
    MeetingDecision,
    MeetingKind,
    NetworkMeeting,
    NetworkTask,
    SupportRequest,
    TaskUpdate,
)
from app.network.refusals import AlreadyFinal, NotYetFinal, StaleVersion
from app.refused import WrongCase
from app.timeutil import utcnow


@dataclass
class AttendeeInput:
    name: str
    role: str = ""
    attendance: str = Attendance.present
    person_id: str | None = None


@dataclass
class TaskInput:
    id: str
    what: str
    who: str
    due_on: date | None = None
    checked_by: str = ""
    safety_rule: str = ""


@dataclass
class TaskProgress:
    task_id: str
    status: str
    note: str = ""


@dataclass
class MeetingInput:
    kind: str
    held_on: date
    venue: str = ""
    chair: str = ""
    young_person_attended: bool = False
    views_given: str = "in_person"
    young_person_views: str = ""
    information_shared: str = ""
    private_family_time: bool = False
    plan_agreed: bool = False
    worries: str = ""
    working_well: str = ""
    needs_to_happen: str = ""
    next_meeting_on: date | None = None
    attendees: list[AttendeeInput] = field(default_factory=list)
    decisions: list[tuple[str, str]] = field(default_factory=list)
    tasks: list[TaskInput] = field(default_factory=list)
    support: list[tuple[str, str, str]] = field(default_factory=list)
    contingencies: list[tuple[str, str]] = field(default_factory=list)
    progress: list[TaskProgress] = field(default_factory=list)


_SCALARS = (
    "kind",
    "held_on",
    "venue",
    "chair",
    "young_person_attended",
    "views_given",
    "young_person_views",
    "information_shared",
    "private_family_time",
    "plan_agreed",
    "worries",
    "working_well",
    "needs_to_happen",
    "next_meeting_on",
)


def _write_children(*, session: Session, case: Case, meeting: NetworkMeeting, data: MeetingInput) -> None:
    for table in (MeetingAttendee, MeetingDecision, SupportRequest, Contingency):
        session.exec(delete(table).where(table.meeting_id == meeting.id))
    kept_task_ids = [t.id for t in data.tasks]
    stale_tasks = select(NetworkTask.id).where(
        NetworkTask.meeting_id == meeting.id, NetworkTask.id.not_in(kept_task_ids)
    )
    session.exec(delete(TaskUpdate).where(TaskUpdate.task_id.in_(stale_tasks)))
    session.exec(delete(NetworkTask).where(NetworkTask.meeting_id == meeting.id, NetworkTask.id.not_in(kept_task_ids)))
    for i, a in enumerate(data.attendees):
        session.add(
            MeetingAttendee(
                meeting_id=meeting.id,
                person_id=a.person_id,
                name=a.name,
                role=a.role,
                attendance=a.attendance,
                position=i,
            )
        )
    for i, (decision, rationale) in enumerate(data.decisions):
        session.add(MeetingDecision(meeting_id=meeting.id, decision=decision, rationale=rationale, position=i))
    for i, (agency, support, agreed) in enumerate(data.support):
        session.add(SupportRequest(meeting_id=meeting.id, agency=agency, support=support, agreed=agreed, position=i))
    for i, (if_this, then_this) in enumerate(data.contingencies):
        session.add(Contingency(meeting_id=meeting.id, if_this=if_this, then_this=then_this, position=i))
    existing = (
        {t.id: t for t in session.exec(select(NetworkTask).where(NetworkTask.id.in_(kept_task_ids))).all()}
        if kept_task_ids
        else {}
    )
    for i, t in enumerate(data.tasks):
        task = existing.get(t.id)
        if task is not None and task.meeting_id != meeting.id:
            raise WrongCase()
        if task is None:
            task = NetworkTask(id=t.id, case_id=case.id, meeting_id=meeting.id, what=t.what, who=t.who)
        task.what, task.who, task.due_on, task.checked_by, task.safety_rule, task.position = (
            t.what,
            t.who,
            t.due_on,
            t.checked_by,
            t.safety_rule,
            i,
        )
        session.add(task)
    session.flush()
    _apply_progress(session=session, case=case, meeting=meeting, progress=data.progress)


def _apply_progress(*, session: Session, case: Case, meeting: NetworkMeeting, progress: list[TaskProgress]) -> None:
    """A review meeting's updates to earlier tasks: a row each for the meeting's record, and the
    task's status where this meeting's word on it is the latest (four queries)."""
    recorded = {u.task_id: u for u in session.exec(select(TaskUpdate).where(TaskUpdate.meeting_id == meeting.id))}
    for task_id in recorded.keys() - {p.task_id for p in progress}:
        session.delete(recorded.pop(task_id))
    if not progress:
        session.flush()
        return
    task_ids = [p.task_id for p in progress]
    rows = session.exec(
        select(NetworkTask, NetworkMeeting.held_on)
        .join(NetworkMeeting, NetworkMeeting.id == NetworkTask.meeting_id)
        .where(NetworkTask.id.in_(task_ids))
    ).all()
    tasks = {t.id: t for t, _ in rows}
    agreed_on = {t.id: held_on for t, held_on in rows}
    reviewed_later = _reviewed_after(session=session, meeting=meeting, task_ids=task_ids)
    for p in progress:
        task = tasks.get(p.task_id)
        if task is None or task.case_id != case.id or task.meeting_id == meeting.id:
            raise WrongCase()
        if meeting.held_on and agreed_on[task.id] and agreed_on[task.id] > meeting.held_on:
            # A meeting entered late, dated before the task was agreed, cannot have reviewed it
            # (the form lists every open task, with no "not reviewed" choice): left as it is.
            continue
        row = recorded.get(task.id)
        if row is not None and (row.status, row.note) == (p.status, p.note):
            continue  # what this meeting recorded, unchanged: its record and the task stay as they are
        # The task moves only while this meeting's word on it is the latest: not when a later
        # meeting reviewed it, nor when it was changed on the case page since this meeting (it no
        # longer says what this meeting recorded). Correcting the record never undoes later news.
        latest = task.id not in reviewed_later and (
            row is None or (task.status, task.status_note) == (row.status, row.note)
        )
        if row is None:
            session.add(TaskUpdate(task_id=task.id, meeting_id=meeting.id, status=p.status, note=p.note))
        else:
            row.status, row.note = p.status, p.note
            session.add(row)
        # The routes merged the progress with this meeting's record, or for a new one the task as it
        # is now (app/sync `merge_edit`), so a task is only changed where the worker changed it.
        if latest and (task.status != p.status or task.status_note != p.note):
            task.status, task.status_note = p.status, p.note
            task.version += 1
            task.updated_at = utcnow()
            session.add(task)
    session.flush()


def _reviewed_after(*, session: Session, meeting: NetworkMeeting, task_ids: list[str]) -> set[str]:
    """Those of these tasks another meeting held after this one reviewed (one query)."""
    later = (NetworkMeeting.held_on > meeting.held_on) | (
        (NetworkMeeting.held_on == meeting.held_on) & (NetworkMeeting.created_at > meeting.created_at)
    )
    return set(
        session.exec(
            select(TaskUpdate.task_id)
            .join(NetworkMeeting, NetworkMeeting.id == TaskUpdate.meeting_id)
            .where(TaskUpdate.task_id.in_(task_ids), TaskUpdate.meeting_id != meeting.id, later)
        ).all()
    )


def create_meeting(
    *, session: Session, case: Case, by_user_id: int, meeting_id: str, data: MeetingInput
) -> tuple[NetworkMeeting, bool]:
    """Record a meeting as a draft; a replay of the same id returns the first record unchanged."""
    existing = session.get(NetworkMeeting, meeting_id)
    if existing is not None:
        if existing.case_id != case.id:
            raise WrongCase()
        return existing, False
    meeting = NetworkMeeting(
        id=meeting_id, case_id=case.id, created_by_id=by_user_id, **{k: getattr(data, k) for k in _SCALARS}
    )
    session.add(meeting)
    session.flush()
    _fresh_task_ids(session=session, meeting_id=meeting_id, tasks=data.tasks)
    _write_children(session=session, case=case, meeting=meeting, data=data)
    return meeting, True


def _fresh_task_ids(*, session: Session, meeting_id: str, tasks: list[TaskInput]) -> None:
    """Give a new meeting's tasks ids of their own where the form's ids are already taken.

    The form's task ids are made when the page is drawn; a page kept on a device for offline use
    is the same every time it opens, so a second meeting recorded from it carries the first one's
    task ids. Those are replaced by ids made from the new meeting's id (the same ones on every
    replay, though a replay of a create never gets this far). One query.
    """
    ids = [t.id for t in tasks]
    if not ids:
        return
    taken = set(session.exec(select(NetworkTask.id).where(NetworkTask.id.in_(ids))).all())
    for t in tasks:
        if t.id in taken:
            t.id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"homeward:network-meeting:{meeting_id}:task:{t.id}"))


def update_meeting(
    *, session: Session, case: Case, meeting: NetworkMeeting, base_version: int, data: MeetingInput
) -> NetworkMeeting:
    """Change a draft meeting record; refused when finalised or when edited from an older version."""
    if meeting.finalised_at is not None:
        raise AlreadyFinal()
    if base_version != meeting.version:
        raise StaleVersion(meeting.version)
    for key in _SCALARS:
        setattr(meeting, key, getattr(data, key))
    meeting.version += 1
    meeting.updated_at = utcnow()
    session.add(meeting)
    _write_children(session=session, case=case, meeting=meeting, data=data)
    return meeting


def finalise_meeting(*, session: Session, meeting: NetworkMeeting, base_version: int) -> NetworkMeeting:
    """Make the record final: from now on corrections are addenda."""
    if meeting.finalised_at is not None:
        return meeting
    if base_version != meeting.version:
        raise StaleVersion(meeting.version)
    meeting.finalised_at = utcnow()
    meeting.version += 1
    session.add(meeting)
    session.flush()
    return meeting


def add_addendum(
    *, session: Session, meeting: NetworkMeeting, addendum_id: str, text: str, by_user_id: int
) -> tuple[MeetingAddendum, bool]:
    """Add a correction to a finalised meeting (idempotent by id)."""
    existing = session.get(MeetingAddendum, addendum_id)
    if existing is not None:
        if existing.meeting_id != meeting.id:
            raise WrongCase()  # another meeting's correction: never "added" here
        return existing, False
    if meeting.finalised_at is None:
        raise NotYetFinal(
            "This meeting's record is still a draft, so nothing was added. Use “Change the record” "
            "to put it right; corrections are added once the record is final."
        )
    addendum = MeetingAddendum(id=addendum_id, meeting_id=meeting.id, text=text, by_user_id=by_user_id)
    session.add(addendum)
    session.flush()
    return addendum, True


def get_meeting(*, session: Session, case: Case, meeting_id: str) -> NetworkMeeting | None:
    meeting = session.get(NetworkMeeting, meeting_id)
    return meeting if meeting is not None and meeting.case_id == case.id else None


@dataclass
class MeetingDetail:
    meeting: NetworkMeeting
    attendees: list[MeetingAttendee]
    decisions: list[MeetingDecision]
    tasks: list[NetworkTask]
    support: list[SupportRequest]
    contingencies: list[Contingency]
    updates: list[tuple[TaskUpdate, NetworkTask]]
    addenda: list[MeetingAddendum]

    @property
    def kind_label(self) -> str:
        return MEETING_KIND_LABELS.get(MeetingKind(self.meeting.kind), self.meeting.kind)

    @property
    def present(self) -> list[MeetingAttendee]:
        return [a for a in self.attendees if a.attendance == Attendance.present]

    @property
    def apologies(self) -> list[MeetingAttendee]:
        return [a for a in self.attendees if a.attendance == Attendance.apologies]


def meeting_detail(*, session: Session, meeting: NetworkMeeting) -> MeetingDetail:
    """The meeting with everything recorded at it (one query per part, never per row)."""

    def rows(table):
        return list(session.exec(select(table).where(table.meeting_id == meeting.id).order_by(table.position)).all())

    updates = session.exec(
        select(TaskUpdate, NetworkTask)
        .join(NetworkTask, NetworkTask.id == TaskUpdate.task_id)
        .where(TaskUpdate.meeting_id == meeting.id)
        .order_by(NetworkTask.due_on, NetworkTask.position)
    ).all()
    addenda = session.exec(
        select(MeetingAddendum).where(MeetingAddendum.meeting_id == meeting.id).order_by(MeetingAddendum.at)
    ).all()
    return MeetingDetail(
        meeting,
        rows(MeetingAttendee),
        rows(MeetingDecision),
        rows(NetworkTask),
        rows(SupportRequest),
        rows(Contingency),
        list(updates),
        list(addenda),
    )


def meetings(*, session: Session, case: Case) -> list[NetworkMeeting]:
    return list(
        session.exec(
            select(NetworkMeeting)
            .where(NetworkMeeting.case_id == case.id)
            .order_by(NetworkMeeting.held_on.desc(), NetworkMeeting.created_at.desc())
        ).all()
    )


def network_consent_given(*, session: Session, case: Case) -> bool:
    """Whether anyone on the case has consented to a family network meeting (not withdrawn)."""
    return (
        session.exec(
            select(Consent.id)
            .where(Consent.case_id == case.id, Consent.purpose == "network_meeting", Consent.withdrawn_on.is_(None))
            .limit(1)
        ).first()
        is not None
    )
