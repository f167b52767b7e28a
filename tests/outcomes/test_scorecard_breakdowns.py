"""The scorecard's breakdowns of contacts, endings and distance travelled, and "entered care within
12 months of ending", against fixtures whose answers are worked out by hand in each test."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.outcomes.card import Period
from app.outcomes.scorecard import scorecard
from tests.factories import login, make_case, make_team, make_user
from tests.outcomes.test_scorecard import PERIOD, contact, diamond, ending, noon, record, scale, service  # noqa: F401


def test_contacts_endings_and_distance_by_age_band_match_the_fixture(db, service):  # noqa: F811
    c = service["cases"]
    # Ages on 30 June 2026: case 1 is 13 (12 to 13), case 2 is 14 and cases 4 to 6 are 15 (14 to 15),
    # case 3 is 16 (16 to 17), case 7's birth date is not known.
    ending(db, c[3], "closed", "stepped_up", date(2026, 5, 1))
    ending(db, c[7], "closed", "moved_away", date(2026, 5, 2))
    ending(db, c[7], "dormant", "", date(2025, 12, 1))
    db.commit()
    card = scorecard(session=db, period=PERIOD, team_id=None)

    # Contacts, attended or not: case 1 has two this period (one missed) and one before.
    assert {g: (p.now, p.before) for g, p in card.contacts_by_group.items()} == {
        "12_13": (2, 1),
        "14_15": (4, 1),
        "16_17": (1, 0),
        "not_known": (1, 0),
    }
    assert sum(p.now for p in card.contacts_by_group.values()) == card.contacts.now

    by = {g: {k: (p.now, p.before) for k, p in kinds.items()} for g, kinds in card.endings_by_group.items()}
    # Case 5 to dormant and case 6 closed (consent withdrawn) now; case 6 to dormant before (dormant
    # endings carry no closure reason).
    assert by["14_15"] == {
        "all": (2, 1),
        "dormant": (1, 1),
        "closed": (1, 0),
        "to_dormant": (1, 1),
        "consent_withdrawn": (1, 0),
    }
    assert by["16_17"] == {"all": (1, 0), "closed": (1, 0), "stepped_up": (1, 0)}
    assert by["not_known"] == {"all": (1, 1), "closed": (1, 0), "moved_away": (1, 0), "dormant": (0, 1),
                               "to_dormant": (0, 1)}  # fmt: skip
    assert set(by) == {"14_15", "16_17", "not_known"}

    # Diamond: case 1's young person 3 -> 6 and worker 5 -> 5 (12 to 13); case 2's young person
    # 7 -> 4 (14 to 15). Case 3 rated once; case 4's latest is before the period.
    diamond_rows = [
        (g, ch.rater, ch.pairs, ch.mean_change, ch.improved, ch.same, ch.worse) for g, ch in card.diamond_by_group
    ]
    assert diamond_rows == [
        ("12_13", "Worker", 1, 0.0, 0, 1, 0),
        ("12_13", "Young person", 1, 3.0, 1, 0, 0),
        ("14_15", "Young person", 1, -3.0, 0, 0, 1),
    ]
    # The totals per rater are the groups added together.
    assert {(ch.rater, ch.pairs, ch.mean_change) for ch in card.diamond} == {
        ("Worker", 1, 0.0),
        ("Young person", 2, 0.0),
    }
    assert [(g, ch.rater, ch.pairs, ch.improved) for g, ch in card.scales_by_group] == [("12_13", "Young person", 1, 1)]


def test_breakdown_by_gender_puts_everyone_in_their_group(db):
    team = make_team(db, name="East")
    worker = make_user(db, team=team)
    girls = [make_case(db, worker=worker, gender="female") for _ in range(5)]
    boy = make_case(db, worker=worker, gender="male")
    for i, case in enumerate(girls):
        contact(db, case, date(2026, 2, 1))
        ending(db, case, "closed", "aims_achieved", date(2026, 3, 1))
        diamond(db, case, 2, date(2026, 1, 5))
        diamond(db, case, 2 + i % 3, date(2026, 3, 5))  # +0, +1, +2, +0, +1
    contact(db, boy, date(2026, 2, 1))
    contact(db, boy, date(2026, 2, 8))
    ending(db, boy, "closed", "moved_away", date(2026, 3, 1))
    db.commit()
    card = scorecard(session=db, period=PERIOD, team_id=team.id, breakdown="gender")
    assert {g: p.now for g, p in card.contacts_by_group.items()} == {"female": 5, "male": 2}
    assert card.endings_by_group["female"]["aims_achieved"].now == 5
    assert card.endings_by_group["male"]["moved_away"].now == 1
    ((group, girls_change),) = card.diamond_by_group
    assert group == "female"
    assert (girls_change.pairs, girls_change.mean_change, girls_change.improved, girls_change.same) == (5, 0.8, 3, 2)


def test_the_page_shows_the_new_breakdowns_with_small_numbers_withheld(client, db, service, settings):  # noqa: F811
    login(client, db, service["mgr"], settings)
    page = client.get("/scorecard", params={"start": "2026-01-01", "end": "2026-06-30", "breakdown": "age_band"})
    assert page.status_code == 200
    text = page.text
    for heading in (
        "Contacts recorded by age band",
        "Endings in this period by reason and age band",
        "Diamond aims: first against latest by age band",
        "Safety scale: first against latest by age band",
        "Entered care within 12 months of ending",
    ):
        assert heading in text
    assert 'id="contacts-chart"' in text and 'id="endings-groups-chart"' in text and 'id="distance-chart"' in text
    # Every count in the fixture is below five: none is shown as a number in the new tables.
    start = text.index('id="contact-groups"')
    table = text[start : text.index("</table>", start)]
    assert "<td>fewer than 5</td>" in table
    for n in range(1, 5):
        assert f"<td>{n}</td>" not in table
    start = text.index('id="endings-groups"')
    table = text[start : text.index("</table>", start)]
    assert "Consent withdrawn" in table and "<td>2</td>" not in table and "<td>1</td>" not in table


# Entered care within 12 months of ending: one case per answer, the work ending at noon on 1 March
# 2026 (day 0). Day 365 is 1 March 2027, day 366 is 2 March 2027.
ENDED = date(2026, 3, 1)
DAY_365, DAY_366 = ENDED + timedelta(days=365), ENDED + timedelta(days=366)


@pytest.fixture
def endings(db):
    team = make_team(db, name="West")
    worker = make_user(db, team=team)
    cases = {}

    def ended(name, *, gender="female", at=None):
        case = make_case(db, worker=worker, gender=gender)
        db.add(case)
        cases[name] = case
        ending(db, case, "closed", "aims_achieved", ENDED, at=at)
        return case

    record(db, ended("in care on day 365"), "follow_up_12", DAY_365, living="in_care")
    record(db, ended("in care first seen on day 366"), "follow_up_12", DAY_366, living="in_care", care_status="cla")
    record(db, ended("looked after since day 365"), "imported", date(2027, 6, 1), care_status="cla",
           care_status_since=DAY_365)  # fmt: skip
    record(db, ended("looked after since day 366"), "imported", date(2027, 6, 1), care_status="cla",
           care_status_since=DAY_366)  # fmt: skip
    record(db, ended("at home on day 365"), "follow_up_12", DAY_365, living="with_parents", care_status="none")
    record(db, ended("at home on day 364"), "follow_up_12", DAY_365 - timedelta(days=1), living="with_parents",
           care_status="none")  # fmt: skip
    record(db, ended("at home at 6 months", gender="male"), "follow_up_6", date(2026, 9, 1), living="with_parents")
    ended("nothing recorded since", gender="male")
    # In care before the work ended, at home on day 365: the earlier record is not evidence.
    case = ended("in care before the ending", gender="male")
    record(db, case, "ending", ENDED - timedelta(days=1), living="in_care", care_status="cla")
    record(db, case, "follow_up_12", DAY_365, living="relatives_friends", care_status="cin")
    # Ended at 00:30 on 16 June 2026 UK summer time (23:30 UTC on the 15th): day 365 is 16 June 2027.
    case = ended("ended after midnight in summer", at=datetime(2026, 6, 15, 23, 30, tzinfo=UTC))
    record(db, case, "follow_up_12", date(2027, 6, 16), living="in_care")
    # Ended twice in the period: counted once, from the later ending (1 April), 365 days to 1 April 2027.
    case = ended("ended twice")
    ending(db, case, "closed", "aims_achieved", date(2026, 4, 1))
    record(db, case, "follow_up_12", date(2027, 4, 1), living="in_care")
    # Ended in the previous period (1 October 2025) and found in care on 1 December 2025.
    case = ended("ended before", at=noon(date(2025, 10, 1)))
    record(db, case, "follow_up_3", date(2025, 12, 1), care_status="cla")
    db.commit()
    return team


def test_entered_care_within_12_months_at_the_boundaries(db, endings):
    card = scorecard(session=db, period=PERIOD, team_id=endings.id)
    answers = {k: (p.now, p.before) for k, p in card.care_within_12.items()}
    # Yes: day 365 in care, looked after since day 365, after midnight in summer, ended twice; before: 1.
    # No: looked after only from day 366, at home on day 365 (twice: once after care before the ending).
    # Not known: in care first seen on day 366 (since when?), at home on day 364, at 6 months, nothing.
    assert answers == {"yes": (4, 1), "no": (3, 0), "not_known": (4, 0)}
    assert sum(p.now for p in card.care_within_12.values()) == 11  # eleven young people ended in the period
    by_gender = {g: {k: p.now for k, p in a.items()} for g, a in card.care_within_12_by_group.items()}
    assert card.breakdown == "age_band" and set(by_gender) == {"14_15"}
    card = scorecard(session=db, period=PERIOD, team_id=endings.id, breakdown="gender")
    by_gender = {g: {k: p.now for k, p in a.items() if p.now} for g, a in card.care_within_12_by_group.items()}
    assert by_gender == {"female": {"yes": 4, "no": 2, "not_known": 2}, "male": {"no": 1, "not_known": 2}}


def test_entered_care_shows_the_share_of_those_known_and_withholds_small_numbers(client, db, endings, settings):
    from app.outcomes import figures

    card = scorecard(session=db, period=PERIOD, team_id=endings.id)
    lines = {x.label: (x.now, x.before) for x in figures.care_within_12(card)}
    assert lines == {
        "Entered care": ("fewer than 5", "fewer than 5"),
        "Did not enter care": ("fewer than 5", "0"),
        "Not known yet": ("fewer than 5", "0"),
        # 4 of 7 known: a share of a small count is withheld too.
        "Entered care, of those whose 12 months are known": ("fewer than 5", "fewer than 5"),
    }
    manager = make_user(db, role="manager")
    login(client, db, manager, settings)
    page = client.get("/scorecard", params={"start": "2026-01-01", "end": "2026-06-30", "team": str(endings.id)})
    start = page.text.index('id="care12"')
    table = page.text[start : page.text.index("</table>", start)]
    assert "Not known yet" in table and "<td>fewer than 5</td>" in table
    assert "<td>4</td>" not in table and "<td>3</td>" not in table and "%" not in table


def test_a_period_in_winter_and_one_in_summer_give_the_same_local_days(db, endings):
    # The same case seen from a period that holds only its summer ending: still "yes".
    card = scorecard(session=db, period=Period(date(2026, 6, 16), date(2026, 6, 16)), team_id=endings.id)
    assert {k: p.now for k, p in card.care_within_12.items()} == {"yes": 1}
    card = scorecard(session=db, period=Period(date(2026, 6, 15), date(2026, 6, 15)), team_id=endings.id)
    assert card.care_within_12 == {}


def test_the_demo_year_gives_the_new_figures_something_to_show(db, settings):
    from tests.demo_copy import demo_service

    demo = demo_service(session=db, settings=settings)
    db.flush()
    card = scorecard(session=db, period=Period(demo.today - timedelta(days=364), demo.today), team_id=None)
    # Work that ended this year mostly has no 12-month record yet; the year before's is known.
    care = card.care_within_12
    assert care["not_known"].now >= 5
    assert care["yes"].before + care["no"].before >= 10 and care["no"].before >= 5
    ended = card.endings["closed"].now + card.endings["dormant"].now
    assert sum(kinds["all"].now for kinds in card.endings_by_group.values()) == ended
    assert sum(p.now for p in card.contacts_by_group.values()) == card.contacts.now > 100
    assert len(card.diamond_by_group) >= 5
