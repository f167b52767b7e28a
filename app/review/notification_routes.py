"""Notifications: the list, the badge in the navigation, opening one and marking them read."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.review import service
from app.security.auth import CurrentActor
from app.templating import flash, redirect, render

router = APIRouter()


@router.get("/notifications")
def notification_list(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    items = service.notifications(session=session, user=actor.user)
    return render(request, "review/notifications.html", {"items": items})


@router.get("/notifications/badge")
def notification_badge(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    count = service.unread_count(session=session, user=actor.user)
    return render(request, "review/notifications.html", {"count": count, "items": []}, block="badge")


@router.get("/notifications/{notification_id}")
def open_notification(request: Request, notification_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    """Follow a notification's link, marking it read on the way."""
    note = service.open_notification(session=session, user=actor.user, notification_id=notification_id)
    if note is None:
        raise HTTPException(status_code=404)
    return redirect(request, note.url or "/notifications")


@router.post("/notifications/read")
def mark_read(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    service.mark_all_read(session=session, user=actor.user)
    flash(request, "Notifications marked as read.")
    return redirect(request, "/notifications")
