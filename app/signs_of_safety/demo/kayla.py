"""Kayla's demo map (child in need): going missing at night and missing school, with a safety
plan, next steps, her three houses, and three reviews of the scales by Kayla, her mum, her gran
and her worker."""

from __future__ import annotations

from datetime import timedelta

from app.cases.models import new_id
from app.signs_of_safety import service
from app.signs_of_safety.demo.maps import _add, _backdate, _person, _rate_reviews
from app.signs_of_safety.models import Category, House
from app.timeutil import utcnow

C = Category


def _kayla(session, demo) -> None:
    case, worker = demo.cases["Kayla"], demo.users["worker"]
    kayla, donna, pat = _person(demo, "Kayla", "Kayla"), _person(demo, "Kayla", "Donna"), _person(demo, "Kayla", "Pat")
    _add(
        session,
        case,
        worker,
        C.harm,
        "Kayla has been missing overnight three times since September; once she was found in a flat in town with older men.",
        base_version=0,
        family_agrees=True,
    )
    _add(
        session,
        case,
        worker,
        C.harm,
        "Kayla has missed 23 days of school this term.",
        base_version=1,
        person_id=donna.id,
        family_agrees=True,
    )
    pair1 = _add(
        session,
        case,
        worker,
        C.pair,
        "The school and Sam are worried that when Kayla and her mum argue, Kayla leaves home at night and goes to adults who may hurt or exploit her.",
        base_version=1,
        family_agrees=True,
        goal="When arguments happen, Kayla goes to Gran's or stays home, and Donna knows where she is every night.",
        sustain_for="4 months",
        # Jordan, her brother, does not know the worries: his screens show this instead.
        family_text="Everyone is worried about Kayla being out late at night.",
    )
    pair2 = _add(
        session,
        case,
        worker,
        C.pair,
        "Donna is worried that Kayla will fall so far behind at school that she gives up on college.",
        base_version=1,
        person_id=donna.id,
        family_agrees=True,
        goal="Kayla is in school at least four days a week and has a plan for college.",
        sustain_for="one school term",
    )
    _add(
        session,
        case,
        worker,
        C.complicating,
        "Donna works late shifts, so evenings are when Kayla is on her own.",
        base_version=1,
        person_id=donna.id,
        family_agrees=True,
    )
    _add(
        session,
        case,
        worker,
        C.strength,
        "Kayla and her Gran are close: she stays there most weekends and tells Gran what is going on.",
        base_version=1,
        person_id=pat.id,
    )
    _add(
        session,
        case,
        worker,
        C.strength,
        "Donna has come to every meeting and wants Kayla home and safe.",
        base_version=1,
    )
    _add(
        session,
        case,
        worker,
        C.existing_safety,
        "The last time Kayla went missing she texted Gran her location, and Gran fetched her.",
        base_version=1,
        person_id=kayla.id,
    )
    _add(
        session,
        case,
        worker,
        C.next_step,
        "Family network meeting to agree who Kayla can go to at night.",
        base_version=1,
        due_on=demo.today - timedelta(days=20),
        done=True,
    )
    _add(
        session,
        case,
        worker,
        C.next_step,
        "Donna and Kayla agree a phone check-in at 9pm on school nights.",
        base_version=1,
        person_id=donna.id,
        due_on=demo.today + timedelta(days=5),
    )
    _add(
        session,
        case,
        worker,
        C.next_step,
        "Meet the head of year about a reduced timetable.",
        base_version=1,
        due_on=demo.today - timedelta(days=3),
    )
    _add(
        session,
        case,
        worker,
        C.rule,
        "Kayla texts Donna or Gran where she is by 9pm every night.",
        base_version=1,
        person_id=donna.id,
        detail="Donna checks her phone at 9pm and rings Gran if there is no message.",
    )
    _add(
        session,
        case,
        worker,
        C.red_flag,
        "Kayla has a new phone or gifts nobody can explain.",
        base_version=1,
        person_id=pat.id,
        detail="Gran tells Donna the same day and Donna rings Sam.",
    )
    _add(
        session,
        case,
        worker,
        C.non_negotiable,
        "If Kayla is not home and nobody knows where she is by 11pm, Donna reports her missing to the police.",
        base_version=1,
    )
    v1 = service.latest_version(session=session, case=case)
    v1.safety_plan_review_on = demo.today + timedelta(days=14)
    service.submit(session=session, map_version=v1, by=worker)
    _backdate(v1, 56)
    _add(
        session,
        case,
        worker,
        C.strength,
        "Kayla has been home by 9pm on most school nights for four weeks.",
        base_version=1,
        person_id=kayla.id,
    )
    v2 = service.latest_version(session=session, case=case)
    _backdate(v2, 6)

    raters = [
        r
        for r in service.raters(session=session, case=case, actor_user=worker)
        if r.person_id in (kayla.id, donna.id, pat.id) or r.key == "key_worker"
    ]
    by_key = {r.key: r for r in raters}
    scores = {
        f"person:{kayla.id}": [[6, 7, 5], [7, 7, 6], [8, 8, 6]],
        f"person:{donna.id}": [[3, 2, 4], [5, 5, 5], [6, 6, 6]],
        f"person:{pat.id}": [[4, 3, 5], [5, 5, 5], [7, 7, 6]],
        "key_worker": [[2, 2, 3], [4, 4, 4], [5, 5, 5]],
    }
    _rate_reviews(
        session,
        case,
        worker,
        list(by_key.values()),
        [None, pair1.item_key, pair2.item_key],
        scores,
        [56, 28, 2],
        {
            "key_worker": (
                "Kayla has not gone missing for five weeks and tells Gran when she is upset.",
                "Kayla back in school four days a week, and the 9pm check-in kept without reminders.",
            ),
            f"person:{donna.id}": (
                "We are talking again, not just shouting.",
                "Me knowing where she is every night without having to chase.",
            ),
            f"person:{kayla.id}": ("I can go to Gran's when it kicks off.", "Mum not checking my phone all the time."),
        },
    )
    for house, text, own in [
        (House.worries, "Mum and me shouting, then I just want to get out.", True),
        (House.worries, "People at school saying stuff about me online.", True),
        (House.good_things, "Gran's house. My dog Biscuit. Football on Saturdays.", True),
        (House.dreams, "Being a vet nurse. Mum and me going to Blackpool like we used to.", True),
    ]:
        entry, _ = service.add_house_entry(
            session=session,
            case=case,
            entry_id=new_id(),
            house=house,
            text=text,
            own_words=own,
            drawing_png=None,
            drawing_description="",
            consent_to_share=house != House.worries,
            person_id=kayla.id,
            by=worker,
        )
        entry.created_at = utcnow() - timedelta(days=50)
