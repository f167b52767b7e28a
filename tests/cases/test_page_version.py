"""The cached case page never goes stale: every write to what it shows moves case.page_version
(app/page_versions.py), and the next view shows the change (app/cases/page_cache.py)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from markupsafe import escape
from sqlalchemy import delete
from sqlmodel import select

from app.accounts.service import disable_user
from app.cases.flags import FLAGS
from app.cases.models import Case, Consent, Contact
from app.cases.page_cache import key, pages
from app.diamond.models import DiamondRating
from app.endings.scheduled import tick
from app.models import load_all_models
from app.page_versions import case_route
from app.signs_of_safety.models import MapItem
from app.timeutil import LOCAL, today, utcnow
from tests.cases.factories import actor_for, make_person, make_screened, young_person
from tests.diamond.factories import four, rate
from tests.endings.factories import active_case, make_dormant
from tests.factories import login, make_case, make_team, make_user
from tests.querycount import count_queries
from tests.signs_of_safety.factories import add_item

# Tables the case page never reads for one case, each with the reason. A new table must either
# lead to a case (a case_id column, or keys to a table with one) or be added here with its reason.
NOT_CASE_DATA = {
    "login_attempt": "sign-in throttling, per account and address",
    "team": "team names; the case page shows none",
    "flag_week": "team oversight's weekly flag counts, per team",
    "case_flag": "the tick's hourly snapshot of open cases' flags, for the manager's lists only",
    "user": "staff accounts; a change to a name moves every case (User.__shown_on_every_case_page__), "
    "to whether they are still there the cases they hold (User.__shown_on_the_pages_of_its_cases__)",
    "caseload_weight": "the service's weights of kinds of work, for caseload figures",
    "competency_rating": "a worker's competencies, not a case's",
    "family_language": "which languages family screens offer, service-wide",
    "notification": "a user's own notifications, not on the case page",
    "recovery_code": "sign-in second factor",
    "second_factor": "sign-in second factor",
    "sync_device_item": "the offline ledger; the change each operation made moves its case itself",
    "sync_device_seen": "which browsers a worker has reported their waiting items from; on no case's page",
    "sync_operation": "the offline ledger; the change each operation made moves its case itself",
    "user_session": "sign-in sessions; a case page in family mode is never cached",
}


def test_every_table_holding_case_data_leads_to_a_case():
    metadata = load_all_models().metadata
    unrouted = {t.name for t in metadata.sorted_tables if case_route(t) is None}
    assert unrouted == set(NOT_CASE_DATA), "route these tables to a case, or say in NOT_CASE_DATA why not"


def _version(db, case) -> int:
    db.commit()  # end this session's snapshot: see what the app committed
    return db.exec(select(Case.page_version).where(Case.id == case.id)).one()


def _body(client, case) -> str:
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == 200
    return response.text.split('<main id="main"', 1)[1].split("</main>", 1)[0]


@pytest.fixture
def viewed(client, db, settings):
    """A worker's active case, viewed twice so its page is in the cache."""
    pages.clear()
    worker = make_user(db, full_name="Sam Okafor")
    # Met already: within the hour, nothing but the version can refresh the page.
    case = make_case(
        db,
        worker=worker,
        status="active",
        young_person_name="Kayla Morgan",
        first_contact_at=utcnow() - timedelta(days=3),
    )
    make_screened(db, case, worker)
    db.commit()
    login(client, db, worker, settings)
    first = _body(client, case)
    hits = pages.hits
    assert _body(client, case) == first and pages.hits == hits + 1  # served from the cache
    return worker, case, first


def test_a_repeat_view_is_served_from_the_cache_and_still_audited(client, db, viewed):
    from app.audit.models import AuditEntry

    worker, case, _ = viewed
    reads = db.exec(select(AuditEntry).where(AuditEntry.case_id == case.id, AuditEntry.action == "read")).all()
    assert len(reads) == 2 and {r.user_id for r in reads} == {worker.id}
    assert _version(db, case) == _version(db, case)  # reading moved nothing


def test_a_repeat_view_reads_who_is_asking_and_the_case_in_one_statement(client, db, engine, viewed):
    # The session lookup brings the case along (app/security/sessions.py `along`), so a repeat
    # view is that read and its audit entry: two statements, one round trip fewer (issue 21).
    worker, case, first = viewed
    with count_queries(engine) as statements:
        assert _body(client, case) == first
    reading_the_case = [s for s in statements if '"case"' in s]
    assert len(reading_the_case) == 1 and "FROM user_session" in reading_the_case[0], statements
    assert statements[-1].lstrip().upper().startswith("INSERT INTO AUDIT_ENTRY")
    # On SQLite the audit lane's end is read on its own (one lane for every connection), after
    # taking the write lock so no other request links to the same end.
    assert len(statements) == (2 if engine.dialect.name == "postgresql" else 4), statements


def test_a_case_loaded_along_is_still_refused_to_a_worker_it_is_not_for(client, db, settings, viewed):
    # The case comes in with the session lookup whoever asks: get_case still decides, a 404.
    worker, case, _ = viewed
    other = make_user(db, full_name="Ade Bello")
    db.commit()
    login(client, db, other, settings)
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert client.get("/cases/2147483647").status_code == 404  # no such case: the lookup finds the session alone


def test_a_contact_recorded_through_the_form_shows_on_the_next_view(client, db, viewed):
    worker, case, before = viewed
    version = _version(db, case)
    data = {
        "kind": "visit",
        "place": "home",
        "outcome": "attended",
        "occurred_on": today().isoformat(),
        "start_time": "00:00",
        "duration_minutes": "75",
        "present": [young_person(db, case).id],
        "young_person_seen": "1",
        "note": "Talked about the new school bus",
    }
    assert client.post(f"/cases/{case.id}/contacts", data=data).status_code == 303
    assert _version(db, case) > version
    after = _body(client, case)
    assert "Talked about the new school bus" in after and "new school bus" not in before


def test_a_replayed_offline_contact_shows_once_on_the_next_view(client, db, viewed):
    worker, case, before = viewed
    data = {
        "kind": "phone",
        "outcome": "attended",
        "occurred_on": today().isoformat(),
        "duration_minutes": "10",
        "note": "Rang from the car park",
    }
    op = "11111111-2222-4333-8444-555555555555"
    for _ in range(2):  # sent, answer lost, sent again: applied once
        assert client.post(f"/cases/{case.id}/contacts", data=data, headers={"Idempotency-Key": op}).status_code == 303
    after = _body(client, case)
    assert after.count("Rang from the car park") == 1 and "car park" not in before


def test_consent_recorded_through_the_form_shows_on_the_next_view(client, db, viewed):
    worker, case, before = viewed
    mother = make_person(db, case, name="Donna Morgan")
    db.commit()
    assert "Donna Morgan" in _body(client, case)  # a new person moved the version too
    data = {
        "person_id": mother.id,
        "purpose": "sharing",
        "how_given": "written",
        "given_on": today().isoformat(),
        "agency": "GP",
    }
    version = _version(db, case)
    assert client.post(f"/cases/{case.id}/consent", data=data).status_code == 303
    assert _version(db, case) > version
    grid = _body(client, case).split('id="consent"', 1)[1].split("</table>", 1)[0]
    assert grid.count("✓ Given") == before.split('id="consent"', 1)[1].split("</table>", 1)[0].count("✓ Given") + 1


def test_a_reallocation_shows_the_new_key_worker(client, db, settings):
    pages.clear()
    team = make_team(db)
    sam = make_user(db, team=team, full_name="Sam Okafor")
    lena = make_user(db, team=team, full_name="Lena Novak")
    supervisor = make_user(db, role="supervisor", team=team, full_name="Sue Supervisor")
    case = make_case(db, worker=sam, status="active")
    db.commit()
    login(client, db, supervisor, settings)
    assert "Lena Novak" not in _body(client, case)
    data = {"key_worker": str(lena.id), "co_worker": "", "reason": "Sam starts parental leave"}
    assert client.post(f"/cases/{case.id}/reallocate", data=data).status_code == 303
    assert "Lena Novak" in _body(client, case).split("Key worker", 1)[1].split("</dd>", 1)[0]


def _write_rating(db, case, worker):
    rate(db, case=case, by_user=worker, scores=four(2, 3, 4, 5), on=today())


def _write_signs_of_safety(db, case, worker):
    add_item(db, case=case, by=worker, text="Nan collects Kayla on Fridays.")


def _write_ending(db, case, worker):
    make_dormant(db, case, worker)


def _write_contact_edit(db, case, worker):
    contact = Contact(case_id=case.id, kind="phone", occurred_on=today(), by_user_id=worker.id, duration_minutes=5)
    db.add(contact)
    db.commit()
    contact.note = "Edited afterwards"
    db.add(contact)


def _write_deleted_consent(db, case, worker):
    person = young_person(db, case)
    consent = db.exec(select(Consent).where(Consent.case_id == case.id)).first()
    assert consent is not None and person is not None
    db.delete(consent)


WRITES = {
    "Diamond rating": _write_rating,
    "Signs of Safety map item": _write_signs_of_safety,
    "ending to dormant (and its review)": _write_ending,
    "an edited contact": _write_contact_edit,
    "a deleted consent": _write_deleted_consent,
}


@pytest.mark.parametrize("write", list(WRITES.values()), ids=list(WRITES))
def test_each_feature_write_moves_the_version_and_changes_the_next_page(client, db, settings, write):
    pages.clear()
    worker = make_user(db, full_name="Sam Okafor")
    case = active_case(db, worker)
    make_screened(db, case, worker)
    db.commit()
    login(client, db, worker, settings)
    before = _body(client, case)
    version = _version(db, case)
    write(db, case, worker)
    db.commit()
    assert _version(db, case) > version
    assert _body(client, case) != before


def test_the_scheduled_tick_moves_the_versions_of_the_cases_it_prompts(db):
    worker = make_user(db)
    case = active_case(db, worker)
    make_dormant(db, case, worker)
    db.commit()
    version = _version(db, case)
    assert tick(session=db, now=utcnow() + timedelta(days=95)).raised >= 1
    db.commit()
    assert _version(db, case) > version


def test_a_bulk_delete_moves_the_case_of_rows_that_lead_to_it_only_through_a_key(db):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    other = make_case(db, worker=worker)
    item = add_item(db, case=case, by=worker, text="Nan collects Kayla on Fridays.")
    db.commit()
    version, untouched = _version(db, case), _version(db, other)
    # sos_map_item has no case_id: it leads to its case through its map version.
    db.exec(delete(MapItem).where(MapItem.map_version_id == item.map_version_id))
    db.commit()
    assert _version(db, case) == version + 1 and _version(db, other) == untouched
    assert db.exec(select(MapItem).where(MapItem.map_version_id == item.map_version_id)).first() is None


def test_a_bulk_update_moves_exactly_the_cases_it_touches(db):
    from sqlalchemy import update

    worker = make_user(db)
    case = make_case(db, worker=worker)
    other = make_case(db, worker=worker)
    rate(db, case=case, by_user=worker, scores={"learning": 3}, on=today())
    db.commit()
    version, untouched = _version(db, case), _version(db, other)
    db.exec(update(DiamondRating).where(DiamondRating.case_id == case.id).values(score=4))
    db.commit()
    assert _version(db, case) == version + 1 and _version(db, other) == untouched


def test_statements_are_the_same_for_a_small_and_a_large_case_on_first_and_cached_views(client, db, settings, engine):
    pages.clear()
    worker = make_user(db)
    small, large = (active_case(db, worker, first_contact_at=utcnow()) for _ in range(2))
    for case in (small, large):
        make_screened(db, case, worker)
    for case, size in ((small, 1), (large, 15)):  # one of each, or fifteen
        for n in range(size):
            make_person(db, case, name=f"Relative {n}")
            db.add(
                Contact(case_id=case.id, kind="phone", occurred_on=today() - timedelta(days=n), by_user_id=worker.id)
            )
            rate(db, case=case, by_user=worker, scores=four(2, 3, 4, 5), on=today() - timedelta(days=n))
    db.commit()
    login(client, db, worker, settings)
    counted = {}
    for name, case in (("small", small), ("large", large)):
        for view in ("first", "cached"):
            with count_queries(engine) as statements:
                assert client.get(f"/cases/{case.id}").status_code == 200
            counted[name, view] = len(statements)
    assert counted["small", "first"] == counted["large", "first"]
    assert counted["small", "cached"] == counted["large", "cached"]
    # A cached view: the session, the case, and the read's audit entry; nothing per section.
    assert counted["small", "cached"] <= 6 < counted["small", "first"], counted


def test_a_cached_page_is_rebuilt_the_minute_the_first_contact_target_passes(db, settings):
    worker = make_user(db)
    opened = datetime.combine(today() - timedelta(days=3), time(10, 30), tzinfo=LOCAL)
    case = make_case(db, worker=worker, status="referred", referral_date=None, opened_at=opened)
    deadline = opened + timedelta(hours=settings.first_contact_target_hours)
    assert deadline.minute == 30  # so the minutes either side of it are in the same hour

    def at(minutes: int) -> tuple:
        return key(case=case, actor=actor_for(worker), settings=settings, now=deadline + timedelta(minutes=minutes))

    assert at(-20) == at(-1)  # the same page within the hour...
    assert at(-1) != at(1)  # ...until the "no first contact" flag is raised


def _header_and_body(response) -> str:
    return response.text.split("<footer", 1)[0]


def test_a_repeat_view_is_sent_as_the_whole_page_kept_gzipped_and_reads_as_one_rendered_now(client, db, viewed):
    # The kept whole page (app/cases/page_cache.py CachedPage.sent) is what rendering it gives.
    worker, case, _ = viewed
    kept = client.get(f"/cases/{case.id}")
    again = client.get(f"/cases/{case.id}")
    rendered = client.get(f"/cases/{case.id}", headers={"Accept-Encoding": "identity"})
    assert kept.headers["content-encoding"] == "gzip" and "Accept-Encoding" in kept.headers["vary"]
    assert "content-encoding" not in rendered.headers
    assert kept.text == again.text == rendered.text
    assert "Sam Okafor" in kept.text and "Kayla Morgan" in kept.text
    assert kept.headers["content-type"].startswith("text/html")


def test_a_flash_message_waiting_is_shown_once_around_a_kept_page(client, db, settings, viewed):
    from app.flashcookie import FLASH_COOKIE, _Sealer

    worker, case, _ = viewed
    assert client.get(f"/cases/{case.id}").headers["content-encoding"] == "gzip"  # the whole page kept
    client.cookies.set(FLASH_COOKIE, _Sealer(settings.secret_key).dumps([["success", "Safety plan shared."]]))
    shown = client.get(f"/cases/{case.id}")
    assert "Safety plan shared." in shown.text
    assert f"{FLASH_COOKIE}=" in shown.headers["set-cookie"] and "Max-Age=0" in shown.headers["set-cookie"]
    client.cookies.delete(FLASH_COOKIE)  # as the browser does on that answer
    after = client.get(f"/cases/{case.id}")
    assert "Safety plan shared." not in after.text and after.headers["content-encoding"] == "gzip"


def test_a_worker_renamed_shows_by_the_new_name_at_once_on_every_kept_case_page(client, db, viewed):
    worker, case, first = viewed
    assert "<dt>Key worker</dt><dd>Sam Okafor" in first
    elsewhere = make_case(db, worker=make_user(db, email="other@example.org"))
    db.commit()
    before = [_version(db, c) for c in (case, elsewhere)]
    worker.full_name = "Samuel Okafor"
    db.add(worker)
    db.commit()
    # The name may be on any case he ever wrote on: every case's version moves, once.
    assert [_version(db, c) for c in (case, elsewhere)] == [v + 1 for v in before]
    assert "<dt>Key worker</dt><dd>Samuel Okafor" in _body(client, case)


def _gone_label(settings) -> str:
    return str(escape(next(rule for rule in FLAGS if rule.key == "key_worker_gone").label(settings)))


@pytest.mark.parametrize("who", ["key worker", "co-worker"])
def test_a_disabled_worker_is_flagged_at_once_on_the_kept_pages_of_the_cases_they_hold(client, db, settings, who):
    """A supervisor kept seeing the page without "reallocate" for up to an hour after a worker was
    disabled, while team oversight already flagged the case: only a new name moved the versions."""
    pages.clear()
    team = make_team(db)
    sam = make_user(db, team=team, full_name="Sam Okafor")
    lena = make_user(db, team=team, full_name="Lena Novak")
    supervisor = make_user(db, role="supervisor", team=team, full_name="Sue Supervisor")
    held = make_case(db, worker=sam, co_worker=lena, first_contact_at=utcnow() - timedelta(days=3))
    elsewhere = make_case(db, worker=supervisor, first_contact_at=utcnow() - timedelta(days=3))
    db.commit()
    login(client, db, supervisor, settings)
    first = _body(client, held)
    assert _body(client, held) == first and _gone_label(settings) not in first
    before = [_version(db, c) for c in (held, elsewhere)]
    disable_user(session=db, user=sam if who == "key worker" else lena)
    db.commit()
    assert [_version(db, c) for c in (held, elsewhere)] == [before[0] + 1, before[1]]
    assert _gone_label(settings) in _body(client, held)


def test_the_hour_the_clocks_go_back_is_two_hours_for_the_kept_pages(db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker, status="active", first_contact_at=utcnow() - timedelta(days=3))

    def at(utc: str) -> tuple:
        return key(case=case, actor=actor_for(worker), settings=settings, now=datetime.fromisoformat(utc))

    # 26 October 2025: 01:10 British Summer Time, then 01:50 Greenwich Mean Time, 100 minutes later.
    assert at("2025-10-26T00:10:00+00:00") != at("2025-10-26T01:50:00+00:00")
    assert at("2025-10-26T01:10:00+00:00") == at("2025-10-26T01:50:00+00:00")


def test_a_renamed_worker_sees_their_new_name_at_once_on_a_kept_page(client, db, viewed):
    worker, case, _ = viewed
    assert "Sam Okafor" in client.get(f"/cases/{case.id}").text
    worker.full_name = "Samuel Okafor"
    db.add(worker)
    db.commit()
    page = client.get(f"/cases/{case.id}")
    assert 'title="Your profile">Samuel Okafor</a>' in page.text


# Writes that bypass the session's flush (and so the hook that moves page versions), each with why
# the case page cannot go stale by it. A new one needs its own reason here, or to go through the ORM.
_WRITES_PAST_THE_FLUSH = {
    ("app/page_versions.py", "update"): "moving page versions itself",
    ("app/audit/chain.py", "insert"): "audit entries: reads' records, which the case page never shows",
    ("app/audit/chain.py", "text"): "SQLite's write lock, taken by an UPDATE of no row before a lane's end is read",
    ("app/review/oversight.py", "update"): "case.kept_flag_count, the managers' count, not on the case page",
}


def test_every_write_past_the_flush_hook_is_known_not_to_leave_a_case_page_stale():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = set()
    for path in sorted((root / "app").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # A statement built once at module level and executed by its name counts as written there.
        named = {
            target.id: assign.value
            for assign in tree.body
            if isinstance(assign, ast.Assign)
            for target in assign.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
                continue
            if node.func.attr not in ("execute", "exec_driver_sql"):
                continue
            receiver = ast.unparse(node.func.value)
            if "connection" not in receiver:  # session.execute / session.exec: the ORM's hooks see them
                continue
            statement = root_call = node.args[0]
            if isinstance(statement, ast.Name) and statement.id in named:
                statement = root_call = named[statement.id]
            while isinstance(root_call, ast.Call) and isinstance(root_call.func, ast.Attribute):
                root_call = root_call.func.value  # update(t).where(...).values(...) -> update(t)
            kind = None
            if isinstance(root_call, ast.Call) and isinstance(root_call.func, ast.Name):
                kind = root_call.func.id if root_call.func.id in ("insert", "update", "delete") else None
            if kind is None and any(
                word in ast.unparse(statement).upper() for word in ("INSERT ", "UPDATE ", "DELETE ")
            ):
                kind = "text"
            if kind:
                found.add((path.relative_to(root).as_posix(), kind))
    assert found == set(_WRITES_PAST_THE_FLUSH), found ^ set(_WRITES_PAST_THE_FLUSH)


def test_a_disabled_co_worker_asks_for_a_reallocation_only_where_one_can_be_made(client, db, settings):
    """A co-worker is reallocated only in active work or dormancy: a referral whose co-worker left
    is not flagged "reallocate", which could not be done from its page."""
    pages.clear()
    team = make_team(db)
    sam = make_user(db, team=team, full_name="Sam Okafor")
    lena = make_user(db, team=team, full_name="Lena Novak")
    supervisor = make_user(db, role="supervisor", team=team, full_name="Sue Supervisor")
    active = make_case(db, worker=sam, co_worker=lena, first_contact_at=utcnow() - timedelta(days=3))
    referred = make_case(db, worker=sam, co_worker=lena, status="referred")
    db.commit()
    disable_user(session=db, user=lena)
    db.commit()
    login(client, db, supervisor, settings)
    assert _gone_label(settings) in _body(client, active)
    assert _gone_label(settings) not in _body(client, referred)
