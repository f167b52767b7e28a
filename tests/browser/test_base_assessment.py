"""A worker works through BASE in a real browser; the family rate in family mode; axe at two sizes."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from app.base import rules
from app.base.models import BaseFeedback, BaseVersion
from app.cases.models import Person
from app.security.models import UserSession
from tests.browser.conftest import PHONE, TABLET, assert_accessible, assert_touch_targets, log_in, open_case_parts

pytestmark = pytest.mark.browser


def _setup(db):
    from tests.base.factories import case_with_family

    worker, case, mother = case_with_family(db)
    db.commit()
    return worker, case, mother


def _save(page, button: str) -> None:
    # Wait for the post/redirect/get to land, not just for the current page to be idle.
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def _stage_status(page, stage: str, choice: str) -> None:
    """Set a stage's status: "Done" or "Open: still working on it" (reopen)."""
    page.get_by_role("group", name=f"Is the {stage} stage done?").get_by_label(choice).check()
    _save(page, "Save stage status")


def _go(page, link: str) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name=link).click()


def _set_family_mode(db, case_id, person_id=None) -> None:
    db.expire_all()
    for user_session in db.exec(select(UserSession).where(UserSession.ended_at.is_(None))).all():
        user_session.family_case_id = case_id
        user_session.family_person_id = person_id
        db.add(user_session)
    db.commit()


def test_worker_completes_base_reopens_resilience_finalises_plan_and_family_gives_feedback(page, live_server, db):
    worker, case, mother = _setup(db)
    base = f"{live_server}/cases/{case.id}"
    log_in(page, live_server, worker.email)
    page.goto(base)
    open_case_parts(page)
    _go(page, "BASE assessment")
    assert_accessible(page, "base-start-tablet")
    _save(page, "Start BASE assessment")

    # Engagement: the young person and the mother.
    for name in ("Amira Hassan", "Samira Hassan"):
        page.get_by_label("Who").select_option(
            label=f"{name} (Young person)" if name.startswith("Amira") else f"{name} (Mother)"
        )
        page.get_by_label("What do they hope to achieve?").fill("Back in college")
        page.get_by_role("group", name="Motivation to change").get_by_label("4").check()
        page.get_by_role("group", name="Capacity to change").get_by_label("3").check()
        _save(page, "Save engagement")
    assert page.get_by_role("heading", name="Samira Hassan (Mother)").is_visible()
    _stage_status(page, "engagement", "Done")
    assert_accessible(page, "base-engagement-tablet")

    # Resilience: decided with the family.
    _go(page, "2. Resilience")
    page.get_by_role("group", name="Has at least one adult they trust and can talk to").get_by_label("Strength").check()
    page.get_by_role("group", name="A hobby, sport or club they enjoy").get_by_label("Strength").check()
    friends = page.get_by_role("group", name="Friends who are a good influence")
    friends.get_by_label("Vulnerability").check()
    friends.get_by_label("Who decided").select_option(label="Family")
    _save(page, "Save resilience checklist")
    assert (
        page.locator("figcaption").inner_text() == "2 strengths and 1 vulnerability: the scales tip towards strengths."
    )
    assert page.get_by_role("img", name="Tipping scales").is_visible()
    _stage_status(page, "resilience", "Done")
    assert_accessible(page, "base-resilience-tablet")

    # Risk: a register entry and an overall judgement.
    _go(page, "3. Risk")
    page.get_by_label("Hazard").fill("Going missing overnight")
    page.get_by_label("Likelihood").select_option("3")
    page.get_by_label("Imminence").select_option("3")
    page.get_by_label("Impact").select_option("4")
    page.get_by_label("Has at least one adult they trust and can talk to").check()
    page.get_by_label("Action 1", exact=True).fill("Return-home conversation")
    _save(page, "Save risk")
    assert page.get_by_text("High risk").is_visible()
    page.get_by_role("combobox", name="Overall risk").select_option("high")
    page.get_by_label("Rationale").fill("Missing three times this month")
    _save(page, "Save judgement")
    _stage_status(page, "risk", "Done")
    assert_accessible(page, "base-risk-tablet")

    # Back to resilience after the risk stage: reopen it and add a factor.
    _go(page, "2. Resilience")
    _stage_status(page, "resilience", "Open: still working on it")
    assert page.get_by_text("Resilience reopened.").is_visible()
    page.get_by_role("group", name="Goes to school, college or training most days").get_by_label(
        "Vulnerability"
    ).check()
    _save(page, "Save resilience checklist")
    assert page.locator("figcaption").inner_text() == "2 strengths and 2 vulnerabilities: the scales are level."
    _stage_status(page, "resilience", "Done")

    # Analysis: the high risk suggests a formulation meeting.
    _go(page, "4. Analysis")
    assert page.get_by_role("heading", name="A formulation meeting is suggested").is_visible()
    page.get_by_label("Date held").fill("2026-01-10")
    page.get_by_label("Chair").fill("Jo Bell")
    page.get_by_label("Conclusions").fill("Missing episodes follow contact with an older group")
    _save(page, "Save formulation meeting")
    _stage_status(page, "analysis", "Done")

    # Plan: a step linked to the risk, then finalise.
    _go(page, "5. Plan")
    page.get_by_label("What will happen").fill("Agree a curfew together")
    page.get_by_label("Who (required)", exact=True).fill("Samira and Amira")
    page.get_by_label("Outcome it serves").fill("Amira safe at night")
    page.get_by_label("Going missing overnight").check()
    _save(page, "Save step")
    page.get_by_label("Review date (required)").fill("2026-12-31")
    _save(page, "Finalise plan")
    assert page.get_by_text("The plan is finalised.").is_visible()
    assert_accessible(page, "base-plan-tablet")
    page.set_viewport_size(PHONE)
    assert_accessible(page, "base-plan-phone")
    assert_touch_targets(page)
    page.set_viewport_size(TABLET)

    page.goto(f"{base}/base")
    assert page.get_by_text("5 of 5 stages done").is_visible()
    assert_accessible(page, "base-overview-tablet")

    # The family rate in family mode, each on their own screen and turn.
    young = db.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person == True)).one()  # noqa: E712
    for perspective, rater, score in (("young_person", young.id, "5 Very good"), ("parent", mother.id, "3 OK")):
        _set_family_mode(db, case.id, rater)
        page.goto(f"{live_server}/family/{case.id}/{rater}/feedback")
        # One question at a time in family mode.
        for n in range(1, 12):
            assert page.get_by_text(f"Question {n} of 11").is_visible()
            page.get_by_role("radio", name=score, exact=True).check()
            if n < 11:
                assert not page.get_by_role("button", name="Save my answers").is_visible()
                page.get_by_role("button", name="Next question").click()
        if perspective == "young_person":
            assert_accessible(page, "base-feedback-young-person-tablet")
            page.set_viewport_size(PHONE)
            assert_accessible(page, "base-feedback-young-person-phone")
            assert_touch_targets(page)
            page.set_viewport_size(TABLET)
        _save(page, "Save my answers")
        page.wait_for_url(f"**/family/{case.id}/{rater}/done")
    _set_family_mode(db, None)

    page.goto(f"{base}/base/feedback")
    table = page.get_by_role("table")
    assert table.get_by_role("columnheader", name="Young person").is_visible()
    assert table.get_by_role("columnheader", name="Parent or carer").is_visible()
    assert page.get_by_role("row", name="Average").inner_text().split("\t")[1:3] == ["5.0", "3.0"]
    assert_accessible(page, "base-triangulation-tablet")
    page.set_viewport_size(PHONE)
    assert_accessible(page, "base-triangulation-phone")

    db.expire_all()
    assert db.exec(select(BaseVersion)).one().content["plan"]["finalised"] is True
    assert len(db.exec(select(BaseFeedback)).all()) == 2


def test_gate_names_the_empty_stage_and_a_replayed_offline_form_applies_once(page, live_server, db):
    worker, case, mother = _setup(db)
    log_in(page, live_server, worker.email, to=f"/cases/{case.id}/base")
    _save(page, "Start BASE assessment")
    _go(page, "5. Plan")
    page.get_by_label("Review date (required)").fill("2026-12-31")
    _save(page, "Finalise plan")
    assert page.get_by_text("the engagement, resilience and risk stages are empty").first.is_visible()
    assert_accessible(page, "base-plan-gated")

    # Every BASE form is marked for the offline outbox and carries its record's UUID.
    _go(page, "3. Risk")
    form = page.locator("form#risk-form")
    assert form.get_attribute("data-offline") == "true"
    fields = {el.get_attribute("name"): el.get_attribute("value") for el in form.locator("input[type=hidden]").all()}
    data = {**fields, "hazard": "Exploitation", "likelihood": "2", "imminence": "2", "impact": "3"}
    # The outbox replays the same operation after a lost reply; the server applies it once.
    for _ in range(2):
        response = page.request.post(
            f"{live_server}/cases/{case.id}/base/risk", form=data, headers={"Origin": live_server}, max_redirects=0
        )
        assert response.status == 303
    db.expire_all()
    assert [r["hazard"] for r in db.exec(select(BaseVersion)).one().content["risks"]] == ["Exploitation"]


def test_demo_base_pages_for_amira_and_reece_pass_axe(page, live_server, db, settings):
    from app.demo import DEMO_PASSWORD
    from tests.demo_copy import demo_service

    demo = demo_service(session=db, settings=settings)
    db.commit()
    amira, reece = demo.cases["Amira"].id, demo.cases["Reece"].id
    log_in(page, live_server, "worker@example.org", password=DEMO_PASSWORD, to=f"/cases/{amira}")
    open_case_parts(page)
    assert page.get_by_text("Text each other evening plans by 5pm").is_visible()
    assert_accessible(page, "demo-amira-case-tablet")
    for path, name in (
        ("base", "overview"),
        ("base/resilience", "resilience"),
        ("base/risk", "risk"),
        ("base/analysis", "analysis"),
        ("base/feedback?round=2", "triangulation"),
    ):
        page.goto(f"{live_server}/cases/{amira}/{path}")
        assert_accessible(page, f"demo-amira-{name}-tablet")
    assert page.get_by_text("Sam actually listens now.").is_visible()
    page.goto(f"{live_server}/cases/{amira}/base")
    assert page.get_by_text("Submitted for review").first.is_visible()
    page.set_viewport_size(PHONE)
    assert_accessible(page, "demo-amira-overview-phone")
    page.goto(f"{live_server}/cases/{amira}/base/risk")
    assert_accessible(page, "demo-amira-risk-phone")
    assert_touch_targets(page)

    log_in(page, live_server, "worker2@example.org", password=DEMO_PASSWORD, to=f"/cases/{reece}/base")
    assert page.get_by_text("1 of 5 stages done").is_visible()
    assert_accessible(page, "demo-reece-overview-phone")


def test_a_hazard_changed_on_two_tablets_waits_on_the_conflict_page_with_nothing_preselected(page, live_server, db):
    """The same field changed on both sides goes to the common conflict page (before, Homeward's,
    yours; nothing chosen for the worker); a field changed only here is saved at once."""
    worker, case, mother = _setup(db)
    log_in(page, live_server, worker.email, to=f"/cases/{case.id}/base")
    _save(page, "Start BASE assessment")
    _go(page, "3. Risk")
    page.get_by_label("Hazard").fill("Exploitation")
    for scale in ("Likelihood", "Imminence", "Impact"):
        page.get_by_label(scale).select_option("2")
    _save(page, "Save risk")
    _go(page, "Edit risk: Exploitation")
    # Meanwhile the co-worker's tablet, from the same page, changes the hazard and the likelihood.
    action = page.locator("form#risk-form").get_attribute("action")
    shown = page.locator("form#risk-form input[name=shown]").get_attribute("value")
    fields = {
        el.get_attribute("name"): el.get_attribute("value")
        for el in page.locator("form#risk-form input[type=hidden]").all()
    }
    other = {**fields, **json.loads(shown), "shown": shown, "hazard": "Exploitation by older peers", "likelihood": "3"}
    assert (
        page.request.post(f"{live_server}{action}", form=other, headers={"Origin": live_server}, max_redirects=0).status
        == 303
    )
    page.get_by_label("Hazard").fill("Criminal exploitation")
    page.get_by_label("Impact").select_option("4")
    page.get_by_label("Likelihood").select_option("4")  # changed on both tablets too
    with page.expect_navigation():
        page.get_by_role("button", name="Save risk").click()
    assert page.get_by_role("heading", name="Conflict: Risk: Exploitation").is_visible()
    group = page.get_by_role("group", name="Hazard")
    assert "Before: Exploitation" in group.inner_text()
    assert group.get_by_label("Keep Homeward's: Exploitation by older peers").is_visible()
    assert group.get_by_label("Keep yours: Criminal exploitation").is_visible()
    # A scale reads as its form words it (issue 15), never the bare number the form posts.
    scale = page.get_by_role("group", name="Likelihood")
    said = {n: f"{n} · {rules.level_label('likelihood', n)}" for n in (2, 3, 4)}
    assert f"Before: {said[2]}" in scale.inner_text()
    assert scale.get_by_label(f"Keep Homeward's: {said[3]}").is_visible()
    assert scale.get_by_label(f"Keep yours: {said[4]}").is_visible()
    assert page.locator("input[type=radio]:checked").count() == 0 and page.locator("fieldset").count() == 2
    db.expire_all()
    risk = db.exec(select(BaseVersion)).one().content["risks"][0]
    assert (risk["hazard"], risk["likelihood"], risk["impact"]) == ("Exploitation by older peers", 3, 4)
    assert_accessible(page, "base-conflict-tablet")
    page.set_viewport_size(PHONE)
    assert_accessible(page, "base-conflict-phone")
    page.get_by_label("Keep yours: Criminal exploitation").check()
    scale.get_by_label(f"Keep Homeward's: {said[3]}").check()
    _save(page, "Save my choices")
    db.expire_all()
    risk = db.exec(select(BaseVersion)).one().content["risks"][0]
    assert (risk["hazard"], risk["likelihood"]) == ("Criminal exploitation", 3)  # the choice posts the number
