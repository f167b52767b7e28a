"""Factories for BASE tests: a worker's case with a family, and a form-filled BASE assessment."""

from __future__ import annotations

import json
import uuid
from html.parser import HTMLParser

from app.cases.models import Person
from tests.factories import make_case, make_user


def case_with_family(db, **overrides):
    worker = make_user(db, full_name="Sam Okafor", email=f"sam-{uuid.uuid4().hex[:6]}@example.org")
    case = make_case(db, worker=worker, young_person_name="Amira Hassan", **overrides)
    mother = Person(
        case_id=case.id, name="Samira Hassan", given_name="Samira", relationship="Mother", in_household=True
    )
    db.add(mother)
    db.flush()
    return worker, case, mother


def uid() -> str:
    return str(uuid.uuid4())


ENGAGEMENT = {
    "expectations": "Wants less arguing",
    "aspirations": "Go to college",
    "motivation": "4",
    "motivation_evidence": "Came to every session",
    "capacity": "3",
    "capacity_evidence": "",
    "involvement": "Wants to help write the plan",
}
RISK = {"hazard": "Going missing overnight", "likelihood": "3", "imminence": "3", "impact": "3"}


class _FormReader(HTMLParser):
    """One form of a page as offline.js sees it: hidden fields, and every other field's default."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside = action, False
        self.hidden: dict[str, str] = {}
        self.shown: dict[str, str] = {}
        self.choices: set[str] = set()
        self._open: str | None = None  # the select or textarea being read
        self._first = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action") == self.action
        elif not self.inside:
            return
        elif tag == "input" and a.get("name"):
            kind, name = a.get("type", "text"), a["name"]
            if kind == "hidden":
                self.hidden[name] = a.get("value", "")
            elif kind in ("checkbox", "radio"):
                self.choices.add(name)
                self.shown[name] = a.get("value", "on") if "checked" in a else self.shown.get(name, "")
            elif kind not in ("submit", "button"):
                self.shown[name] = a.get("value", "")
        elif tag in ("textarea", "select") and a.get("name"):
            self._open, self._first, self.shown[a["name"]] = a["name"], tag == "select", ""
        elif tag == "option" and self._open:
            if self._first or "selected" in a:
                self.shown[self._open] = a.get("value", "")
            self._first = False

    def handle_data(self, data):
        if self._open and not self._first and self._open not in self.choices and self._textarea:
            self.shown[self._open] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag in ("select", "textarea"):
            self._open = None

    @property
    def _textarea(self) -> bool:
        return self.lasttag == "textarea"


def edit_form(page: str, action: str) -> tuple[dict[str, str], dict[str, str]]:
    """What a page's edit form to `action` sends unchanged, with `shown` as offline.js adds it, and
    what it showed (so a test changes some fields and leaves the rest as the page showed them)."""
    reader = _FormReader(action)
    reader.feed(page)
    shown = {k: v.removeprefix("\n") for k, v in reader.shown.items()}
    assert shown, f"no form to {action}"
    sent = {k: v for k, v in shown.items() if k not in reader.choices or v}
    return {**reader.hidden, **sent, "shown": json.dumps(shown)}, shown


def hidden_fields(page: str, action: str) -> dict[str, str]:
    """The hidden fields of a page's form to `action` (the conflict page's settle form)."""
    reader = _FormReader(action)
    reader.feed(page)
    return reader.hidden
