"""Helpers shared by the BASE screens: the version a form changes, its case's people, the 409 page."""

from __future__ import annotations

from datetime import date

from fastapi import HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, select

from app.base.models import BaseVersion
from app.cases.models import Case, Person, new_id
from app.templating import render, templates

TEMPLATES = "base_assessment"


def _isodate(value: str | None) -> str:
    """Dates kept as ISO text inside the version document, shown like every other date."""
    if not value:
        return ""
    try:
        return date.fromisoformat(value).strftime("%-d %b %Y")
    except ValueError:
        return value


# Registered here because the version document's dates are text; used by this package's templates.
templates.env.filters["isodate"] = _isodate


def url(case: Case, stage: str | None = None) -> str:
    return f"/cases/{case.id}/base" + (f"/{stage}" if stage else "")


def version_for_change(session: Session, case: Case, version_id: str) -> BaseVersion:
    """The version a form changes, row-locked: every change rewrites the version's document, so
    two saves at once (outbox replay, co-worker) must queue rather than lose one (PostgreSQL;
    SQLite allows one writer anyway and refuses a write from a stale snapshot)."""
    version = (
        # populate_existing: a version this transaction read before the lock (a conflict's
        # settling reads the current version first) is read again, not kept as it was then.
        session.exec(
            select(BaseVersion)
            .where(BaseVersion.id == version_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if version_id
        else None
    )
    if version is None or version.case_id != case.id:
        raise HTTPException(status_code=404)
    return version


def case_people(session: Session, case: Case) -> list[Person]:
    return list(
        session.exec(
            select(Person).where(Person.case_id == case.id).order_by(Person.is_young_person.desc(), Person.name)
        ).all()
    )


def locked_page(request: Request, case: Case, version: BaseVersion) -> Response:
    return render(
        request, f"{TEMPLATES}/locked.html", {"case": case, "version": version, "new_id": new_id()}, status_code=409
    )
