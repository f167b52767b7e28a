"""The latest Diamond when someone answered only some aims, or only a goal, on their last day:
an aim they skipped is never drawn as 0; its earlier number is carried forward and says so."""

from __future__ import annotations

import re
import uuid
from datetime import date

from app.diamond.models import DiamondGoal
from tests.diamond.factories import four, rate
from tests.factories import login, make_case, make_user
from tests.family.factories import add_person, young_person

CENTRE = "160.0,160.0"


def _latest(html: str) -> str:
    return html.split('id="diamond-latest"', 1)[1].split("</figure>", 1)[0]


def _shapes(svg: str) -> dict[str, str]:
    return dict(re.findall(r'<g class="rater-shape[^"]*" data-rater="([^"]+)">(.*?)</g>', svg, re.S))


def _row(html: str, table_id: str, who: str) -> str:
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return table.split(f'<th scope="row">{who}</th>', 1)[1].split("</tr>", 1)[0]


def test_an_aim_not_answered_last_time_carries_its_earlier_number_and_says_so(client, db, settings):
    worker = make_user(db, full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    kayla, mother = young_person(db, case), add_person(db, case)
    nan = add_person(db, case, name="Lan Nguyen", relationship="Grandmother")
    goal = DiamondGoal(id=str(uuid.uuid4()), case_id=case.id, title="Join a club", created_by_user_id=worker.id)
    db.add(goal)
    first, second = date(2026, 3, 3), date(2026, 3, 10)
    rate(db, case=case, by_user=worker, person=mother, scores=four(5, 5, 6, 4), on=first)
    rate(db, case=case, by_user=worker, person=mother, scores={"wellbeing": 8}, on=second)  # one aim today
    rate(db, case=case, by_user=worker, person=kayla, scores=four(6, 7, 5, 6), on=first)
    rate(db, case=case, by_user=worker, person=kayla, scores={"goal": 4}, on=second, goal_id=goal.id)  # a goal only
    rate(db, case=case, by_user=worker, person=nan, scores={"wellbeing": 7}, on=second)  # never the other three
    db.commit()
    login(client, db, worker, settings)
    page = client.get(f"/cases/{case.id}/diamond").text
    svg = _latest(page)
    shapes = _shapes(svg)

    # Donna: today's 8 with her 3 March numbers for the rest, none of them drawn at the centre.
    donna = shapes["Donna (mother)"]
    assert CENTRE not in re.search(r'<polygon points="([^"]+)"', donna).group(1)
    assert "Donna (mother), 10 Mar 2026; Learning, Relationships and Empowerment from 3 Mar 2026" in svg
    # Carried numbers are hollow markers as well as words: colour is not the only cue.
    assert donna.count('fill="white"') == 3
    row = _row(page, "diamond-latest-table", "Donna (mother)")
    assert "<td>8</td>" in row and "5 (from 3 Mar 2026)" in row and "4 (from 3 Mar 2026)" in row

    # Kayla rated only her goal on 10 March: her latest Diamond is still the one from 3 March.
    kay = shapes["Kayla (young person)"]
    assert CENTRE not in re.search(r'<polygon points="([^"]+)"', kay).group(1)
    assert "Kayla (young person), 3 Mar 2026</li>" in svg
    assert "<td>6</td><td>7</td><td>5</td><td>6</td>" in _row(page, "diamond-latest-table", "Kayla (young person)")

    # Lan gave one number only: a marker, no shape pulled to the centre, and the rest said in words.
    lan = shapes["Lan (grandmother)"]
    assert "<polygon" not in lan and lan.count("<path") == 1
    assert "Lan (grandmother), 10 Mar 2026; Learning, Relationships and Empowerment not rated yet" in svg
    assert "not rated" in _row(page, "diamond-latest-table", "Lan (grandmother)")

    # This time and last time: Donna's this time is the carried Diamond, said the same way.
    assert "This time, 10 Mar 2026; Learning, Relationships and Empowerment from 3 Mar 2026" in page
    # The SVGs keep their text alternatives.
    assert svg.count('role="img"') == 1 and "the numbers are in the table below" in svg

    # The case page's one line says the same: Kayla's goal-only day and Donna's one aim are not
    # read as their latest average.
    summaries = [
        " ".join(re.sub(r"<[^>]+>", " ", s).split())
        for s in re.findall(r"<summary>(.*?)</summary>", client.get(f"/cases/{case.id}").text, re.S)
    ]
    line = next(s for s in summaries if s.startswith("Diamond"))
    assert line.startswith("Diamond · latest average: young person 6, mother 6, grandmother 7 ·"), line


def test_worth_talking_about_sets_the_numbers_the_chart_carries_against_each_other(client, db, settings):
    """Kayla answered only well-being today: the chart still shows her learning 2 from before, so the
    worker's 9 against it is still worth talking about; a goal-only day changes nothing."""
    worker = make_user(db, full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    kayla = young_person(db, case)
    goal = DiamondGoal(id=str(uuid.uuid4()), case_id=case.id, title="Join a club", created_by_user_id=worker.id)
    db.add(goal)
    first, second, third = date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 5)
    rate(db, case=case, by_user=worker, person=kayla, scores=four(2, 2, 2, 2), on=first)
    rate(db, case=case, by_user=worker, scores=four(9, 9, 9, 9), on=first)
    rate(db, case=case, by_user=worker, person=kayla, scores={"wellbeing": 8}, on=second)
    rate(db, case=case, by_user=worker, person=kayla, scores={"goal": 4}, on=third, goal_id=goal.id)
    db.commit()
    login(client, db, worker, settings)
    page = client.get(f"/cases/{case.id}/diamond").text
    points = page.split('<ul class="conversation-points">', 1)[1].split("</ul>", 1)[0]
    for aim in ("Learning", "Relationships", "Empowerment"):
        assert f"{aim}:</strong> Sam Okafor gave 9, Kayla gave 2." in points
    assert "Well-being and happiness:" not in points
