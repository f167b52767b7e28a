"""Every offline-capable form in the app follows the one offline form contract (docs/architecture.md).

A form becomes offline-capable by one declaration, `data-offline` on the form:
- `data-offline="true"`: it makes or adds something (a contact, a rating, a meeting), or does one
  thing to a record (withdraw a consent, finalise a letter). The item's operation id makes a
  replay answer as the first post did; a create form's hidden `id` gets a fresh UUID from
  offline.js, which the server keeps as the new record's id;
- `data-offline="edit"`: it changes a versioned record. It carries the version its page showed
  (`base_version`; for an item inside a BASE assessment, the item's revision), and offline.js adds
  `shown`, what the page showed, the base of the server's field-by-field merge. A form never
  writes "what the page showed" itself.
Both post to a route of the app, under the case (or its family screens) they belong to, where the
ledger applies each item once. The test reads the pages "Take offline" keeps for every case of
every demo worker, as the device would fetch them, and the templates themselves.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from fastapi.routing import APIRoute

from tests.demo_copy import demo_service
from tests.factories import login

TEMPLATES = Path(__file__).resolve().parent.parent / "app" / "templates"
VERSION_FIELDS = {"base_version"}
# No exceptions: every edit form merges through app.sync.merge_edit, and what its page showed is
# the mechanism's `shown`, never a form's own fields (the last older forms, BASE's and the meeting
# review's, moved onto it in the fifth session).


class Forms(HTMLParser):
    """The page's forms: their attributes and the names and types of their fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._open = {"attrs": attributes, "fields": {}}
            self.forms.append(self._open)
        elif tag in ("input", "select", "textarea", "button") and self._open is not None and attributes.get("name"):
            self._open["fields"].setdefault(attributes["name"], attributes.get("type", tag))

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def forms_of(page: str) -> list[dict]:
    parser = Forms()
    parser.feed(page)
    return parser.forms


@dataclass(frozen=True)
class Route:
    path: str
    endpoint: Callable

    def matches(self, path: str) -> bool:
        return re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", self.path), path) is not None


def post_routes(routes, prefix: str = "") -> list[Route]:
    """Every POST route of the app, through included routers (FastAPI keeps them nested)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute) and "POST" in route.methods:
            found.append(Route(prefix + route.path, route.endpoint))
        elif hasattr(route, "original_router"):
            found += post_routes(route.original_router.routes, prefix + route.original_router.prefix)
    return found


def route_for(routes: list[Route], action: str) -> Route | None:
    path = urlsplit(action).path
    return next((r for r in routes if r.matches(path)), None)


def merges(route: Route) -> bool:
    """Whether the route merges an edit field by field (the one conflict mechanism)."""
    return "merge_edit(" in inspect.getsource(route.endpoint)


def shape(url: str) -> str:
    """A URL with its ids blanked: one page of each shape is enough (the same template, other data)."""
    return re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+", "#", url)


def kept_pages(client, case_id: int) -> list[str]:
    """The case page, the pages its features list, and the case's pages the case page links to."""
    listed = client.get(f"/cases/{case_id}/offline-pages").json()["pages"]
    case_page = client.get(f"/cases/{case_id}").text
    linked = [u.replace("&amp;", "&") for u in re.findall(rf'href="(/cases/{case_id}/[^"#]*)"', case_page)]
    pages, shapes = [], set()
    for url in [f"/cases/{case_id}", *listed, *linked]:
        if shape(url) not in shapes and not re.search(r"\.(pdf|csv|zip|png)$|/print|/download", url):
            shapes.add(shape(url))
            pages.append(url)
    return pages


def test_every_offline_form_on_every_kept_page_of_the_demo_follows_the_contract(app, client, db, settings):
    demo = demo_service(session=db, settings=settings)
    db.commit()
    routes = post_routes(app.routes)
    problems, seen_targets = [], set()
    workers = [u for key, u in demo.users.items() if u.role == "worker"]
    assert workers
    for worker in workers:
        login(client, db, worker, settings)
        for case in [c for c in demo.cases.values() if c.key_worker_id == worker.id and c.status != "closed"]:
            for url in kept_pages(client, case.id):
                response = client.get(url)
                if response.status_code != 200 or "text/html" not in response.headers.get("content-type", ""):
                    continue
                for form in forms_of(response.text):
                    attrs, fields = form["attrs"], form["fields"]
                    if "data-offline" not in attrs:
                        continue
                    where = f"{url}: form to {attrs.get('action')}"
                    declared = attrs["data-offline"]
                    action = attrs.get("action") or url
                    route = route_for(routes, action)
                    if attrs.get("method", "get").lower() != "post" or route is None:
                        problems.append(f"{where} does not post to a route of the app")
                        continue
                    seen_targets.add((route.path, declared))
                    where = f"a form to {route.path} (data-offline={declared!r})"
                    if not re.match(rf"/(cases|family)/{case.id}(/|$)", urlsplit(action).path):
                        problems.append(f"{where} posts outside its case")
                    if declared not in ("true", "edit"):
                        problems.append(f"{where} declares data-offline={declared!r}")
                    if declared == "true" and fields.get("id") not in (None, "hidden"):
                        problems.append(f"{where} lets the worker type the new record's id (offline.js makes it)")
                    if declared == "true" and merges(route):
                        problems.append(f"{where} posts to an edit that merges but is not declared data-offline=edit")
                    if declared == "edit":
                        if not VERSION_FIELDS & {n for n, t in fields.items() if t == "hidden"}:
                            problems.append(f"{where} carries no version its page showed")
                        if not merges(route):
                            problems.append(f"{where} is an edit whose route does not merge (app.sync.merge_edit)")
                    if "shown" in fields:
                        problems.append(f"{where} writes `shown` itself (offline.js adds it)")
    assert "\n".join(sorted(set(problems))) == ""
    # Every route that merges an edit is reached by an "edit" form on a kept page.
    merging = {r.path for r in routes if merges(r)}
    assert merging <= {path for path, declared in seen_targets if declared == "edit"}


def test_every_offline_form_template_declares_it_on_a_post_form_with_what_its_kind_needs():
    problems, own_shown_fields = [], set()
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        # A page that can be kept and posted offline says what it showed through the mechanism;
        # the plan page (online only, one save of many items' statuses) posts each item's shown
        # status itself, since without the script `shown` would not be sent.
        if "data-offline=" in text and re.search(r'name="was[_-]', text):
            own_shown_fields.add(str(template.relative_to(TEMPLATES)))
        for match in re.finditer(r"<form\b([^>]*\bdata-offline=[^>]*)>(.*?)</form>", text, flags=re.S):
            tag, body = match.group(1), match.group(2)
            where = f"{template.relative_to(TEMPLATES)}:{text[: match.start()].count(chr(10)) + 1}"
            if 'method="post"' not in tag:
                problems.append(f"{where}: an offline form that does not post")
            if '"edit"' in tag and not any(f'name="{name}"' in body for name in VERSION_FIELDS):
                problems.append(f"{where}: an edit form with no version field")
            if 'name="shown"' in body:
                problems.append(f"{where}: writes `shown` itself")
    assert problems == []
    # What the page showed is the mechanism's (`shown`), never a form's own fields.
    assert own_shown_fields == set()


def test_the_checker_finds_a_form_that_breaks_the_contract():
    page = (
        '<form method="post" action="/cases/1/people/2" data-offline="edit"><input name="name"></form>'
        '<form method="post" action="/cases/1/contacts" data-offline="true"><input type="hidden" name="id"></form>'
    )
    edit, create = forms_of(page)
    assert edit["attrs"]["data-offline"] == "edit" and not VERSION_FIELDS & set(edit["fields"])
    assert create["fields"] == {"id": "hidden"}
