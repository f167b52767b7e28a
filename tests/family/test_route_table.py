"""Family mode is enforced by the server on the whole route table, not route by route.

Every route the app has (today's and every feature added later) is called in family mode, plain
and as htmx, and every write with a form body that would be valid for a worker: each answers 403
with the "hand the tablet back" page and stores nothing, except the family screens, the static
files and the pages anyone may see without logging in (the health check). No route under /cases/
is a family screen: the worker's forms name a rater, a person or a case in their fields.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import func, select
from starlette.routing import Mount

from app.diamond.models import DiamondGoal
from app.models import load_all_models
from tests.factories import login, make_case, make_user
from tests.family.factories import hand_over, live_session, with_pin, young_person

PARAM = re.compile(r"\{([a-zA-Z_]+)(?::[a-z]+)?\}")
# Parameters the walk can fill with real values (the case handed over, its young person, a goal).
KNOWN = re.compile(r"\{(case_id|person_id|goal_id|aim|perspective|house)(?::[a-z]+)?\}")
# The family's own screens: the /family pages, and the screens other features open to families
# on purpose (FamilyActor): three houses and the safety scale, and the BASE feedback questions
# (the older /cases/.../base/feedback/<perspective> form, and /family/<case>/<person>/feedback).
FAMILY_SCREENS = re.compile(
    # The family's screens name their case and who is rating (so they can be kept on the device):
    r"^/family/\{case_id(:int)?\}/(who|hand-back|\{person_id\}(/done|/diamond/\{aim\}|/goal/\{goal_id\}|/three-houses/\{house\}|/safety-scale|/feedback|/language)?)$"
    # the lock and its status, and the old addresses (family mode only: they lead to the above).
    r"|^/family(/(lock|status|who|hand-back|diamond/\{aim\}|goal/\{goal_id\}))?$"
    # Where the family's own saved rating led (the offline script asks after each online save).
    r"|^/sync/ops/\{op_id\}$"
)


def every_route(routes, prefix=""):
    """(path, methods) for every route, looking inside included routers (FastAPI >= 0.120 nests them)."""
    for route in routes:
        if hasattr(route, "original_router"):
            yield from every_route(route.original_router.routes, prefix + (route.include_context.prefix or ""))
        elif isinstance(route, Mount):
            yield prefix + route.path, None
        else:
            yield prefix + route.path, sorted(route.methods or [])


def concrete(path: str, case_id: int, goal_id: str = "1", person_id: str = "1") -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == "case_id":
            return str(case_id)
        if name == "goal_id":
            return goal_id
        if name == "person_id":
            return person_id
        if name == "aim":
            return "wellbeing"
        if name == "perspective":
            return "young_person"
        if name == "house":
            return "worries"
        if name.endswith("_id") or name == "id":
            return "1"
        return "x"

    return PARAM.sub(value, path)


# Logging and the session itself change as the walk goes; nothing else may.
CHANGING = {"audit_entry", "login_attempt", "user_session"}


def stored_rows(db) -> dict[str, int]:
    db.expire_all()
    return {
        t.name: db.execute(select(func.count()).select_from(t)).scalar_one()
        for t in load_all_models().metadata.sorted_tables
        if t.name not in CHANGING
    }


def worker_form(case, person, goal) -> dict[str, str]:
    """A body a worker's form could send: ids, a rater, a person, scores, words (the family's forgery)."""
    return {
        "id": str(uuid.uuid4()),
        "person": person.id,
        "person_id": person.id,
        "rater": f"person:{person.id}",
        "rater_name": "Kayla",
        "perspective": "young_person",
        "house": "worries",
        "text": "Words typed on a worker's form in family mode",
        "score": "7",
        "score-0": "7",
        "wellbeing": "7",
        "learning": "7",
        "relationships": "7",
        "empowerment": "7",
        "title": "A goal",
        "case_id": str(case.id),
        "goal_id": str(goal.id),
        "pin": "246813",
        "round": "1",
    }


def _is_login_wall(response) -> bool:
    return response.status_code == 401 or (
        response.status_code in (302, 303, 307) and "/login" in response.headers.get("location", "")
    )


def test_every_route_answers_403_in_family_mode_except_family_screens(app, client, db, settings):
    worker = with_pin(make_user(db), db)
    case = make_case(db, worker=worker)
    goal = DiamondGoal(case_id=case.id, title="Get to school on time", created_by_user_id=worker.id)
    db.add(goal)
    db.commit()
    routes = list(every_route(app.routes))
    assert len(routes) >= 15, "the walk should see every feature's routes"

    # Which routes need a login at all: asked before logging in.
    public = set()
    for path, methods in routes:
        for method in methods or []:
            if not FAMILY_SCREENS.match(path) and not _is_login_wall(
                client.request(method, concrete(path, case.id, goal.id))
            ):
                public.add((method, path))

    login(client, db, worker, settings)
    assert hand_over(client, case, young_person(db, case)).status_code == 303

    checked, writes, family_pages, wrong, whos = 0, 0, 0, [], []
    before = stored_rows(db)
    for path, methods in routes:
        if methods is None:
            continue
        url = concrete(path, case.id, goal.id, young_person(db, case).id)
        for method in methods:
            for headers in ({}, {"HX-Request": "true"}):
                if FAMILY_SCREENS.match(path):
                    # Posting here would rate or hand back; the family screens' own tests do that.
                    if method == "GET" and "_id}" not in KNOWN.sub("", path):
                        family_pages += 1
                        if path.endswith("/who"):  # ends the turn (tested in test_person_matrix): last
                            whos.append((url, headers))
                        elif (status := client.get(url, headers=headers).status_code) >= 400:
                            wrong.append((method, path, headers, status))
                    continue
                body = worker_form(case, young_person(db, case), goal) if method in ("POST", "PUT", "PATCH") else None
                response = client.request(method, url, headers=headers, data=body)
                if (method, path) in public and path != "/login":
                    continue
                checked += 1
                writes += body is not None
                if response.status_code != 403 or "hand the tablet back" not in response.text:
                    wrong.append((method, path, headers, response.status_code))
    for url, headers in whos:
        if (status := client.get(url, headers=headers).status_code) >= 400:
            wrong.append(("GET", url, headers, status))
    assert wrong == [], "\n".join(map(str, wrong))
    assert stored_rows(db) == before, "nothing may be stored by a refused request"
    assert checked >= 10 and writes >= 20
    assert family_pages >= 2 * 8, "the family's own screens should all have been opened"
    # Only the health check (and, once added, the offline shell) may be public; nothing with case data.
    assert all(not p.startswith("/cases") for _, p in public), public
    assert live_session(db, worker).family_case_id == case.id, "walking the routes must not end family mode"


def test_family_screens_reachable_and_static_files_served_in_family_mode(client, db, settings):
    worker = with_pin(make_user(db), db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    hand_over(client, case, young_person(db, case))
    home = f"/family/{case.id}/{young_person(db, case).id}"
    for path in (
        home,
        f"{home}/diamond/wellbeing",
        f"{home}/diamond/empowerment",
        f"{home}/done",
        f"/family/{case.id}/hand-back",
        f"/family/{case.id}/who",  # last: it ends the present turn
    ):
        assert client.get(path).status_code == 200, path
    for path in ("/family", "/family/who", "/family/hand-back"):
        assert client.get(path).status_code == 303, path
    assert client.get("/static/css/app.css").status_code == 200
    assert client.get("/static/js/family.js").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_family_mode_reaches_only_its_own_case(client, db, settings):
    worker = with_pin(make_user(db), db)
    case = make_case(db, worker=worker)
    other = make_case(db, worker=worker)
    login(client, db, worker, settings)
    hand_over(client, case, young_person(db, case))
    assert client.get(f"/cases/{other.id}").status_code == 403
    assert client.get(f"/cases/{other.id}/diamond").status_code == 403
    # The other case's family screens do not exist for this hand-over, nor can its people rate here.
    theirs = young_person(db, other)
    for path in (
        f"/family/{other.id}/who",
        f"/family/{other.id}/{theirs.id}",
        f"/family/{other.id}/{theirs.id}/diamond/wellbeing",
        f"/family/{case.id}/{theirs.id}",
    ):
        assert client.get(path).status_code == 404, path
    assert (
        client.post(
            f"/family/{other.id}/{theirs.id}/diamond/wellbeing",
            data={"id": "5b2a0f8e-7d0f-4a3e-9a55-1f6f0f0c2d11", "score": 3},
        ).status_code
        == 404
    )
