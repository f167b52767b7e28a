"""Issue 18, defect 9: three raters with similar numbers can be told apart, and seen one at a time."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

from tests.diamond.factories import four, rate
from tests.factories import login, make_case, make_user
from tests.family.factories import add_person, young_person


def _latest_svg(html: str) -> str:
    return html.split('id="diamond-latest"', 1)[1].split("</figure>", 1)[0]


def _marker_paths(svg: str) -> dict[str, list[str]]:
    groups = re.findall(r'<g class="rater-shape[^"]*" data-rater="([^"]+)">(.*?)</g>', svg, re.S)
    return {name: re.findall(r'<path d="([^"]+)"', body) for name, body in groups}


def test_three_raters_with_equal_numbers_have_their_own_shapes_apart_and_one_can_be_shown_alone(client, db, settings):
    worker = make_user(db, full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    mother = add_person(db, case)
    kayla = young_person(db, case)
    on = date(2026, 11, 2)
    rate(db, case=case, by_user=worker, person=kayla, scores=four(6, 5, 7, 6), on=on)
    rate(db, case=case, by_user=worker, person=mother, scores=four(6, 5, 7, 6), on=on)
    rate(db, case=case, by_user=worker, scores=four(6, 5, 7, 6), on=on)
    db.commit()
    login(client, db, worker, settings)

    page = client.get(f"/cases/{case.id}/diamond").text
    markers = _marker_paths(_latest_svg(page))
    assert len(markers) == 3
    # Each rater's marker is a different shape (a path's commands), and no two sit in the same place.
    kinds = {re.sub(r"[-\d.,\s]", "", paths[0]) for paths in markers.values()}
    assert len(kinds) == 3
    all_paths = [p for paths in markers.values() for p in paths]
    assert len(set(all_paths)) == len(all_paths) == 12

    # One rater at a time: the chart draws only theirs; the table still lists everyone.
    rater_links = re.findall(r'href="\?rater=([^"#]+)#latest-h"', page)
    assert len(rater_links) == 3
    alone = client.get(f"/cases/{case.id}/diamond?rater={rater_links[1]}").text
    shown = _marker_paths(_latest_svg(alone))
    assert len(shown) == 1
    table = alone.split('id="diamond-latest-table"', 1)[1].split("</table>", 1)[0]
    assert table.count('<th scope="row">') == 3
    assert 'aria-current="true"' in alone
    # A key that is not a rater here shows everyone, not an error.
    assert client.get(f"/cases/{case.id}/diamond?rater={quote('user:99999')}").status_code == 200
