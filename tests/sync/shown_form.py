"""A page's form as offline.js sees it: the `shown` values it sends and the hidden fields."""

from __future__ import annotations

import json
from html.parser import HTMLParser


class _Fields(HTMLParser):
    """A form's fields as its page shows them: what offline.js sends as `shown`, and the hidden
    fields a post carries (as a browser would send the form untouched)."""

    def __init__(self, form_class: str) -> None:
        super().__init__()
        self._form_class = form_class
        self.shown: dict[str, str] = {}
        self.hidden: dict[str, str] = {}
        self._select: str | None = None
        self._area: str | None = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self._form_class in (a.get("class") or "").split():
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "hidden":
                self.hidden[name] = a.get("value") or ""
            elif kind == "checkbox":
                self.shown[name] = (a.get("value") or "on") if "checked" in a else self.shown.get(name, "")
            elif kind not in ("submit", "button"):
                self.shown[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if self._select not in self.shown or "selected" in a:
                self.shown[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._area = name
            self.shown[name] = ""

    def handle_data(self, data):
        if self._area:
            self.shown[self._area] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._area:
                self.shown[self._area] = self.shown[self._area].removeprefix("\n")
            self._area = None
        elif tag == "form":
            self._in_form = False


def kept_form(client, form_class: str, url: str) -> _Fields:
    """The form (by its class) of the page at `url`, as kept on the device."""
    parser = _Fields(form_class)
    parser.feed(client.get(url).text)
    return parser


def post_from(kept: _Fields, **changes) -> dict:
    """A post from the kept page with `changes` made on it, as offline.js sends it (with `shown`)."""
    return {**kept.hidden, **kept.shown, "shown": json.dumps(kept.shown), **changes}
