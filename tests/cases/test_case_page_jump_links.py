"""The long case page has jump links to its parts; each leads somewhere and names a part that shows."""

from __future__ import annotations

import re

from tests.factories import login, make_case, make_user


def test_every_jump_link_leads_to_a_part_of_the_page(db, client, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    page = client.get(f"/cases/{case.id}").text
    start = page.index('class="jump-links"')
    nav = page[start : page.index("</details>", start)]
    targets = re.findall(r'href="#([\w-]+)"', nav)
    assert {"people", "contacts", "timeline", "part-signs_of_safety", "part-diamond"} <= set(targets)
    for target in targets:
        assert f'id="{target}"' in page, target


def test_a_part_with_nothing_to_show_is_left_out(db, client, settings):
    supervisor = make_user(db, role="supervisor")
    worker = make_user(db, team_id=supervisor.team_id)
    case = make_case(db, worker=worker)
    # The audit trail link is for supervisors and managers: a worker's page has no such part at all.
    login(client, db, worker, settings)
    assert 'id="part-audit"' not in client.get(f"/cases/{case.id}").text
    login(client, db, supervisor, settings)
    assert 'id="part-audit"' in client.get(f"/cases/{case.id}").text
