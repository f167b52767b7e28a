"""The order routes are tried in (app/main.py): each route is reached by its own paths, and the
case page, the page opened most, is tried before the other features' routes (issue 21)."""

from __future__ import annotations

import re

from starlette.routing import Match


def _routes_in_order(app) -> list:
    """Every route with methods, in the order Starlette tries them: each included router's in turn,
    and the routers it includes where it includes them (a feature's routes split by screen)."""
    found = []

    def walk(routes) -> None:
        for entry in routes:
            router = getattr(entry, "original_router", None)
            if router is not None:
                walk(router.routes)
            elif getattr(entry, "methods", None):
                found.append(entry)

    walk(app.router.routes)
    return found


def _first_to_match(routes: list, method: str, path: str):
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    return next((route for route in routes if route.matches(scope)[0] == Match.FULL), None)


def test_every_route_is_reached_by_its_own_paths(app):
    """Trying the case page's feature first must not hand any other route's path to it; the only
    path a route leaves to another is a word its own feature serves first (/admin/users/new is the
    form, not a user called "new")."""
    routes = _routes_in_order(app)
    assert len(routes) > 200  # every route, nested routers too (224 in December 2026)
    for route in routes:
        for value in ("1", "2147483647", "abc"):
            path = re.sub(r"\{[^}]+\}", value, route.path)
            if route.matches({"type": "http", "method": "GET", "path": path, "root_path": ""})[0] == Match.NONE:
                continue  # a typed parameter ("{n:int}") that this value is not
            for method in route.methods:
                first = _first_to_match(routes, method, path)
                assert first is route, (method, path, route.path, first.path)


def test_the_case_page_is_among_the_first_routes_tried(app):
    routes = _routes_in_order(app)
    page = _first_to_match(routes, "GET", "/cases/1")
    assert page.path == "/cases/{case_id}" and page.endpoint.__name__ == "case_page"
    assert routes.index(page) < 10
