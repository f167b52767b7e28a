"""BASE stage 1, engagement (PRACTICE.md "BASE"): for the young person and each relevant adult,
what they expect and hope for, their motivation and capacity to change. An entry is added, edited
offline or not, or removed with the reason it was made by mistake."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.base import service
from app.base.stage_forms import (
    Record,
    _apply,
    _item,
    _refuse_an_older_edit,
    _revision_of,
    _settle,
    _stage_post,
    _texts,
)
from app.base.web import case_people
from app.db import SessionDep
from app.forms import Form, SentForm
from app.refused import Refused
from app.security.auth import CurrentActor
from app.sync import service as sync
from app.sync.ledger import Idempotent

router = APIRouter()


ENGAGEMENT_LABELS = {
    "person_id": "Who",
    "expectations": "What they expect from the work",
    "aspirations": "What they hope to achieve",
    "motivation": "Motivation to change",
    "motivation_evidence": "Evidence for motivation",
    "capacity": "Capacity to change",
    "capacity_evidence": "Evidence for capacity",
    "involvement": "How they want to be involved",
}


def _engagement_fields(form: Form, people: dict[str, Any]) -> dict[str, Any]:
    return {
        "person_id": form.choice("person_id", people.keys()),
        "expectations": form.text("expectations", max_length=2000),
        "aspirations": form.text("aspirations", max_length=2000),
        "motivation": form.integer("motivation", required=True, minimum=1, maximum=5),
        "motivation_evidence": form.text("motivation_evidence", max_length=2000),
        "capacity": form.integer("capacity", required=True, minimum=1, maximum=5),
        "capacity_evidence": form.text("capacity_evidence", max_length=2000),
        "involvement": form.text("involvement", max_length=2000),
    }


def _engagement_item(fields: dict[str, Any], people: dict[str, Any]) -> dict[str, Any]:
    """The stored item: the person's name and relationship are copied as they are now."""
    person = people[fields["person_id"]]
    return {
        **fields,
        "person_name": person.name,
        "relationship": person.relationship,
        "is_young_person": person.is_young_person,
    }


@router.post("/cases/{case_id}/base/engagement")
def add_engagement(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    case, form, version = _stage_post(sent, session, actor, case_id)
    _refuse_an_older_edit(request, form)
    item_id = form.text("id", required=True, max_length=36)
    people = {p.id: p for p in case_people(session, case)}
    fields = _engagement_fields(form, people)
    return _apply(
        request,
        session,
        case,
        actor,
        version,
        "engagement",
        form,
        lambda: service.save_engagement(
            session=session, version=version, by=actor, item_id=item_id, fields=_engagement_item(fields, people)
        ),
        "Engagement saved.",
    )


@router.post("/cases/{case_id}/base/engagement/items/{item_id}")
def edit_engagement(
    request: Request,
    case_id: int,
    item_id: str,
    session: SessionDep,
    actor: CurrentActor,
    op: Idempotent,
    sent: SentForm,
) -> Response:
    case, _, version = _stage_post(sent, session, actor, case_id)
    item = _item(version, "engagement", item_id)
    if item.get("removed"):  # an edit from a page kept on the device from before the removal
        raise Refused("This engagement entry was removed from the assessment, so the change was not saved.")
    people = {p.id: p for p in case_people(session, case)}
    record = Record(
        stage="engagement",
        record_type="base_engagement",
        record_id=item_id,
        label=f"Engagement for {item.get('person_name', '')}",
        current={f: item.get(f) for f in ENGAGEMENT_LABELS},
        revision=item["revision"],
        labels=ENGAGEMENT_LABELS,
        options={
            "person_id": {k: p.name for k, p in people.items()},
            **{f: {str(n): f"{n} of 5" for n in range(1, 6)} for f in ("motivation", "capacity")},
        },
    )
    edit = sync.merge_edit(
        sent=sent,
        current=record.current,
        current_version=record.revision,
        fields=record.labels,
        texts=_texts,
        parse=lambda form: _engagement_fields(form, people),
    )
    return _settle(
        request,
        session,
        case,
        actor,
        op,
        version,
        record,
        edit,
        save=lambda values: service.edit_engagement(
            session=session, version=version, by=actor, item_id=item_id, fields=_engagement_item(values, people)
        ),
        revision_after=_revision_of(version, "engagement", item_id),
        message="Engagement saved.",
        editing=item,
    )


@router.post("/cases/{case_id}/base/engagement/items/{item_id}/remove")
def remove_engagement(
    request: Request, case_id: int, item_id: str, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    """Remove an entry made by mistake, with the reason; it stays on the page marked removed."""
    case, form, version = _stage_post(sent, session, actor, case_id)
    _item(version, "engagement", item_id)  # another version's (or case's) entry is not found
    form.values["removing"] = item_id
    reason = form.text("reason", required=True, max_length=1000, label="Why it is removed")
    if "reason" in form.errors:  # beside this entry's own reason box
        form.error(f"reason-{item_id}", form.errors.pop("reason"))
    revision = form.integer("revision", default=0, minimum=0, maximum=100000) or 0
    return _apply(
        request,
        session,
        case,
        actor,
        version,
        "engagement",
        form,
        lambda: service.remove_engagement(
            session=session, version=version, by=actor, item_id=item_id, reason=reason, revision=revision
        ),
        "Engagement entry removed. It stays on the page, marked removed, and no longer counts.",
    )
