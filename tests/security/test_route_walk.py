"""Every route, as every role, with generated query strings and form bodies: never a 5xx.

Hypothesis picks a route from the app's own route table (so a new route is walked without being
listed), a role, path values (the demo's own case ids and people as well as junk), a query string
and a form body (some fields repeated, some numbers huge, some dates absurd). The default budget
keeps `make test` quick; HOMEWARD_WALK_EXAMPLES=5000 walks deeper.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote, urlencode

from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlmodel import select

from app.cases.models import Person
from app.security.sessions import COOKIE_NAME, start_session
from tests.demo_copy import demo_service

EXAMPLES = int(os.environ.get("HOMEWARD_WALK_EXAMPLES", "250"))
TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"
# The names the app's own forms use, so generated bodies reach past "this is needed".
FIELD_NAMES = sorted(
    {name for page in TEMPLATES.rglob("*.html") for name in re.findall(r'name="([a-z_][a-z0-9_-]*)"', page.read_text())}
)
ROLES = ["worker", "worker2", "supervisor", "manager", "admin", None]

awkward_text = st.one_of(
    st.sampled_from(["", "0", "-1", "²", "9" * 25, "2147483648", "9999-12-31", "0001-01-01", "abc", "on", "null"]),
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates().map(str),
)


def api_routes(routes, prefix=""):
    """(path, methods) of every route, through included routers (FastAPI keeps them nested)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route.methods
        elif hasattr(route, "original_router"):
            yield from api_routes(route.original_router.routes, prefix + route.original_router.prefix)


def test_no_route_answers_5xx_to_any_role_or_input(app, client, db, settings):
    demo = demo_service(session=db, settings=settings)
    db.commit()
    cookies = {
        key: start_session(session=db, user=user, settings=settings, user_agent="pytest")
        for key, user in demo.users.items()
        if key in ROLES
    }
    db.commit()
    case_ids = [str(case.id) for case in demo.cases.values()]
    person_ids = [person.id for person in db.exec(select(Person)).all()]
    routes = [
        (method, path)
        for path, methods in api_routes(app.routes)
        for method in sorted(methods)
        if method in ("GET", "POST")
    ]
    assert len(routes) > 100

    def path_value(name: str):
        if name == "case_id":
            return st.one_of(st.sampled_from(case_ids), awkward_text)
        if name == "person_id":
            return st.one_of(st.sampled_from(person_ids), awkward_text)
        return awkward_text

    @st.composite
    def requests(draw):
        method, template = draw(st.sampled_from(routes))
        path = template
        for name in re.findall(r"{([a-z_]+)(?::[a-z]+)?}", template):
            value = draw(path_value(name))
            if ":int}" in path and not value.lstrip("-").isdigit():
                value = draw(st.sampled_from(case_ids))
            path = re.sub("{" + name + r"(?::[a-z]+)?}", quote(value, safe="") or "x", path, count=1)
        names = st.sampled_from([*FIELD_NAMES, "worker", "team", "start", "end", "version", "round", "next"])
        query = draw(st.lists(st.tuples(names, awkward_text), max_size=3))
        body = draw(st.lists(st.tuples(names, awkward_text), max_size=8))
        return method, path, query, body, draw(st.sampled_from(ROLES))

    @seed(20)
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(requests())
    def walk(request):
        method, path, query, body, role = request
        client.cookies.clear()
        if role:
            client.cookies.set(COOKIE_NAME, cookies[role])
        url = path + (f"?{urlencode(query)}" if query else "")
        if method == "GET":
            response = client.get(url)
        else:
            headers = {"content-type": "application/x-www-form-urlencoded"}
            response = client.post(url, content=urlencode(body), headers=headers)
        assert response.status_code < 500, (method, url, body, role, response.status_code)

    walk()
