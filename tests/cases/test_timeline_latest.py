"""The case page's timeline reads only each feature's latest items (issue 21): what it shows is
still exactly the newest of the whole case, in order, with the right count of older ones."""

from __future__ import annotations

import re
from datetime import time, timedelta

from app.cases import extensions
from app.cases.models import CaseEvent, Contact
from app.timeutil import today, utcnow
from tests.diamond.factories import four, rate
from tests.factories import login, make_case, make_user
from tests.querycount import count_queries


def _shown(html: str) -> list[tuple[str, str]]:
    timeline = html[html.index('id="timeline"') :]
    return re.findall(r'<time datetime="([^"]+)">.*?<span class="timeline-title">(?:<a [^>]*>)?([^<]+)', timeline, re.S)


def _expected(db, case, kind: str = "") -> list[tuple[str, str]]:
    every = extensions.timeline_items(session=db, case=case)  # no limit: everything, newest first
    return [(i.at.isoformat(), i.title) for i in every if not kind or i.kind == kind]


def _long_case(db):
    worker = make_user(db, full_name="Sam Okafor")
    case = make_case(db, worker=worker, referral_date=today() - timedelta(days=400))
    for n in range(45):  # contacts on the same days as the events and ratings, some with a time
        day = today() - timedelta(days=n // 3)
        start = (time(9, 0), None, time(17, 30))[n % 3]  # before, at (noon) and after the others
        db.add(Contact(case_id=case.id, kind="phone", occurred_on=day, start_time=start, by_user_id=worker.id))
    for n in range(30):
        db.add(CaseEvent(case_id=case.id, kind="note", rationale=f"Decision {n}", by_user_id=worker.id,
                         occurred_at=utcnow() - timedelta(hours=11 * n)))  # fmt: skip
    for n in range(6):
        rate(db, case=case, by_user=worker, scores=four(2, 3, 4, 5), on=today() - timedelta(days=2 * n))
    db.commit()
    return worker, case


def test_the_timeline_shows_the_newest_items_of_every_feature_and_counts_the_rest(client, db, settings):
    worker, case = _long_case(db)
    login(client, db, worker, settings)
    everything = _expected(db, case)
    assert len(everything) > 80
    for shown in (20, 40, 60):
        page = client.get(f"/cases/{case.id}", params={"shown": shown} if shown != 20 else None).text
        assert _shown(page) == everything[:shown], shown
        assert f"({len(everything) - shown} more)" in page
    for kind in ("contact", "event", "rating"):
        of_kind = _expected(db, case, kind)
        block = client.get(f"/cases/{case.id}", params={"kind": kind}, headers={"HX-Request": "true"}).text
        assert _shown(block) == of_kind[:20], kind
        assert (f"({len(of_kind) - 20} more)" in block) == (len(of_kind) > 20), kind


def test_the_timeline_reads_the_same_statements_for_a_short_and_a_long_case(client, db, settings, engine):
    worker, long = _long_case(db)
    short = make_case(db, worker=worker)
    db.add(Contact(case_id=short.id, kind="phone", occurred_on=today(), by_user_id=worker.id))
    # The same kinds of record as the long case, one each: a case with no Diamond rating at all
    # reads none (app/cases/reads.py), as one with no contact reads none.
    rate(db, case=short, by_user=worker, scores=four(2, 3, 4, 5), on=today())
    db.commit()
    login(client, db, worker, settings)
    counted = []
    for case in (short, long):
        with count_queries(engine) as statements:
            assert (
                client.get(f"/cases/{case.id}", params={"kind": "contact"}, headers={"HX-Request": "true"}).status_code
                == 200
            )
        counted.append(len(statements))
    assert counted[0] == counted[1], counted
