"""Caseload weights are set by an administrator, not written in the code (issue 19): the weighted
caseload on team oversight and the words explaining it follow what the administrator saved."""

from __future__ import annotations

import re

from sqlmodel import select

from app.audit.models import AuditEntry
from tests.factories import login, make_case, make_team, make_user

FORM = {"early_help": "1", "cin": "1.5", "cp": "3", "cla": "2", "dormant": "0.5"}


def _weighted(page: str, name: str) -> str:
    table = page.split('<table class="oversight-table">', 1)[1]
    row = table.split(name, 1)[1].split("</tr>", 1)[0]
    return re.findall(r"<td[^>]*>([^<]*)</td>", row)[2]  # active, dormant, weighted


def test_an_administrator_sets_the_weights_and_oversight_counts_with_them(client, db, settings):
    team = make_team(db, name="Sefton North")
    sam = make_user(db, team=team, full_name="Sam Okafor")
    priya = make_user(db, team=team, role="supervisor", full_name="Priya Shah")
    admin = make_user(db, role="admin", full_name="Ada Admin")
    make_case(db, worker=sam, practice_context="cp")
    make_case(db, worker=sam, practice_context="early_help")
    make_case(db, worker=sam, status="dormant")
    db.commit()

    login(client, db, priya, settings)
    page = client.get("/review/oversight").text
    assert _weighted(page, "Sam Okafor") == "3.25"  # the defaults: 2 + 1 + 0.25
    assert "child protection 2" in page and "a dormant case as 0.25" in page
    assert client.get("/admin/caseload-weights").status_code == 403  # a supervisor does not set them

    login(client, db, admin, settings)
    form = client.get("/admin/caseload-weights").text
    assert 'name="cp"' in form and 'value="2"' in form and "Caseload weights" in form
    assert client.post("/admin/caseload-weights", data=FORM).status_code == 303
    entry = db.exec(select(AuditEntry).where(AuditEntry.object_type == "caseload_weights")).one()
    assert "cp 2 to 3" in entry.detail and "dormant 0.25 to 0.5" in entry.detail

    login(client, db, priya, settings)
    page = client.get("/review/oversight").text
    assert _weighted(page, "Sam Okafor") == "4.5"  # 3 + 1 + 0.5
    assert "child protection 3" in page and "a dormant case as 0.5" in page


def test_a_weight_that_is_not_a_number_from_0_to_10_is_named_beside_its_field_and_nothing_saved(client, db, settings):
    admin = make_user(db, role="admin", full_name="Ada Admin")
    db.commit()
    login(client, db, admin, settings)
    response = client.post("/admin/caseload-weights", data={**FORM, "cp": "lots", "cla": "-1"})
    assert response.status_code == 422
    assert "Give a number, for example 1.5." in response.text and "Give a number from 0 to 10." in response.text
    assert 'value="lots"' in response.text and 'value="1.5"' in response.text  # what was typed, kept
    page = client.get("/admin/caseload-weights").text
    assert 'id="cp" name="cp" type="text" value="2"' in page  # nothing saved
