"""The case page's closed parts say something a worker uses at a glance on their summary line
(issue 18): the Diamond's latest numbers, the safety scale, BASE's stage and high risks, the next
network meeting, consent still missing, and the follow-up due; in words, never colour alone."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from app.signs_of_safety.models import ScaleRating
from app.timeutil import today, utcnow
from tests.base.factories import RISK
from tests.diamond.factories import four, rate
from tests.factories import login
from tests.network.factories import make_family_case, meeting_form
from tests.signs_of_safety.factories import young_person


def _summary(page: str, part: str) -> str:
    """The text of the closed summary line of the part named `part`, tags removed."""
    for line in re.findall(r"<summary>(.*?)</summary>", page, re.S):
        text = " ".join(re.sub(r"<[^>]+>", " ", line).split())
        if text.startswith(part):
            return text
    raise AssertionError(f"no summary line for {part}")


def test_a_new_case_says_what_is_not_there_yet(client, db, settings):
    worker, case, _ = make_family_case(db, network_consent=False)
    db.commit()
    login(client, db, worker, settings)
    page = client.get(f"/cases/{case.id}").text
    assert _summary(page, "Diamond") == "Diamond · no ratings yet"
    assert _summary(page, "Signs of Safety") == "Signs of Safety · no map yet"
    assert _summary(page, "BASE") == "BASE · not started"
    assert _summary(page, "Network") == "Network · no meetings yet"
    assert _summary(page, "Consent") == "Consent · none recorded yet"
    assert _summary(page, "Contacts") == "Contacts · none yet"


def test_each_part_summarises_its_latest_state(client, db, settings):
    worker, case, people = make_family_case(db)
    yp = young_person(db, case)
    three_days_ago = today() - timedelta(days=3)
    rate(db, case=case, by_user=worker, person=yp, scores=four(6, 7, 5, 6), on=three_days_ago)
    rate(db, case=case, by_user=worker, person=people["Donna"], scores=four(4, 4, 4, 4), on=three_days_ago)
    rate(db, case=case, by_user=worker, scores=four(5, 5, 6, 6), on=today() - timedelta(days=10))
    rate(db, case=case, by_user=worker, scores=four(5, 5, 5, 5), on=three_days_ago)
    for score, hours in ((3, 48), (6, 1)):
        db.add(
            ScaleRating(
                case_id=case.id,
                rater_role="worker",
                rater_name="Sam Okafor",
                score=score,
                anchor_low="Kayla will be harmed",
                anchor_high="Everyone is confident Kayla is safe",
                rated_at=utcnow() - timedelta(hours=hours),
                recorded_by_id=worker.id,
            )
        )
    db.commit()
    login(client, db, worker, settings)
    # A map with one next step, BASE with two high risks, a network meeting with its next date.
    map_item = {
        "id": str(uuid.uuid4()),
        "base_version": "0",
        "category": "next_step",
        "text": "Meet the head of year with Donna.",
        "who": "key_worker",
        "due_on": (today() + timedelta(days=5)).isoformat(),
    }
    assert client.post(f"/cases/{case.id}/signs-of-safety/items", data=map_item).status_code == 303
    assert client.post(f"/cases/{case.id}/base", data={"id": str(uuid.uuid4())}).status_code == 303
    vid = client.get(f"/cases/{case.id}/base/risk").text.split('name="version_id" value="')[1].split('"')[0]
    high = {**RISK, "likelihood": "4", "imminence": "4", "impact": "4"}
    for _ in range(2):
        data = {"version_id": vid, "id": str(uuid.uuid4()), **high}
        assert client.post(f"/cases/{case.id}/base/risk", data=data).status_code == 303
    next_meeting = today() + timedelta(days=20)
    meeting = meeting_form(
        people,
        held_on=(today() - timedelta(days=2)).isoformat(),
        next_meeting_on=next_meeting.isoformat(),
        **{f"task-{n}-due": (today() + timedelta(days=7 + n)).isoformat() for n in range(4)},
    )
    assert client.post(f"/cases/{case.id}/network/meetings", data=meeting).status_code == 303
    visit = {
        "kind": "visit",
        "place": "home",
        "outcome": "attended",
        "occurred_on": (today() - timedelta(days=1)).isoformat(),
        "duration_minutes": "60",
        "present": [yp.id],
        "young_person_seen": "1",
        "seen_alone": "1",
    }
    assert client.post(f"/cases/{case.id}/contacts", data=visit).status_code == 303

    page = client.get(f"/cases/{case.id}").text
    day = today() - timedelta(days=1)
    assert _summary(page, "Contacts") == f"Contacts · latest {day:%-d %b %Y}: home visit, young person seen alone"
    assert _summary(page, "Diamond") == "Diamond · latest average: young person 6, mother 4, worker 5 · 3 days ago"
    assert _summary(page, "Signs of Safety") == "Signs of Safety · safety scale: Sam 6 (was 3) · 1 next step open"
    base = _summary(page, "BASE")
    assert base.startswith("BASE · stage: engagement") and "2 risks high" in base
    assert _summary(page, "Network") == f"Network · next meeting {next_meeting:%-d %b} · 4 tasks open"
    consent = _summary(page, "Consent")
    assert consent.startswith("Consent · 3 purposes missing:") and "family network meeting" not in consent
