"""Who may see and say what in family mode, on the demo family (Kayla Morgan's case).

Every family screen of every person is asked while each person in turn has the tablet: only the
rater's own screens answer; another person's answer 404 with the "hand back" page and store
nothing; Kayla's private words and the worries appear only where they may (asserted on the text).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import Person
from app.demo import DEMO_PIN
from app.diamond import rules
from app.diamond.service import open_goals
from app.signs_of_safety.models import MapItem, ThreeHousesEntry
from tests.demo_copy import demo_service
from tests.factories import login
from tests.family.factories import hand_over, live_session

# Kayla's worries house, which she did not agree to share (app/signs_of_safety/demo/kayla.py).
PRIVATE = ("Mum and me shouting", "People at school saying stuff about me online")
WORRY = "adults who may hurt or exploit her"
FAMILY_VERSION = "Everyone is worried about Kayla being out late at night."


def screens(case_id: int, person: Person, goal_ids: list[str]) -> list[str]:
    home = f"/family/{case_id}/{person.id}"
    urls = [home, f"{home}/done", f"{home}/safety-scale", f"{home}/feedback"]
    urls += [f"{home}/diamond/{aim}" for aim in rules.AIM_KEYS]
    urls += [f"{home}/goal/{goal_id}" for goal_id in goal_ids]
    if person.is_young_person:
        urls += [f"{home}/three-houses/{house}" for house in ("worries", "good_things", "dreams")]
    return urls


@pytest.fixture
def demo_family(client, db, settings):
    demo = demo_service(session=db, settings=settings)
    db.commit()
    case = demo.cases["Kayla"]
    people = db.exec(select(Person).where(Person.case_id == case.id).order_by(Person.name)).all()
    goals = [g.id for g in open_goals(session=db, case=case)]
    worker = demo.users["worker"]
    login(client, db, worker, settings)
    return worker, case, people, goals


def test_only_the_raters_own_screens_answer_and_private_words_stay_private(client, db, demo_family):
    worker, case, people, goals = demo_family
    by_name = {p.name.split()[0]: p for p in people}
    assert {"Kayla", "Donna", "Pat", "Jordan"} <= set(by_name)
    assert not by_name["Jordan"].knows_the_worries
    first = people[0]
    assert hand_over(client, case, first, pin=DEMO_PIN).status_code == 303
    seen: dict[str, str] = {}
    for rater in people:
        assert client.post(f"/family/{case.id}/who", data={"person": rater.id}).status_code == 303
        assert live_session(db, worker).family_person_id == rater.id
        texts = [client.get(f"/family/{case.id}/hand-back").text]
        for person in people:
            for url in screens(case.id, person, goals):
                response = client.get(url)
                if person.id == rater.id:
                    assert response.status_code == 200, (rater.name, url)
                else:
                    assert response.status_code == 404, (rater.name, url)
                    assert "Please hand the tablet back to your worker" in response.text
                    # Said as another person's turn: the tablet keeps an answer given there (offline.js).
                    assert response.headers.get("x-homeward-not-their-turn") == "true", (rater.name, url)
                texts.append(response.text)
                seen[f"{rater.name} {url}"] = response.text
        texts.append(client.get(f"/family/{case.id}/who").text)  # ends the turn: last
        every = "\n".join(texts)
        # Every turn here was picked on "Someone else's turn", which anyone in the room can do:
        # Kayla's private words from before show on none of them, hers included.
        assert not any(words in every for words in PRIVATE), rater.name
        if rater.knows_the_worries:
            assert WORRY in seen[f"{rater.name} /family/{case.id}/{rater.id}/safety-scale"]
        else:
            assert WORRY not in every, rater.name
            assert FAMILY_VERSION in seen[f"{rater.name} /family/{case.id}/{rater.id}/safety-scale"]


def test_private_words_show_on_the_turn_the_worker_handed_over_and_a_picked_turn_shows_only_its_own(
    client, db, demo_family
):
    """A parent can pick the young person's name on "Someone else's turn" (nothing checks who is
    holding the tablet), so that turn shows her none of the private words written before it."""
    _, case, people, _ = demo_family
    kayla = next(p for p in people if p.is_young_person)
    donna = next(p for p in people if p.name.startswith("Donna"))
    worries = f"/family/{case.id}/{kayla.id}/three-houses/worries"
    hand_over(client, case, kayla, pin=DEMO_PIN)  # the worker saw Kayla take the tablet
    handed = client.get(worries).text
    assert all(words in handed for words in PRIVATE)
    assert "you only see what you write now" not in handed

    # On her own turn she writes one more, on a tablet whose clock runs four minutes fast.
    fast = "I sleep at my nans house when it gets loud"
    stamp = (datetime.now(UTC) + timedelta(minutes=4)).isoformat()
    assert client.post(worries, data={"id": str(uuid.uuid4()), "text": fast, "recorded_at": stamp}).status_code == 303

    for person in (donna, kayla):  # Donna has the tablet, and says it is Kayla's turn
        assert client.post(f"/family/{case.id}/who", data={"person": person.id}).status_code == 303
    page = client.get(worries).text
    assert not any(words in page for words in PRIVATE) and fast not in page
    # The screen says why, in words that say nothing of whether she wrote anything private.
    assert "On this turn you only see what you write now." in page
    # What is written on this turn shows on it, and is not shared unless she says so.
    new = "Nobody listens when I say I am scared"
    saved = client.post(worries, data={"id": str(uuid.uuid4()), "text": new, "recorded_at": ""})
    assert saved.status_code == 303
    page = client.get(worries)
    assert new in page.text and not any(words in page.text for words in PRIVATE)
    assert "no-store" in page.headers["cache-control"]
    for person in (donna, kayla):
        client.post(f"/family/{case.id}/who", data={"person": person.id})
    assert new not in client.get(worries).text
    entry = db.exec(select(ThreeHousesEntry).where(ThreeHousesEntry.text == new)).one()
    assert entry.person_id == kayla.id and not entry.consent_to_share


def test_writes_to_another_persons_screens_are_refused_audited_and_store_nothing(client, db, demo_family):
    worker, case, people, goals = demo_family
    kayla = next(p for p in people if p.is_young_person)
    donna = next(p for p in people if p.name.startswith("Donna"))
    hand_over(client, case, donna, pin=DEMO_PIN)
    entries = len(db.exec(select(ThreeHousesEntry)).all())
    audit_before = len(db.exec(select(AuditEntry).where(AuditEntry.action == "family_refused")).all())
    forged = [
        (f"/family/{case.id}/{kayla.id}/diamond/wellbeing", {"id": str(uuid.uuid4()), "score": "9"}),
        (f"/family/{case.id}/{kayla.id}/three-houses/worries", {"id": str(uuid.uuid4()), "text": "Not Kayla"}),
        (f"/family/{case.id}/{kayla.id}/safety-scale", {"id": str(uuid.uuid4()), "score-0": "9"}),
        (f"/family/{case.id}/{kayla.id}/feedback", {"id": str(uuid.uuid4()), "round": "1"}),
        (f"/family/{case.id}/not-a-person/diamond/wellbeing", {"id": str(uuid.uuid4()), "score": "9"}),
        ("/family/diamond/wellbeing", {"id": str(uuid.uuid4()), "score": "9", "rater": kayla.id}),
        (f"/family/{case.id}/who", {"person": str(uuid.uuid4())}),
    ]
    for url, body in forged:
        response = client.post(url, data=body)
        assert response.status_code == 404 and "hand the tablet back" in response.text, url
    db.expire_all()
    assert len(db.exec(select(ThreeHousesEntry)).all()) == entries
    refused = db.exec(select(AuditEntry).where(AuditEntry.action == "family_refused")).all()
    assert len(refused) - audit_before == len(forged)
    assert live_session(db, worker).family_person_id == donna.id
    # Donna's own answer is stored in her name, whatever the form says.
    ok = client.post(
        f"/family/{case.id}/{donna.id}/diamond/wellbeing",
        data={"id": str(uuid.uuid4()), "score": "6", "rater": kayla.id},
    )
    assert ok.status_code == 303


def test_a_parent_rates_how_they_see_the_young_person_and_is_greeted_by_the_name_they_go_by(client, db, demo_family):
    _, case, people, _ = demo_family
    pat = next(p for p in people if p.name.startswith("Pat"))
    kayla = next(p for p in people if p.is_young_person)
    hand_over(client, case, pat, pin=DEMO_PIN)
    home = client.get(f"/family/{case.id}/{pat.id}").text
    assert "Hello, Nan" in home and "Hello, Pat" not in home
    question = client.get(f"/family/{case.id}/{pat.id}/diamond/wellbeing").text
    assert "How happy and well do you think Kay is?" in question
    client.post(f"/family/{case.id}/who", data={"person": kayla.id})
    mine = client.get(f"/family/{case.id}/{kayla.id}/diamond/wellbeing").text
    assert (
        "How happy and well do you feel at the moment?" in mine
        and "Hello, Kay" in client.get(f"/family/{case.id}/{kayla.id}").text
    )


def test_the_copy_kept_on_the_tablet_never_carries_private_words(client, db, demo_family):
    """The worker's session renders the pages "Take offline" keeps; anyone holding the tablet could open them."""
    _, case, people, _ = demo_family
    kayla = next(p for p in people if p.is_young_person)
    page = client.get(f"/family/{case.id}/{kayla.id}/three-houses/worries").text
    assert not any(words in page for words in PRIVATE)
    assert db.exec(select(MapItem).where(MapItem.family_text == FAMILY_VERSION)).first() is not None


def test_the_young_persons_private_words_on_her_turn_are_never_kept_by_any_cache(client, db, demo_family):
    _, case, people, _ = demo_family
    kayla = next(p for p in people if p.is_young_person)
    hand_over(client, case, kayla, pin=DEMO_PIN)
    response = client.get(f"/family/{case.id}/{kayla.id}/three-houses/worries")
    assert all(words in response.text for words in PRIVATE)
    # sw.js does not refresh the copy kept on the device with a page marked never to be kept.
    assert "no-store" in response.headers["cache-control"]
    assert response.headers["x-device-keep"] == "never"
    dreams = client.get(f"/family/{case.id}/{kayla.id}/three-houses/dreams")
    assert "x-device-keep" not in dreams.headers


def test_the_family_screen_carries_an_offline_check_of_the_pin_never_of_the_password(client, db, demo_family):
    """Whoever holds the tablet could guess the worker's login offline from a check made from it.
    Handed over with the password, the screens carry no check (the hand-back then needs a signal)."""
    from app.demo import DEMO_PASSWORD

    _, case, people, _ = demo_family
    kayla = next(p for p in people if p.is_young_person)
    assert hand_over(client, case, kayla, pin=DEMO_PASSWORD).status_code == 303
    page = client.get(f"/family/{case.id}/{kayla.id}").text
    assert "data-pin-check" not in page and "data-no-offline-check" in page
    client.post(f"/family/{case.id}/hand-back", data={"secret": DEMO_PASSWORD, "pin": DEMO_PASSWORD})
    assert hand_over(client, case, kayla, pin=DEMO_PIN).status_code == 303
    assert "data-pin-check" in client.get(f"/family/{case.id}/{kayla.id}").text


def test_someone_elses_turn_ends_the_turn_so_the_next_person_cannot_go_back_to_it(client, db, demo_family):
    """Kayla, handed the tablet with the PIN, sees every private word of hers; when she taps
    "Someone else's turn" and passes the tablet on, none of her screens opens again (not by a
    typed address, the locked page's "Back to my screens" or the old /family address) until
    someone picks a name, and a name picked then shows only what is written from then on."""
    worker, case, people, goals = demo_family
    kayla = next(p for p in people if p.is_young_person)
    donna = next(p for p in people if p.name.startswith("Donna"))
    worries = f"/family/{case.id}/{kayla.id}/three-houses/worries"
    hand_over(client, case, kayla, pin=DEMO_PIN)
    assert all(words in client.get(worries).text for words in PRIVATE)

    who = client.get(f"/family/{case.id}/who")
    assert who.status_code == 200 and "Tap your name" in who.text
    assert live_session(db, worker).family_person_id is None
    # Donna now holds the tablet and tries every way back to Kayla's screens.
    locked = client.get("/")
    assert locked.status_code == 403
    assert client.get("/family", follow_redirects=False).headers["location"] == f"/family/{case.id}/who"
    for url in screens(case.id, kayla, goals):
        response = client.get(url)
        assert response.status_code == 404, url
        assert not any(words in response.text for words in PRIVATE), url
    # Kayla's name picked now (by whoever holds the tablet) shows none of her earlier words.
    assert client.post(f"/family/{case.id}/who", data={"person": kayla.id}).status_code == 303
    assert not any(words in client.get(worries).text for words in PRIVATE)
    ended = db.exec(select(AuditEntry).where(AuditEntry.action == "family_turn_end")).all()
    assert [e.object_id for e in ended] == [kayla.id]
    # Outside her turn nothing of Donna's opens either until she picks her name.
    client.get(f"/family/{case.id}/who")
    assert client.get(f"/family/{case.id}/{donna.id}").status_code == 404


def test_not_yet_on_the_hand_back_screen_goes_back_to_the_same_turn(client, db, demo_family):
    """Kayla taps "Hand back" by mistake: "Not yet" takes her back to her own screens, her turn
    and her private words still hers (the who screen would end the turn)."""
    worker, case, people, _ = demo_family
    kayla = next(p for p in people if p.is_young_person)
    hand_over(client, case, kayla, pin=DEMO_PIN)
    page = client.get(f"/family/{case.id}/hand-back").text
    home = f"/family/{case.id}/{kayla.id}"
    assert f'href="{home}" data-not-yet' in page
    assert client.get(home).status_code == 200
    assert live_session(db, worker).family_person_id == kayla.id
    assert all(words in client.get(f"{home}/three-houses/worries").text for words in PRIVATE)
