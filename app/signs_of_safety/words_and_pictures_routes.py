"""Words and pictures pages: the storyboard, its panels, its versions and who it was shared with."""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import select

from app.audit import service as audit
from app.cases.models import Case, new_id
from app.cases.people import valid_client_id
from app.db import SessionDep
from app.forms import Form, SentForm
from app.security.auth import CurrentActor
from app.security.permissions import get_case
from app.signs_of_safety import service
from app.signs_of_safety import words_and_pictures as story
from app.signs_of_safety.models import StoryPanel, StoryVersion
from app.signs_of_safety.service import StaleVersion
from app.signs_of_safety.web import conflict
from app.templating import flash, redirect, render
from app.timeutil import today

router = APIRouter()


def _url(case: Case) -> str:
    return f"/cases/{case.id}/signs-of-safety/words-and-pictures"


def _context(
    session, case: Case, version: StoryVersion | None, form: Form | None = None, share_form: Form | None = None
) -> dict:
    people = service.people(session=session, case=case)
    return {
        "case": case,
        "version": version,
        "panels": story.panels(session=session, version=version) if version else [],
        "versions": story.versions(session=session, case=case),
        "shares": story.shares(session=session, case=case),
        "people": [(p.id, f"{p.name} ({p.relationship})" if p.relationship else p.name) for p in people],
        "form": form,
        "share_form": share_form,
        "panel_id": new_id(),
        "share_id": new_id(),
        "base_version": version.number if version else 0,
        "today": today(),
        "url": _url(case),
        "base": f"/cases/{case.id}/signs-of-safety",
    }


@router.get("/cases/{case_id}/signs-of-safety/words-and-pictures")
def storyboard(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    return render(
        request,
        "signs_of_safety/words_and_pictures.html",
        _context(session, case, story.latest(session=session, case=case)),
    )


@router.get("/cases/{case_id}/signs-of-safety/words-and-pictures/versions/{number}")
def storyboard_version(
    request: Request, case_id: int, number: int, session: SessionDep, actor: CurrentActor
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    version = story.get_version(session=session, case=case, number=number)
    if version is None:
        raise HTTPException(status_code=404)
    context = _context(session, case, version)
    context["read_only"] = True
    return render(request, "signs_of_safety/words_and_pictures.html", context)


def _picture(request_form, form: Form) -> bytes | None:
    drawing = form.values.get("drawing")
    if isinstance(drawing, str) and drawing:
        prefix = "data:image/png;base64,"
        try:
            data = base64.b64decode(drawing[len(prefix) :], validate=True) if drawing.startswith(prefix) else b""
        except (binascii.Error, ValueError):
            data = b""
        if not story.image_type(data):
            form.error("drawing", "The drawing could not be read. Please try again.")
            return None
        return data
    photo = request_form.get("photo")
    if photo is not None and hasattr(photo, "read") and getattr(photo, "filename", ""):
        data = photo.file.read(story.MAX_IMAGE_BYTES + 1)
    else:
        # Sent by the offline script, which sends text fields only (and keeps them on the device
        # without a signal): the chosen photo read into a data URL (signs_of_safety.js).
        raw = form.values.get("photo_data")
        if not isinstance(raw, str) or not raw:
            return None
        kind, _, encoded = raw.partition(";base64,")
        try:
            data = base64.b64decode(encoded, validate=True) if kind in ("data:image/png", "data:image/jpeg") else b""
        except (binascii.Error, ValueError):
            data = b""
    if not story.image_type(data):
        form.error("photo", "Choose a photo in JPEG or PNG format, smaller than 1.5 MB.")
        return None
    return data


@router.post("/cases/{case_id}/signs-of-safety/words-and-pictures/panels")
def add_panel(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent, files=("photo",))
    panel_id = valid_client_id(form.values.get("id")) or new_id()
    base_version = form.integer("base_version", default=0, minimum=0, maximum=100000) or 0
    text = form.text("text", required=True, max_length=2000, label="The words for this panel")
    picture = _picture(sent, form)
    description = form.text("image_description", max_length=500)
    if picture is not None and not description:
        form.error("image_description", "Say in a few words what the picture shows.")
    if not form.ok:
        context = _context(session, case, story.latest(session=session, case=case), form=form)
        context["panel_id"] = panel_id
        return render(request, "signs_of_safety/words_and_pictures.html", context, status_code=422)
    try:
        panel, created = story.add_panel(
            session=session,
            case=case,
            panel_id=panel_id,
            base_version=base_version,
            text=text,
            image=picture,
            image_description=description,
            by=actor.user,
        )
    except StaleVersion as exc:
        return conflict(request, case, exc, form)
    if created:
        audit.record(
            session=session,
            actor=actor,
            action="create",
            object_type="sos_story_panel",
            object_id=panel.id,
            case_id=case.id,
            detail="words and pictures panel added",
        )
        flash(request, "Panel added.")
    return redirect(request, _url(case))


@router.post("/cases/{case_id}/signs-of-safety/words-and-pictures/panels/{panel_key}/remove")
def remove_panel(
    request: Request, case_id: int, panel_key: str, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    base_version = form.integer("base_version", default=0, minimum=0, maximum=100000) or 0
    try:
        draft = story.remove_panel(
            session=session, case=case, panel_key=panel_key, base_version=base_version, by=actor.user
        )
    except StaleVersion as exc:
        return conflict(request, case, exc, form)
    if draft is None:
        flash(request, "That panel is no longer in the story.")
        return redirect(request, _url(case))
    audit.record(
        session=session,
        actor=actor,
        action="delete",
        object_type="sos_story_panel",
        object_id=panel_key,
        case_id=case.id,
        detail=f"panel removed from version {draft.number}",
    )
    flash(request, f"Panel removed from version {draft.number}. Earlier versions still have it.")
    return redirect(request, _url(case))


@router.post("/cases/{case_id}/signs-of-safety/words-and-pictures/shares")
def share(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    share_id = valid_client_id(form.values.get("id")) or new_id()
    version_number = form.integer("base_version", required=True, minimum=1, maximum=100000)
    people = {p.id: p for p in service.people(session=session, case=case)}
    who = form.choice("person", [*people, "other"], required=True)
    other = form.text("shared_with", max_length=120, required=who == "other", label="Who it was shared with")
    shared_on = form.date("shared_on", required=True, not_future=True)
    if not form.ok:
        context = _context(session, case, story.latest(session=session, case=case), share_form=form)
        context["share_id"] = share_id
        return render(request, "signs_of_safety/words_and_pictures.html", context, status_code=422)
    try:
        record, created = story.share(
            session=session,
            case=case,
            share_id=share_id,
            version_number=version_number,
            person=people.get(who or ""),
            shared_with=other,
            shared_on=shared_on,
            by=actor.user,
        )
    except StaleVersion as exc:
        return conflict(request, case, exc, form)
    if created:
        audit.record(
            session=session,
            actor=actor,
            action="share",
            object_type="sos_story_version",
            object_id=record.story_version_id,
            case_id=case.id,
            detail=f"words and pictures version {version_number} shared",
        )
        flash(
            request,
            f"Recorded: version {version_number} shared with {record.shared_with}. That version is now fixed; a change starts a new version.",
        )
    return redirect(request, _url(case))


@router.get("/cases/{case_id}/signs-of-safety/words-and-pictures/panels/{panel_id}/image")
def panel_image(case_id: int, panel_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    row = session.exec(
        select(StoryPanel.image, StoryPanel.image_type)
        .join(StoryVersion, StoryVersion.id == StoryPanel.story_version_id)
        .where(StoryPanel.id == panel_id, StoryVersion.case_id == case.id)
    ).first()
    if row is None or not row[0]:
        raise HTTPException(status_code=404)
    return Response(content=row[0], media_type=row[1] or "image/png", headers={"Cache-Control": "private, no-store"})
