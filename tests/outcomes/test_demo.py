"""The demo gives the scorecard a year of history big enough to show, not withhold, its figures."""

from __future__ import annotations

from datetime import timedelta

from app.demo import load_demo
from app.outcomes.card import Period
from app.outcomes.scorecard import scorecard


def test_demo_year_shows_every_headline_figure_above_the_small_number_line(db, settings):
    demo = load_demo(session=db, settings=settings)
    db.flush()
    card = scorecard(session=db, period=Period(demo.today - timedelta(days=364), demo.today), team_id=None)
    assert card.worked_with.now >= 20 and card.worked_with.before >= 10
    assert card.referrals.now >= 5 and card.contacts.now > 100
    assert card.endings["closed"].now >= 10 and card.endings["aims_achieved"].now >= 5
    at_home, known = card.at_home["ending"]
    assert known.now >= 10 and 5 <= at_home.now <= known.now
    assert card.at_home["follow_up_6"][1].now >= 5 and card.at_home["follow_up_12"][1].now >= 5
    assert card.entered_care.now >= 1
    yp = next(c for c in card.diamond if c.rater == "Young person")
    assert yp.pairs >= 20 and yp.mean_change > 0 and yp.improved >= 5
    worker = next(c for c in card.scales if c.rater == "Worker")
    assert worker.pairs >= 10 and worker.improved >= 5
    assert sum(p.now for _, p in card.by_group) == card.worked_with.now
    assert card.screened.now >= 5 and card.eligible.now >= 5
    assert sum(n for _, n in card.days_in_care) >= 1 and card.days_in_care_quartiles() is not None
    young_people = next(f for f in card.feedback if f.perspective == "Young people")
    assert young_people.responses.now >= 5 and young_people.good.now >= 5
