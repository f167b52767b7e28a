"""Amira's demo map (child protection): her mum's ex-partner, self-harm and caring for her cousins,
with a safety plan, two submitted versions, her three houses, and four reviews of the scales by
Amira, her mum, her uncle, her worker and the team's supervisor."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from app.cases.models import new_id
from app.signs_of_safety import service
from app.signs_of_safety.demo.maps import _add, _backdate, _person, _rate_reviews
from app.signs_of_safety.models import Category, House
from app.timeutil import utcnow

C = Category


def _amira(session, demo) -> None:
    case, worker = demo.cases["Amira"], demo.users["worker"]
    amira, samira, yusuf = (
        _person(demo, "Amira", "Amira"),
        _person(demo, "Amira", "Samira"),
        _person(demo, "Amira", "Yusuf"),
    )
    _add(
        session,
        case,
        worker,
        C.harm,
        "In June Amira told a teacher that her mum's ex-partner pushed her against a wall; she had a bruise on her arm.",
        base_version=0,
        family_agrees=True,
    )
    _add(
        session,
        case,
        worker,
        C.harm,
        "Police were called to the home twice in May after shouting and broken glass.",
        base_version=1,
        family_agrees=False,
    )
    pair1 = _add(
        session,
        case,
        worker,
        C.pair,
        "Children's services are worried that if Mr K comes back to the house, he will hurt Amira or her mum again and Amira will stop telling anyone.",
        base_version=1,
        family_agrees=True,
        goal="Samira keeps Mr K away from the home, and Amira has three adults she tells straight away if he turns up.",
        sustain_for="6 months",
    )
    pair2 = _add(
        session,
        case,
        worker,
        C.pair,
        "Samira is worried that Amira is cutting herself when she is low and nobody finds out until it is serious.",
        base_version=1,
        person_id=samira.id,
        family_agrees=True,
        goal="Amira talks to her mum or uncle when she feels low, and sees the CAMHS nurse every fortnight.",
        sustain_for="6 months",
    )
    pair3 = _add(
        session,
        case,
        worker,
        C.pair,
        "The school is worried Amira is caring for her younger cousins most evenings and has no time for herself.",
        base_version=1,
        family_agrees=False,
        goal="Amira has at least three evenings a week for homework and friends.",
        sustain_for="3 months",
    )
    _add(
        session,
        case,
        worker,
        C.complicating,
        "Samira is frightened of Mr K and finds it hard to say no to him.",
        base_version=1,
        person_id=samira.id,
        family_agrees=True,
    )
    _add(
        session,
        case,
        worker,
        C.strength,
        "Uncle Yusuf lives ten minutes away and comes round whenever Samira calls.",
        base_version=1,
        person_id=yusuf.id,
    )
    _add(
        session,
        case,
        worker,
        C.strength,
        "Amira is doing well in art and her teacher says she is a natural leader.",
        base_version=1,
    )
    _add(
        session,
        case,
        worker,
        C.existing_safety,
        "Samira changed the locks in July and called the police when Mr K came to the door.",
        base_version=1,
        person_id=samira.id,
    )
    _add(
        session,
        case,
        worker,
        C.next_step,
        "Samira to go to the Freedom Programme group on Tuesdays.",
        base_version=1,
        person_id=samira.id,
        due_on=demo.today + timedelta(days=10),
    )
    _add(
        session,
        case,
        worker,
        C.next_step,
        "Write words-and-pictures with Amira about why social workers are involved.",
        base_version=1,
        due_on=demo.today - timedelta(days=7),
    )
    _add(
        session,
        case,
        worker,
        C.rule,
        "Mr K is not let into the house, whoever is home.",
        base_version=1,
        person_id=samira.id,
        detail="Yusuf asks Amira each Sunday whether he has been round.",
    )
    _add(
        session,
        case,
        worker,
        C.red_flag,
        "Mr K's car is seen in the street.",
        base_version=1,
        person_id=yusuf.id,
        detail="Yusuf comes over and Samira rings 999 if he comes to the door.",
    )
    _add(session, case, worker, C.non_negotiable, "Amira is never left alone with Mr K.", base_version=1)
    v1 = service.latest_version(session=session, case=case)
    v1.safety_plan_review_on = demo.today + timedelta(days=21)
    service.submit(session=session, map_version=v1, by=worker)
    _backdate(v1, 90)
    _add(
        session,
        case,
        worker,
        C.existing_safety,
        "When Mr K turned up in October, Amira rang her uncle and stayed upstairs until he came.",
        base_version=1,
        person_id=amira.id,
    )
    v2 = service.latest_version(session=session, case=case)
    service.submit(session=session, map_version=v2, by=worker)
    _backdate(v2, 40)

    offered = service.raters(session=session, case=case, actor_user=worker)
    raters = {r.key: r for r in offered if r.person_id in (amira.id, samira.id, yusuf.id) or r.key == "key_worker"}
    # The team's supervisor gave their own ratings (offered to the worker as "user:<id>").
    raters["supervisor"] = replace(next(r for r in offered if r.role == "supervisor"), key="supervisor")
    scores = {
        f"person:{amira.id}": [[4, 3, 5, 6], [5, 5, 5, 6], [6, 7, 6, 6], [7, 7, 7, 7]],
        f"person:{samira.id}": [[3, 2, 4, 7], [5, 4, 5, 7], [6, 6, 6, 7], [6, 7, 6, 8]],
        f"person:{yusuf.id}": [[4, 4, 4, 5], [5, 5, 5, 5], [6, 6, 6, 6], [7, 7, 6, 6]],
        "key_worker": [[1, 1, 3, 4], [3, 3, 4, 4], [4, 4, 5, 5], [5, 6, 5, 5]],
        "supervisor": [[1, 1, 2, 4], [2, 3, 3, 4], [4, 4, 5, 5], [5, 5, 5, 5]],
    }
    _rate_reviews(
        session,
        case,
        worker,
        list(raters.values()),
        [None, pair1.item_key, pair2.item_key, pair3.item_key],
        scores,
        [90, 62, 34, 4],
        {
            "key_worker": (
                "Mr K has not been in the house since July and Amira tells her uncle when she is low.",
                "Samira finishing the Freedom Programme and saying no to Mr K on her own.",
            ),
            f"person:{amira.id}": (
                "I feel safer now the locks are changed.",
                "Being able to go out with my friends on a Friday.",
            ),
            f"person:{samira.id}": ("I called the police myself this time.", "Not being scared when my phone rings."),
        },
    )
    for house, text in [
        (House.worries, "Him coming back."),
        (House.good_things, "Art club and my uncle."),
        (House.dreams, "Going to art college in Manchester."),
    ]:
        entry, _ = service.add_house_entry(
            session=session,
            case=case,
            entry_id=new_id(),
            house=house,
            text=text,
            own_words=True,
            drawing_png=None,
            drawing_description="",
            consent_to_share=True,
            person_id=amira.id,
            by=worker,
        )
        entry.created_at = utcnow() - timedelta(days=85)
