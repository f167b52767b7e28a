"""A whole BASE assessment recorded in a home with no signal, then synced exactly once.

The worker keeps the case on the tablet ("Take offline"), loses the signal, and works through the
five stages on the pages kept on the device: each save waits in the outbox and is listed on its
page. Resilience is reopened after the risk stage, changed and marked done again, and the plan is
finalised. Still with no signal, the worker hands the tablet over with the Worker PIN (checked on
the tablet), the young person and her mother each answer the service-user feedback questions on
their own family screen, and the worker hands back with the PIN. Back online everything syncs in
order, the family's answers in their own names; the same items sent again (as after answers lost
on the way back) change nothing, and the triangulation view shows both.

Limits of pages kept on the device, designed around here: the assessment is started online
(every stage form names the version); a hazard's management actions are saved with the hazard in
one form; a plan step cannot link a hazard recorded offline (the kept plan page does not list it),
and a hazard cannot name resilience factors marked offline as mitigations, for the same reason.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from app.audit.models import AuditEntry
from app.base.models import BaseFeedback, BaseVersion
from app.sync.models import SyncOperation
from tests.browser.conftest import PHONE, TABLET, assert_accessible, assert_touch_targets, log_in
from tests.browser.offline_support import assert_sent, put_back, status, stored, take_offline
from tests.family.factories import PIN, with_pin, young_person

pytestmark = pytest.mark.browser

FACTORS = {
    "Has at least one adult they trust and can talk to": "Strength",
    "A hobby, sport or club they enjoy": "Strength",
    "Friends who are a good influence": "Vulnerability",
}
SCHOOL = "Goes to school, college or training most days"


def _setup(db):
    from tests.base.factories import case_with_family

    worker, case, mother = case_with_family(db)
    with_pin(worker, db)
    db.commit()
    return worker, case, mother


def _waiting(page, count: int, text: str) -> None:
    """What was just saved is listed on this page, with how many wait from it."""
    box = page.locator("[data-waiting-here]")
    expect(box).to_contain_text(f"waiting to sync ({count})")
    expect(box).to_contain_text(text)


def _stage_status(page, stage: str, choice: str) -> None:
    page.get_by_role("group", name=f"Is the {stage} stage done?").get_by_label(choice).check()
    page.get_by_role("button", name="Save stage status").click()


def _mark(page, factors: dict[str, str]) -> None:
    for factor, mark in factors.items():
        page.get_by_role("group", name=factor).get_by_label(mark).check()
    page.get_by_role("group", name="Friends who are a good influence").get_by_label("Who decided").select_option(
        label="Family"
    )
    page.get_by_role("button", name="Save resilience checklist").click()


def _family_screen_checks(page, shot: str) -> None:
    """A family screen at the tablet and at a phone size: no sideways scroll, 48 px targets, axe clean."""
    for size, name in ((TABLET, f"{shot}-tablet"), (PHONE, f"{shot}-phone")):
        page.set_viewport_size(size)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        assert_accessible(page, name)
        assert_touch_targets(page, 48)
    page.set_viewport_size(TABLET)


def _content(db) -> dict:
    db.expire_all()
    return db.exec(select(BaseVersion)).one().content


def _count(db, model, *where) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(model).where(*where)).one()


def test_worker_records_all_five_stages_offline_and_they_sync_exactly_once(page, context, live_server, db):
    worker, case, mother = _setup(db)
    base = f"{live_server}/cases/{case.id}/base"
    log_in(page, live_server, worker.email)
    # Started with a signal: every stage form names the assessment's version.
    page.goto(base)
    with page.expect_navigation():
        page.get_by_role("button", name="Start BASE assessment").click()
    take_offline(page, live_server, case.id)

    ledger = _count(db, SyncOperation, SyncOperation.user_id == worker.id)  # the start, sent online
    context.set_offline(True)

    # 1. Engagement: the young person and her mother, then the stage is done.
    page.goto(f"{base}/engagement")
    expect(status(page)).to_have_text("Offline")
    for n, (who, hope) in enumerate(
        (("Amira Hassan (Young person)", "Back in college"), ("Samira Hassan (Mother)", "Amira home by ten")), start=1
    ):
        page.get_by_label("Who").select_option(label=who)
        page.get_by_label("What do they hope to achieve?").fill(hope)
        page.get_by_role("group", name="Motivation to change").get_by_label("4").check()
        page.get_by_role("group", name="Capacity to change").get_by_label("3").check()
        page.get_by_role("button", name="Save engagement").click()
        _waiting(page, n, hope)
    expect(page.get_by_text("Saved on this device — will sync when online").first).to_be_visible()
    _stage_status(page, "engagement", "Done")
    _waiting(page, 3, "Done")
    assert_accessible(page, "base-offline-engagement-tablet")

    # 2. Resilience, decided with the family; done.
    page.goto(f"{base}/resilience")
    _mark(page, FACTORS)
    _waiting(page, 1, "Strength")
    _stage_status(page, "resilience", "Done")
    _waiting(page, 2, "Done")

    # 3. Risk: a hazard with its management action (one form), the overall judgement; done.
    page.goto(f"{base}/risk")
    page.get_by_label("Hazard").fill("Going missing overnight")
    page.get_by_label("Likelihood").select_option("3")
    page.get_by_label("Imminence").select_option("3")
    page.get_by_label("Impact").select_option("4")
    page.get_by_label("Action 1", exact=True).fill("Return-home conversation")
    page.get_by_label("Action 1 owner").fill("Sam")
    page.get_by_role("button", name="Save risk").click()
    _waiting(page, 1, "Going missing overnight")
    page.get_by_role("combobox", name="Overall risk").select_option("high")
    page.get_by_label("Rationale").fill("Missing three times this month")
    page.get_by_role("button", name="Save judgement").click()
    _waiting(page, 2, "Missing three times this month")
    _stage_status(page, "risk", "Done")
    _waiting(page, 3, "Done")

    # Back to resilience after the risk stage: reopen it, add school as a worry, done again. The
    # kept page still shows the checklist as it was taken (nothing marked); only what is changed
    # on it now is changed, so the first save's marks stay.
    page.goto(f"{base}/resilience")
    _waiting(page, 2, "Done")
    _stage_status(page, "resilience", "Open: still working on it")
    _waiting(page, 3, "Open: still working on it")
    page.get_by_role("group", name=SCHOOL).get_by_label("Vulnerability").check()
    page.get_by_role("button", name="Save resilience checklist").click()
    _waiting(page, 4, "Resilience")
    _stage_status(page, "resilience", "Done")
    _waiting(page, 5, "Done")
    assert_accessible(page, "base-offline-resilience-tablet")

    # 4. Analysis: a formulation meeting; done.
    page.goto(f"{base}/analysis")
    page.get_by_label("Date held").fill((date.today() - timedelta(days=2)).isoformat())
    page.get_by_label("Chair").fill("Jo Bell")
    page.get_by_label("Conclusions").fill("Missing episodes follow contact with an older group")
    page.get_by_role("button", name="Save formulation meeting").click()
    _waiting(page, 1, "Jo Bell")
    _stage_status(page, "analysis", "Done")
    _waiting(page, 2, "Done")

    # 5. Plan: a statutory requirement and a step, then finalise.
    page.goto(f"{base}/plan")
    page.get_by_label("What it requires").fill("Attend core groups")
    page.get_by_role("button", name="Add requirement").click()
    _waiting(page, 1, "Attend core groups")
    page.get_by_label("What will happen").fill("Agree a curfew together")
    page.get_by_label("Who (required)", exact=True).fill("Samira and Amira")
    page.get_by_label("Outcome it serves").fill("Amira safe at night")
    page.get_by_role("button", name="Save step").click()
    _waiting(page, 2, "Agree a curfew together")
    review_on = date.today() + timedelta(days=90)
    page.get_by_label("Review date (required)").fill(review_on.isoformat())
    page.get_by_role("button", name="Finalise plan").click()
    _waiting(page, 3, review_on.isoformat())
    expect(status(page)).to_have_text("16 waiting")
    assert_accessible(page, "base-offline-plan-tablet")
    page.set_viewport_size(PHONE)
    assert_accessible(page, "base-offline-plan-phone")
    page.set_viewport_size(TABLET)

    assert _content(db)["engagement"] == []  # nothing reached Homeward yet

    # Still no signal: the worker hands the tablet to the family with the Worker PIN.
    amira = young_person(db, case)
    page.goto(f"{live_server}/cases/{case.id}")
    page.get_by_role("link", name="Hand to family").first.click()
    page.wait_for_url(f"**/cases/{case.id}/hand-to-family")
    page.get_by_role("radio", name=re.compile(r"^Amira Hassan")).check()
    page.get_by_label("Worker PIN").fill(PIN)
    page.get_by_role("button", name="Hand to family").click()
    page.wait_for_url(f"{live_server}/family/{case.id}/{amira.id}")
    # The lock holds on the tablet: the social worker's feedback form, kept for the worker, leads back.
    page.goto(f"{base}/feedback/social_worker")
    page.wait_for_url(f"{live_server}/family/{case.id}/{amira.id}")
    for person, score in ((amira, "5 Very good"), (mother, "3 OK")):
        first = person.name.split(" ")[0]
        if person is mother:
            page.get_by_role("link", name="Someone else's turn").click()
            page.get_by_label(f"{first} (Mother)").check()
            page.get_by_role("button", name="That's me").click()
            page.wait_for_url(f"{live_server}/family/{case.id}/{person.id}")
        expect(page.get_by_role("heading", name=f"Hello, {first}")).to_be_visible()
        page.get_by_role("link", name="What do you think of your worker?").click()
        page.wait_for_url(f"{live_server}/family/{case.id}/{person.id}/feedback")
        expect(page.get_by_text(f"Rating now: {first}")).to_be_visible()
        expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
        for n in range(1, 12):
            expect(page.get_by_text(f"Question {n} of 11")).to_be_visible()
            page.get_by_role("radio", name=score, exact=True).check()
            if n == 1:
                _family_screen_checks(
                    page, f"base-offline-family-feedback-{person.relationship.lower().replace(' ', '-')}"
                )
            if n < 11:
                page.get_by_role("button", name="Next question").click()
        page.get_by_role("textbox", name="Anything to add? (optional)").fill(f"{first} says thanks")
        # Kept on the device: the answers wait in the outbox and "All done" opens at once.
        page.get_by_role("button", name="Save my answers").click()
        page.wait_for_url(f"{live_server}/family/{case.id}/{person.id}/done")
        expect(page.get_by_role("heading", name=f"All done. Thank you, {first}!")).to_be_visible()
    page.get_by_role("link", name="Hand back").click()
    page.wait_for_url(f"**/family/{case.id}/hand-back")
    page.get_by_label("Worker PIN").fill(PIN)
    page.get_by_role("button", name="Hand back").click()
    page.wait_for_url(f"**/cases/{case.id}/diamond")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(status(page)).to_have_text("18 waiting")

    ops = stored(page)
    assert len(ops) == 18 and all(op["status"] == "waiting" for op in ops)
    family_ops = {op["target"]: op["id"] for op in ops if op["target"].startswith("/family/")}
    assert set(family_ops) == {f"/family/{case.id}/{amira.id}/feedback", f"/family/{case.id}/{mother.id}/feedback"}
    assert _count(db, BaseFeedback) == 0  # nor any feedback

    # Back online: everything syncs, in order, and nothing needs attention.
    context.set_offline(False)
    page.evaluate("window.HomewardOffline.sync()")
    expect(status(page)).to_have_text("Online", timeout=30000)
    assert_sent(page)
    applied_audit = _count(db, AuditEntry, AuditEntry.object_type.in_(("base_version", "base_feedback")))
    assert _count(db, SyncOperation, SyncOperation.user_id == worker.id) == ledger + 18

    # The same eighteen sent again, as after answers lost on the way back: nothing applies twice.
    put_back(page, ops)
    page.evaluate("window.HomewardOffline.sync()")
    expect(status(page)).to_have_text("Online", timeout=30000)
    assert_sent(page)
    assert _count(db, AuditEntry, AuditEntry.object_type.in_(("base_version", "base_feedback"))) == applied_audit
    assert _count(db, SyncOperation, SyncOperation.user_id == worker.id) == ledger + 18
    assert _count(db, BaseVersion) == 1

    # Each person's answers once, in their own name, given on the family screens.
    db.expire_all()
    given = {f.rater_name: f for f in db.exec(select(BaseFeedback).where(BaseFeedback.case_id == case.id)).all()}
    assert sorted(given) == ["Amira Hassan", "Samira Hassan"] and _count(db, BaseFeedback) == 2
    for name, perspective, score in (("Amira Hassan", "young_person", 5), ("Samira Hassan", "parent", 3)):
        row = given[name]
        assert (row.perspective, row.round, row.about_worker_id, row.given_in_family_mode, row.recorded_by_id) == (
            perspective,
            1,
            worker.id,
            True,
            worker.id,
        )
        assert [a["score"] for a in row.answers] == [score] * 11
        assert row.answers[-1]["comment"] == f"{name.split(' ')[0]} says thanks"
    assert family_ops == {
        f"/family/{case.id}/{amira.id}/feedback": given["Amira Hassan"].id,
        f"/family/{case.id}/{mother.id}/feedback": given["Samira Hassan"].id,
    }

    content = _content(db)
    assert sorted(e["person_name"] for e in content["engagement"]) == ["Amira Hassan", "Samira Hassan"]
    assert [r["hazard"] for r in content["risks"]] == ["Going missing overnight"]
    assert (
        content["risks"][0]["level"] == "high"
        and content["risks"][0]["actions"][0]["what"] == "Return-home conversation"
    )
    assert content["risk_judgement"] == {"level": "high", "rationale": "Missing three times this month"}
    # Both checklist saves applied: the second moved on from the first's revision (no conflict).
    assert content["stages"]["resilience"]["revision"] == 2
    marks = {key: (m["mark"], m["decided_by"]) for key, m in content["resilience"]["marks"].items()}
    assert marks == {
        "trusted_adult": ("strength", "family_with_worker"),
        "hobby": ("strength", "family_with_worker"),
        "good_friends": ("vulnerability", "family"),
        "goes_to_school": ("vulnerability", "family_with_worker"),
    }
    assert [m["chair"] for m in content["meetings"]] == ["Jo Bell"]
    assert [q["text"] for q in content["requirements"]] == ["Attend core groups"]
    assert [s["what"] for s in content["steps"]] == ["Agree a curfew together"]
    assert content["plan"] == {"review_on": review_on.isoformat(), "finalised": True}
    assert all(content["stages"][s]["done"] for s in ("engagement", "resilience", "risk", "analysis", "plan"))
    # Resilience was reopened once and marked done twice, each applied once.
    details = db.exec(select(AuditEntry.detail).where(AuditEntry.object_type == "base_version")).all()
    assert details.count("resilience reopened") == 1 and details.count("resilience done") == 2

    page.goto(base)
    expect(page.get_by_text("5 of 5 stages done")).to_be_visible()
    page.goto(f"{base}/plan")
    expect(page.get_by_text("The plan is finalised.")).to_be_visible()

    page.goto(f"{base}/feedback")
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name="Young person")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Parent or carer")).to_be_visible()
    assert page.get_by_role("row", name="Average").inner_text().split("\t")[1:3] == ["5.0", "3.0"]
    expect(page.locator(".raters li")).to_have_text(
        ["Young person: Amira Hassan about Sam Okafor", "Parent or carer: Samira Hassan about Sam Okafor"]
    )
    expect(page.get_by_text("Samira says thanks")).to_be_visible()
    assert_accessible(page, "base-offline-triangulation-tablet")


def test_two_peoples_engagements_edited_offline_from_the_same_revision_both_apply(page, context, live_server, db):
    """Each item's edit form has its own target (`.../engagement/items/<id>`), so editing two people's
    engagements from the same revision is two records edited once each: both apply, no conflict."""
    from app.cases.models import Person
    from tests.base.factories import ENGAGEMENT, uid

    worker, case, mother = _setup(db)
    base = f"{live_server}/cases/{case.id}/base"
    log_in(page, live_server, worker.email)
    page.goto(base)
    with page.expect_navigation():
        page.get_by_role("button", name="Start BASE assessment").click()
    version_id = db.exec(select(BaseVersion.id)).one()
    db.expire_all()
    people = db.exec(select(Person).where(Person.case_id == case.id)).all()
    for person in people:
        response = page.request.post(
            f"{base}/engagement",
            form={"version_id": version_id, "id": uid(), "person_id": person.id, **ENGAGEMENT},
            headers={"Origin": live_server},
            max_redirects=0,
        )
        assert response.status == 303
    take_offline(page, live_server, case.id)

    context.set_offline(True)
    for n, (name, expects) in enumerate(
        (("Amira Hassan", "Fewer rows at home"), ("Samira Hassan", "Amira talks to her")), start=1
    ):
        page.goto(f"{base}/engagement")
        page.get_by_role("link", name=f"Edit engagement for {name}").click()
        page.get_by_label("What do they expect from the work?").fill(expects)
        page.get_by_role("button", name="Save engagement").click()
        _waiting(page, n, expects)
    context.set_offline(False)
    page.evaluate("window.HomewardOffline.sync()")
    expect(status(page)).to_have_text("Online", timeout=30000)
    assert_sent(page)  # nothing set aside as a conflict
    entries = {e["person_name"]: e for e in _content(db)["engagement"]}
    assert entries["Amira Hassan"]["expectations"] == "Fewer rows at home"
    assert entries["Samira Hassan"]["expectations"] == "Amira talks to her"
    assert [e["revision"] for e in entries.values()] == [2, 2]


def test_two_offline_edits_of_one_hazard_from_the_kept_page_both_apply_with_no_conflict(page, context, live_server, db):
    """Two edits of the same hazard, one after the other from the page kept on the device: after the
    first is kept, the form shows it (its `shown` moves on), so the second changes only its own field.
    Synced, both apply in order, nothing is set aside and nothing is reverted."""
    from app.sync.models import SyncConflict
    from tests.base.factories import RISK, uid

    worker, case, mother = _setup(db)
    base = f"{live_server}/cases/{case.id}/base"
    log_in(page, live_server, worker.email)
    page.goto(base)
    with page.expect_navigation():
        page.get_by_role("button", name="Start BASE assessment").click()
    version_id, risk_id = db.exec(select(BaseVersion.id)).one(), uid()
    made = page.request.post(
        f"{base}/risk",
        form={"version_id": version_id, "id": risk_id, **RISK, "action_what_0": "Evening safety plan"},
        headers={"Origin": live_server},
        max_redirects=0,
    )
    assert made.status == 303
    take_offline(page, live_server, case.id)

    context.set_offline(True)
    page.goto(f"{base}/risk?edit={risk_id}")
    page.get_by_label("Hazard").fill("Missing at weekends")
    page.get_by_role("button", name="Save risk").click()
    _waiting(page, 1, "Missing at weekends")
    # A correction from the same page, still offline: the likelihood, and an owner for the action.
    page.get_by_label("Likelihood").select_option("1")
    page.get_by_label("Action 1 owner").fill("Samira")
    page.get_by_role("button", name="Save risk").click()
    _waiting(page, 2, "Missing at weekends")
    context.set_offline(False)
    page.evaluate("window.HomewardOffline.sync()")
    expect(status(page)).to_have_text("Online", timeout=30000)
    assert_sent(page)  # nothing set aside
    db.expire_all()
    assert db.exec(select(SyncConflict)).all() == []
    risk = _content(db)["risks"][0]
    assert (risk["hazard"], risk["likelihood"], risk["imminence"], risk["impact"]) == ("Missing at weekends", 1, 3, 3)
    assert risk["actions"] == [{"what": "Evening safety plan", "owner": "Samira", "review_on": ""}]
    assert risk["revision"] == 3


def test_a_plan_finalised_offline_with_the_risk_stage_empty_is_set_aside_naming_the_stage(
    page, context, live_server, db
):
    """The gate is the server's: a plan finalised on a kept page before any risk was recorded is
    refused when it syncs, set aside with the message naming the risk stage, and finalised by
    "Edit and retry" once a risk is recorded (the plan page's finalise form reopens, not the first)."""
    worker, case, mother = _setup(db)
    base = f"{live_server}/cases/{case.id}/base"
    log_in(page, live_server, worker.email)
    page.goto(base)
    with page.expect_navigation():
        page.get_by_role("button", name="Start BASE assessment").click()
    take_offline(page, live_server, case.id)

    context.set_offline(True)
    page.goto(f"{base}/engagement")
    page.get_by_label("Who").select_option(label="Samira Hassan (Mother)")
    page.get_by_role("group", name="Motivation to change").get_by_label("4").check()
    page.get_by_role("group", name="Capacity to change").get_by_label("3").check()
    page.get_by_role("button", name="Save engagement").click()
    _waiting(page, 1, "4")
    page.goto(f"{base}/resilience")
    page.get_by_role("group", name=SCHOOL).get_by_label("Strength").check()
    page.get_by_role("button", name="Save resilience checklist").click()
    _waiting(page, 1, "Resilience")
    page.goto(f"{base}/plan")
    review_on = (date.today() + timedelta(days=60)).isoformat()
    page.get_by_label("Review date (required)").fill(review_on)
    page.get_by_role("button", name="Finalise plan").click()
    _waiting(page, 1, review_on)

    context.set_offline(False)
    page.evaluate("window.HomewardOffline.sync()")
    expect(status(page)).to_have_text("1 need attention", timeout=30000)
    content = _content(db)
    assert len(content["engagement"]) == 1 and len(content["resilience"]["marks"]) == 1
    assert content["plan"]["finalised"] is False

    page.get_by_role("link", name="Outbox").click()
    expect(page.get_by_text("the risk stage is empty")).to_be_visible()
    assert_accessible(page, "base-offline-gate-outbox")

    # A hazard recorded with a signal, then the same finalise sent again from its own form.
    page.goto(f"{base}/risk")
    page.get_by_label("Hazard").fill("Going missing overnight")
    for scale in ("Likelihood", "Imminence", "Impact"):
        page.get_by_label(scale).select_option("2")
    with page.expect_navigation():
        page.get_by_role("button", name="Save risk").click()
    page.goto(f"{live_server}/outbox")
    page.get_by_role("link", name="Edit and retry").click()
    expect(page.get_by_text("This was not saved")).to_be_visible()
    expect(page.get_by_label("Review date (required)")).to_have_value(review_on)
    with page.expect_navigation():
        page.get_by_role("button", name="Finalise plan").click()
    expect(page.get_by_text("The plan is finalised.")).to_be_visible()
    expect(status(page)).to_have_text("Online")
    assert _content(db)["plan"] == {"review_on": review_on, "finalised": True}
