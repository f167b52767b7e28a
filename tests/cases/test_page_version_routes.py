"""The cached case page after each kind of write a user makes through its real route (issue 21).

Each test opens the case page (so its body is cached), makes the write as a user would, and opens
the case page again: what the write changed must be there. tests/cases/test_page_version.py holds
the mechanism's own tests; this module covers the writes of BASE, the network, review, family mode,
outcomes, the case's living/education/missing records, the plan and the offline sync.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlmodel import select

from app.base.models import BaseVersion
from app.cases.models import Case
from app.cases.page_cache import pages
from app.review.models import Submission
from app.timeutil import today
from tests.base.factories import ENGAGEMENT, RISK
from tests.endings.factories import make_team_people
from tests.endings.test_pages import ending_form
from tests.factories import login, make_case, make_team, make_user, sealed_item
from tests.family.factories import PIN, hand_over, with_pin, young_person
from tests.network.factories import make_family_case, meeting_form


def _body(client, case) -> str:
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == 200
    body = response.text.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    # Rendered around the cached body (inside the markers the Outbox page's kept copy drops).
    body = re.sub(
        r'(?:<!--private-->)?<p class="flash[^"]*" role="(?:status|alert)">.*?</p>(?:<!--/private-->)?', "", body
    )
    return "\n".join(line for line in body.splitlines() if line.strip())


def _cached(client, case) -> str:
    """The case page's body, viewed twice: the second view came from the cache."""
    first = _body(client, case)
    hits = pages.hits
    assert _body(client, case) == first and pages.hits == hits + 1
    return first


def _section(body: str, marker: str) -> str:
    return body.split(marker, 1)[1].split("</section>", 1)[0]


@pytest.fixture
def family(client, db, settings):
    """A worker's case with a family (mother Donna, nan Pat, ...) and the worker signed in."""
    pages.clear()
    worker, case, people = make_family_case(db, status="active")
    db.commit()
    login(client, db, worker, settings)
    return worker, case, people


def _base(client, db, case) -> str:
    assert client.post(f"/cases/{case.id}/base", data={"id": str(uuid.uuid4())}).status_code == 303
    db.expire_all()
    return db.exec(select(BaseVersion.id).where(BaseVersion.case_id == case.id)).one()


def _version(db, case) -> int:
    db.commit()  # end this session's snapshot: see what the app committed
    return db.exec(select(Case.page_version).where(Case.id == case.id)).one()


def _rebuilt(client, db, case, version: int) -> str:
    """The next view after a write: the version moved, so the page was built afresh."""
    assert _version(db, case) > version
    misses = pages.misses
    body = _body(client, case)
    assert pages.misses == misses + 1
    return body


# ---------------------------------------------------------------- BASE item edits


def _base_with_items(client, db, case, people) -> tuple[str, dict[str, str]]:
    """A BASE version with an engagement entry for Donna, one risk and one plan step."""
    vid = _base(client, db, case)
    ids = {"engagement": str(uuid.uuid4()), "risk": str(uuid.uuid4()), "step": str(uuid.uuid4())}
    posts = [
        ("engagement", {"id": ids["engagement"], "person_id": people["Donna"].id, **ENGAGEMENT}),
        ("risk", {"id": ids["risk"], **RISK}),
        ("plan/steps", {"id": ids["step"], **STEP}),
    ]
    for stage, data in posts:
        assert client.post(f"/cases/{case.id}/base/{stage}", data={"version_id": vid, **data}).status_code == 303
    return vid, ids


STEP = {
    "what": "Start the college taster days",
    "who": "Kayla",
    "by_when": (today() + timedelta(days=20)).isoformat(),
    "outcome": "Back in education",
}


def test_an_edited_base_plan_step_shows_on_the_next_view(client, db, family):
    worker, case, people = family
    vid, ids = _base_with_items(client, db, case, people)
    before = _cached(client, case)
    assert "Start the college taster days: Kayla" in before
    version = _version(db, case)
    edit = {"version_id": vid, "base_version": "1", **STEP, "what": "Visit the college open evening"}
    assert client.post(f"/cases/{case.id}/base/plan/steps/{ids['step']}", data=edit).status_code == 303
    tasks = _rebuilt(client, db, case, version).split('class="base-tasks"', 1)[1].split("</ul>", 1)[0]
    assert "Visit the college open evening: Kayla" in tasks and "taster days" not in tasks


def test_a_base_step_marked_done_leaves_the_open_plan_tasks(client, db, family):
    worker, case, people = family
    vid, ids = _base_with_items(client, db, case, people)
    assert "Start the college taster days" in _cached(client, case)
    version = _version(db, case)
    edit = {"version_id": vid, "base_version": "1", **STEP, "done": "1"}
    assert client.post(f"/cases/{case.id}/base/plan/steps/{ids['step']}", data=edit).status_code == 303
    after = _rebuilt(client, db, case, version)
    assert "Start the college taster days" not in after


@pytest.mark.parametrize(
    ("stage", "change"),
    [("engagement", {"expectations": "Wants the shouting to stop"}), ("risk", {"likelihood": "2"})],
    ids=["engagement entry", "risk"],
)
def test_an_edited_base_engagement_or_risk_entry_rebuilds_the_page(client, db, family, stage, change):
    """The case page shows BASE's stage progress, not these entries' fields: the proof that an edit
    is never hidden behind the cache is that the next view is built afresh from the new version."""
    worker, case, people = family
    vid, ids = _base_with_items(client, db, case, people)
    _cached(client, case)
    version = _version(db, case)
    fields = {"person_id": people["Donna"].id, **ENGAGEMENT} if stage == "engagement" else dict(RISK)
    edit = {"version_id": vid, "base_version": "1", **fields, **change}
    assert client.post(f"/cases/{case.id}/base/{stage}/items/{ids[stage]}", data=edit).status_code == 303
    _rebuilt(client, db, case, version)
    db.expire_all()
    content = db.exec(select(BaseVersion.content).where(BaseVersion.id == vid)).one()
    saved = content["engagement"][0] if stage == "engagement" else content["risks"][0]
    key, value = next(iter(change.items()))
    assert str(saved[key]) == value


def test_the_overall_risk_judgement_shows_on_the_next_view(client, db, family):
    worker, case, people = family
    vid, _ = _base_with_items(client, db, case, people)
    assert "overall risk" not in _cached(client, case)
    version = _version(db, case)
    judgement = {
        "version_id": vid,
        "base_version": "0",
        "level": "high",
        "rationale": "Missing overnight twice this month",
    }
    assert client.post(f"/cases/{case.id}/base/risk/judgement", data=judgement).status_code == 303
    assert "overall risk high" in _rebuilt(client, db, case, version)


# ---------------------------------------------------------------- the network and the plan


def _meeting(people) -> dict:
    return meeting_form(
        people,
        held_on=(today() - timedelta(days=2)).isoformat(),
        next_meeting_on=(today() + timedelta(days=30)).isoformat(),
        **{f"task-{n}-due": (today() + timedelta(days=7 + n)).isoformat() for n in range(4)},
    )


def test_a_network_meeting_shows_with_its_tasks_on_the_next_view(client, db, family):
    worker, case, people = family
    before = _cached(client, case)
    assert "No network meetings yet." in before
    version = _version(db, case)
    data = _meeting(people)
    assert client.post(f"/cases/{case.id}/network/meetings", data=data).status_code == 303
    after = _rebuilt(client, db, case, version)
    assert "No network meetings yet." not in after and "Last meeting:" in after
    needs = _section(after, 'id="needs-doing"')
    assert data["task-0-what"] in needs  # due within the week: under Needs doing at the top


def test_a_status_changed_on_the_plan_page_shows_on_the_next_view(client, db, family):
    worker, case, people = family
    data = _meeting(people)
    assert client.post(f"/cases/{case.id}/network/meetings", data=data).status_code == 303
    before = _cached(client, case)
    version = _version(db, case)
    plan = {f"status-network:{data['task-0-id']}": "partly"}
    assert client.post(f"/cases/{case.id}/plan", data=plan).status_code == 303
    after = _rebuilt(client, db, case, version)
    assert after.count('<span class="task-status">Partly done</span>') == 1
    assert before.count('<span class="task-status">Partly done</span>') == 0


# ---------------------------------------------------------------- where they live, education, missing


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("living", {"living": "sofa_surfing", "with_whom": "A friend", "since": (today() - timedelta(days=5))}),
        ("education", {"education": "excluded", "education_since": (today() - timedelta(days=3))}),
        ("missing", {"went_missing_on": (today() - timedelta(days=1))}),
    ],
    ids=["where they live", "education", "missing episode"],
)
def test_a_living_education_or_missing_record_rebuilds_the_page(client, db, family, path, data):
    """The case page links to these (the outcome records read them) but does not show them: the
    next view is built afresh, so what it links to and counts is never an hour old."""
    worker, case, people = family
    _cached(client, case)
    version = _version(db, case)
    form = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}
    assert client.post(f"/cases/{case.id}/{path}", data=form).status_code == 303
    _rebuilt(client, db, case, version)


# ---------------------------------------------------------------- outcomes


def test_an_outcome_record_shows_on_the_next_view(client, db, family):
    worker, case, people = family
    before = _section(_cached(client, case), 'id="outcomes"')
    assert "No outcome record yet." in before
    version = _version(db, case)
    record = {"point": "review", "taken_on": today().isoformat(), "living": "with_parents", "education": "full_time"}
    assert client.post(f"/cases/{case.id}/outcomes", data=record).status_code == 303
    after = _section(_rebuilt(client, db, case, version), 'id="outcomes"')
    assert "No outcome record yet." not in after
    row = after.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "Review" in row and "Full-time" in row


# ---------------------------------------------------------------- offline sync


def test_a_sealed_offline_contact_replayed_shows_once_on_the_next_view(client, db, family, settings):
    worker, case, people = family
    before = _cached(client, case)
    assert "No contacts recorded yet." in before
    version = _version(db, case)
    fields = [
        ["kind", "visit"],
        ["place", "home"],
        ["occurred_on", today().isoformat()],
        ["note", "Home visit written on the bus without a signal."],
    ]
    item = sealed_item(settings.secret_key, worker, f"/cases/{case.id}/contacts", fields)
    for _ in range(2):  # sent, answer lost, sent again: applied once
        sent = client.post("/sync/sealed", json=item, headers={"Accept": "application/json"})
        assert sent.status_code == 303
    after = _rebuilt(client, db, case, version)
    assert "No contacts recorded yet." not in after
    assert after.count("Home visit written on the bus without a signal.") == 1


# ---------------------------------------------------------------- a supervisor's decision


@pytest.mark.parametrize("decision", ["return", "approve"])
def test_a_supervisors_decision_on_an_ending_shows_on_the_workers_next_view(client, db, settings, decision):
    pages.clear()
    people = make_team_people(db)
    worker, case, _ = make_family_case(db, worker=people.worker, status="active")
    db.commit()
    login(client, db, worker, settings)
    assert client.post(f"/cases/{case.id}/end", data=ending_form(case)).status_code == 303
    before = _cached(client, case)
    assert "Ending awaiting approval" in _section(before, 'id="needs-doing"')
    submission = db.exec(select(Submission).where(Submission.kind == "ending")).one()
    version = _version(db, case)

    login(client, db, people.supervisor, settings)
    reason = "Say who the family can ring out of hours."
    answer = client.post(f"/review/{submission.id}/{decision}", data={"rationale": reason})
    assert answer.status_code == 303
    login(client, db, worker, settings)
    after = _rebuilt(client, db, case, version)
    needs = _section(after, 'id="needs-doing"')
    assert "Ending awaiting approval" not in after
    if decision == "return":  # returned work is what the worker must do next
        assert "Ending returned by the supervisor" in after and reason in after
        assert "returned" in needs.lower()
    else:
        assert "Active work ended" in after


# ---------------------------------------------------------------- family mode


def test_a_family_members_diamond_answer_shows_on_the_workers_next_view(client, db, settings):
    pages.clear()
    worker = with_pin(make_user(db, full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, status="active", young_person_name="Kayla Morgan")
    db.commit()
    login(client, db, worker, settings)
    before = _cached(client, case)
    version = _version(db, case)
    kayla = young_person(db, case)
    assert hand_over(client, case, kayla).status_code == 303
    answer = {"id": str(uuid.uuid4()), "score": "3", "positive_experiences": "Football on Saturdays"}
    assert client.post(f"/family/{case.id}/{kayla.id}/diamond/wellbeing", data=answer).status_code == 303
    assert client.post(f"/family/{case.id}/hand-back", data={"pin": PIN}).status_code == 303
    after = _rebuilt(client, db, case, version)
    assert "Diamond rated by Kayla Morgan" in after and "Diamond rated by" not in before
    table = after.split('id="case-diamond-table"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"<th scope=\"row\">Kayla \(young person\)</th><td>[^<]+</td><td>3</td>", table)


# ---------------------------------------------------------------- who the cached page is for


@pytest.fixture
def team_case(db):
    pages.clear()
    team = make_team(db)
    sam = make_user(db, team=team, full_name="Sam Okafor")
    lena = make_user(db, team=team, full_name="Lena Novak")
    supervisor = make_user(db, role="supervisor", team=team, full_name="Sue Supervisor")
    manager = make_user(db, role="manager", team=None, full_name="Max Manager")
    worker, case, _ = make_family_case(db, worker=sam, status="active")
    db.commit()
    return SimpleNamespace(sam=sam, lena=lena, supervisor=supervisor, manager=manager, case=case)


def test_a_worker_a_supervisor_and_a_manager_each_get_their_own_cached_page(client, db, settings, team_case):
    t = team_case
    pages.clear()
    login(client, db, t.sam, settings)
    workers = _cached(client, t.case)
    assert "Reallocate" not in workers and "/people/" in workers  # the worker may edit the people
    login(client, db, t.supervisor, settings)
    misses = pages.misses
    supervisors = _body(client, t.case)
    assert pages.misses == misses + 1  # not the worker's page
    assert f'href="/cases/{t.case.id}/reallocate">Reallocate</a>' in supervisors
    assert _cached(client, t.case) == supervisors
    login(client, db, t.manager, settings)
    misses = pages.misses
    managers = _body(client, t.case)
    assert pages.misses == misses + 1
    assert "Reallocate" not in managers and f"/cases/{t.case.id}/people/" not in managers  # managers read
    login(client, db, t.sam, settings)
    hits = pages.hits
    assert _body(client, t.case) == workers and pages.hits == hits + 1  # the worker's own, still cached


def test_a_reallocated_case_is_not_served_from_the_old_workers_cache(client, db, settings, team_case):
    t = team_case
    login(client, db, t.sam, settings)
    assert "Sam Okafor" in _cached(client, t.case)
    login(client, db, t.supervisor, settings)
    data = {"key_worker": str(t.lena.id), "co_worker": "", "reason": "Sam starts parental leave"}
    assert client.post(f"/cases/{t.case.id}/reallocate", data=data).status_code == 303
    login(client, db, t.sam, settings)
    hits = pages.hits
    assert client.get(f"/cases/{t.case.id}").status_code == 404
    assert pages.hits == hits  # refused before the cache was asked
    login(client, db, t.lena, settings)
    key_worker = _body(client, t.case).split("Key worker", 1)[1].split("</dd>", 1)[0]
    assert "Lena Novak" in key_worker and "Sam" not in key_worker


def test_permission_is_checked_before_the_cache_even_if_the_version_did_not_move(client, db, settings, team_case):
    """The order of the checks, on its own: the case's worker is changed behind the app's back (a
    plain SQL statement the page-version hook does not see), so the old worker's cache key would
    still match. The old worker is refused all the same, and the cache is never asked."""
    t = team_case
    login(client, db, t.sam, settings)
    _cached(client, t.case)
    version = _version(db, t.case)
    db.connection().execute(
        text('UPDATE "case" SET key_worker_id = :lena WHERE id = :id'), {"lena": t.lena.id, "id": t.case.id}
    )
    db.commit()
    assert _version(db, t.case) == version
    hits = pages.hits
    assert client.get(f"/cases/{t.case.id}").status_code == 404
    assert pages.hits == hits
