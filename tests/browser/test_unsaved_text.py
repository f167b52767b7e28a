"""Defect 1 of issue 18: no page discards typed text without asking first."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.base.models import BaseVersion
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_typed_engagement_is_not_lost_when_the_stage_status_is_saved(page, live_server, db):
    from tests.base.factories import case_with_family

    worker, case, _mother = case_with_family(db)
    db.commit()
    log_in(page, live_server, worker.email, to=f"/cases/{case.id}/base")
    with page.expect_navigation():
        page.get_by_role("button", name="Start BASE assessment").click()
    page.goto(f"{live_server}/cases/{case.id}/base/engagement")
    page.get_by_label("What do they expect from the work?").fill("Help to get back to college")
    page.get_by_role("group", name="Is the engagement stage done?").get_by_label("Done").check()

    asked: list[str] = []

    def refuse(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", refuse)
    page.get_by_role("button", name="Save stage status").click()
    page.wait_for_timeout(300)
    assert asked and "not saved" in asked[0] and "Add a person" in asked[0]
    # Still on the page with the text in place, and the stage was not marked done.
    assert page.get_by_label("What do they expect from the work?").input_value() == "Help to get back to college"
    db.expire_all()
    version = db.exec(select(BaseVersion).where(BaseVersion.case_id == case.id)).one()
    assert not version.content["stages"]["engagement"]["done"]

    # Following a link away asks too; accepting goes on.
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        page.get_by_role("link", name=case.display_name).first.click()
    assert len(asked) == 2 and page.url.endswith(f"/cases/{case.id}")
