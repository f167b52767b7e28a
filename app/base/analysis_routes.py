"""BASE stage 4, analysis (PRACTICE.md "BASE"): the analysis notes and the formulation meetings."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.base import service
from app.base.stage_forms import _apply, _stage_post
from app.db import SessionDep
from app.forms import SentForm
from app.security.auth import CurrentActor

router = APIRouter()


@router.post("/cases/{case_id}/base/analysis/notes")
def add_note(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case, form, version = _stage_post(sent, session, actor, case_id)
    item_id = form.text("id", required=True, max_length=36)
    kind = form.choice("note_kind", service.NOTE_KINDS.keys())
    text = form.text("note_text", required=True, max_length=4000, label="The note")
    on = form.date("note_on", required=True, not_future=True)
    return _apply(
        request,
        session,
        case,
        actor,
        version,
        "analysis",
        form,
        lambda: service.add_note(
            session=session, version=version, by=actor, item_id=item_id, kind=kind, text=text, on=on
        ),
        "Analysis note added.",
    )


@router.post("/cases/{case_id}/base/analysis/meetings")
def add_meeting(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case, form, version = _stage_post(sent, session, actor, case_id)
    item_id = form.text("id", required=True, max_length=36)
    held_on = form.date("held_on", required=True, not_future=True)
    fields = {
        "held_on": held_on.isoformat() if held_on else None,
        "chair": form.text("chair", required=True, max_length=120, label="The chair"),
        "attendees": form.text("attendees", max_length=1000),
        "theories": form.text("theories", max_length=4000),
        "barriers": form.text("barriers", max_length=4000),
        "conclusions": form.text("conclusions", required=True, max_length=4000, label="The conclusions"),
    }
    return _apply(
        request,
        session,
        case,
        actor,
        version,
        "analysis",
        form,
        lambda: service.add_meeting(session=session, version=version, by=actor, item_id=item_id, fields=fields),
        "Formulation meeting recorded.",
    )
