"""The case page's parts, timeline and offline pages, gathered from the installed features.

Each feature declares them in its `feature.py` (app/features.py); this module only asks every
installed feature, in the order of app.main.FEATURES, so the cases package imports no feature.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.cases.models import Case
from app.features import ToDo, installed


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    kind: str  # filter key, e.g. "event", "contact", "assessment", "rating", "meeting"
    title: str  # short, plain words: "Home visit", "Moved to dormant"
    detail: str = ""
    url: str | None = None
    by: str = ""


class Timeline(list):
    """Timeline items, newest first, and how many of each kind a feature left out because it was
    asked for its `latest` only (older ones are read when "Show older items" asks for them)."""

    def __init__(self, items=(), left_out: dict[str, int] | None = None) -> None:
        super().__init__(items)
        self.left_out: dict[str, int] = dict(left_out or {})


@dataclass(frozen=True)
class Part:
    """One feature's section of the case page: its template reads `section` (the context) and `case`."""

    name: str
    template: str
    section: dict
    jump_label: str | None
    glance: str = ""  # words for the part's closed summary line (CaseSection.glance)


def case_sections(*, session: Session, case: Case, actor) -> list[Part]:
    """Every feature's section of the case page, in feature order."""
    parts = []
    for f in installed():
        if f.section is None:
            continue
        context = f.section.context(session=session, case=case, actor=actor)
        glance = f.section.glance(context, case) if f.section.glance is not None else ""
        parts.append(Part(f.name, f.section.template, context, f.section.jump_label, glance))
    return parts


def timeline_items(*, session: Session, case: Case, latest: int | None = None) -> Timeline:
    """Every feature's timeline items for `case`, newest first. With `latest`, a feature may
    return only its latest that many of a kind and say how many it left out (a Timeline): the
    newest `latest` items of the whole case are then still all there."""
    items: list[TimelineItem] = []
    left_out: dict[str, int] = {}
    for feature in installed():
        if feature.timeline is not None:
            found = feature.timeline(session=session, case=case, latest=latest)
            items.extend(found)
            for kind, n in getattr(found, "left_out", {}).items():
                left_out[kind] = left_out.get(kind, 0) + n
    return Timeline(sorted(items, key=lambda item: item.at, reverse=True), left_out)


def todo(*, session: Session, case: Case, actor) -> list[ToDo]:
    """Every feature's open tasks, flags and returned work for `case` (app/features.py ToDo)."""
    found: list[ToDo] = []
    for feature in installed():
        if feature.todo is not None:
            found.extend(feature.todo(session=session, case=case, actor=actor))
    return found


def offline_pages(*, session: Session, case: Case, actor) -> list[str]:
    """Every feature's pages to keep on the device for `case`, in feature order, without repeats."""
    pages: list[str] = []
    for feature in installed():
        if feature.offline_pages is not None:
            pages.extend(p for p in feature.offline_pages(session=session, case=case, actor=actor) if p not in pages)
    return pages
