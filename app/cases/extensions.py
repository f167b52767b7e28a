"""How feature packages add to the case page and its timeline without editing the cases package.

A feature may provide, in its own package:
- `case_section.py` with `context(*, session, case, actor) -> dict` and a template
  `templates/<feature>/_case_section.html` that reads `section` (that dict) and `case`;
- `timeline.py` with `items(*, session, case) -> list[TimelineItem]`;
- `offline.py` with `pages(*, session, case, actor) -> list[str]`: the pages "Take offline" keeps
  on the device for this case (app/sync/routes.py), beyond what the case page links to.
Both are called once per case page, in the order of app.main.FEATURES; each must use a constant
number of queries (aggregate in SQL) so the case page stays fast as data grows.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType

from sqlmodel import Session

from app.cases.models import Case


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    kind: str  # filter key, e.g. "event", "contact", "assessment", "rating", "meeting"
    title: str  # short, plain words: "Home visit", "Moved to dormant"
    detail: str = ""
    url: str | None = None
    by: str = ""


_cache: dict[str, ModuleType | None] = {}


def _feature_module(feature: str, name: str) -> ModuleType | None:
    key = f"app.{feature}.{name}"
    if key not in _cache:
        try:
            _cache[key] = importlib.import_module(key)
        except ModuleNotFoundError as exc:
            if exc.name not in (f"app.{feature}", key):
                raise
            _cache[key] = None
    return _cache[key]


def case_sections(*, session: Session, case: Case, actor) -> list[tuple[str, dict]]:
    """(template, context) for every feature's section on the case page."""
    from app.main import FEATURES

    sections = []
    for feature in FEATURES:
        module = _feature_module(feature, "case_section")
        if module is not None:
            sections.append((f"{feature}/_case_section.html", module.context(session=session, case=case, actor=actor)))
    return sections


def timeline_items(*, session: Session, case: Case) -> list[TimelineItem]:
    """Every feature's timeline items for `case`, newest first."""
    from app.main import FEATURES

    items: list[TimelineItem] = []
    for feature in FEATURES:
        module = _feature_module(feature, "timeline")
        if module is not None:
            items.extend(module.items(session=session, case=case))
    return sorted(items, key=lambda item: item.at, reverse=True)


def offline_pages(*, session: Session, case: Case, actor) -> list[str]:
    """Every feature's pages to keep on the device for `case`, in feature order, without repeats."""
    from app.main import FEATURES

    pages: list[str] = []
    for feature in FEATURES:
        module = _feature_module(feature, "offline")
        if module is not None:
            pages.extend(p for p in module.pages(session=session, case=case, actor=actor) if p not in pages)
    return pages
