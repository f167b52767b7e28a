"""The network map, people's network facts, professionals, FGDM and the case page section."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import event
from sqlmodel import func, select

from app.network import rules
from app.network.models import Circle, FgdmRecord, NetworkMember
from tests.factories import login
from tests.network.factories import make_family_case, meeting_form


def test_map_draws_young_person_at_centre_and_everyone_in_their_circle_with_a_list_alternative(client, db, settings):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    page = client.get(f"/cases/{case.id}/network").text
    assert '<svg class="network-map"' in page and 'role="img"' in page
    assert re.search(r'class="centre-label"[^>]*>Kay<', page)
    assert page.count('class="node node-') == 5
    list_part = page[page.index('id="list-h"') :]
    assert (
        "Donna Morgan" in list_part
        and "Knows the worries" in list_part
        and "Does not know the worries yet" in list_part
    )
    assert 'href="tel:07700900123"' in page


def test_person_agreed_to_help_is_kept_in_network_tables_replay_is_harmless_and_stale_edit_conflicts(
    client, db, settings
):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    url = f"/cases/{case.id}/network/people/{people['Pat'].id}"
    form = {
        "circle": "family",
        "agreed_to_help": "1",
        "how_they_help": "Picks Kayla up on Tuesdays",
        "base_version": "0",
    }
    assert client.post(url, data=form).status_code == 303
    assert client.post(url, data=form).status_code == 303
    assert client.post(url, data={**form, "how_they_help": "Weekends only"}).status_code == 409
    member = db.exec(select(NetworkMember).where(NetworkMember.person_id == people["Pat"].id)).one()
    assert member.agreed_to_help and member.how_they_help == "Picks Kayla up on Tuesdays"
    page = client.get(f"/cases/{case.id}/network").text
    assert "Agreed to help: Picks Kayla up on Tuesdays" in page


def test_professional_added_once_even_when_replayed(client, db, settings):
    worker, case, _people = make_family_case(db)
    login(client, db, worker, settings)
    form = {
        "id": str(uuid.uuid4()),
        "pro_name": "Ms Achebe",
        "pro_role": "Head of Year",
        "pro_phone": "01632 960123",
        "pro_how": "Daily check-in",
    }
    assert client.post(f"/cases/{case.id}/network/professionals", data=form).status_code == 303
    assert client.post(f"/cases/{case.id}/network/professionals", data=form).status_code == 303
    members = db.exec(select(NetworkMember).where(NetworkMember.person_id.is_(None))).all()
    assert [(m.name, m.circle) for m in members] == [("Ms Achebe", Circle.professionals)]


def test_fgdm_not_offered_needs_best_interests_reason_and_who_decided(client, db, settings):
    worker, case, _people = make_family_case(db)
    login(client, db, worker, settings)
    form = {"id": str(uuid.uuid4()), "fgdm_status": "not_offered", "fgdm_date": "2026-10-01"}
    response = client.post(f"/cases/{case.id}/network/fgdm", data=form)
    assert response.status_code == 422
    assert 'id="fgdm_reason-error"' in response.text and 'id="fgdm_decided_by-error"' in response.text
    form.update(fgdm_reason="Immediate risk: emergency protection needed.", fgdm_decided_by="Team manager")
    assert client.post(f"/cases/{case.id}/network/fgdm", data=form).status_code == 303
    assert db.exec(select(func.count()).select_from(FgdmRecord)).one() == 1
    assert "Family group decision making: <strong>Not offered</strong>" in client.get(f"/cases/{case.id}").text


def test_case_page_network_section_uses_the_same_number_of_queries_for_one_or_many_meetings(
    client, db, settings, engine
):
    worker, case, people = make_family_case(db)
    login(client, db, worker, settings)
    client.post(f"/cases/{case.id}/network/meetings", data=meeting_form(people))

    def count_queries() -> int:
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/cases/{case.id}").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    one = count_queries()
    for _ in range(3):
        client.post(f"/cases/{case.id}/network/meetings", data=meeting_form(people))
    assert count_queries() == one


def test_default_circles_follow_household_then_relationship():
    assert rules.default_circle(relationship="Mother", in_household=True) is Circle.household
    assert rules.default_circle(relationship="Grandmother", in_household=False) is Circle.family
    assert rules.default_circle(relationship="Family friend", in_household=False) is Circle.friends
    assert rules.default_circle(relationship="School nurse", in_household=False) is Circle.professionals


def test_layout_spreads_each_ring_evenly_inside_the_drawing():
    points = rules.layout({Circle.household: 3, Circle.family: 5, Circle.friends: 1, Circle.professionals: 0})
    assert [len(points[c]) for c in rules.RING_ORDER] == [3, 5, 1, 0]
    for ring in points.values():
        for p in ring:
            assert 0 < p.x < rules.MAP_SIZE and 0 < p.y < rules.MAP_SIZE


def test_manager_reads_the_network_without_forms_they_cannot_use(client, db, settings):
    from tests.factories import make_user

    _worker, case, people = make_family_case(db)
    manager = make_user(db, role="manager", email="manager@example.org")
    login(client, db, manager, settings)
    page = client.get(f"/cases/{case.id}/network").text
    assert "Network list" in page and "Donna Morgan" in page
    assert 'action="/cases/' not in page
    section = client.get(f"/cases/{case.id}").text.split('id="network-h"')[1].split("</section>")[0]
    assert "Tasks" in section and 'action="/cases/' not in section
    assert client.post(f"/cases/{case.id}/network/meetings", data=meeting_form(people)).status_code == 403


def test_long_agency_names_on_the_outer_ring_fit_inside_the_map():
    """Issue 18, defect 10: network map labels were cut off at the edge."""
    from app.network import rules

    points = rules.layout({"professionals": 6})["professionals"]
    names = ["Children's Social Care duty team"] * len(points)
    margin = rules.label_margin(list(zip(points, names, strict=True)))
    assert margin > 0
    for p in points:
        width = 0.6 * rules.LABEL_FONT_PX * len(names[0])
        left = {"start": p.label_x, "end": p.label_x - width}.get(p.anchor, p.label_x - width / 2)
        assert -margin <= left and left + width <= rules.MAP_SIZE + margin
    assert rules.label_margin([(points[0], "Jo")]) == 0
