"""Demo maps: Kayla (child in need), Amira (child protection) and Tyler (early help), each with
statement pairs, a safety plan, next steps, three houses, and scales rated by several people over
several reviews, so the chart shows real movement."""

from __future__ import annotations

import struct
import zlib
from dataclasses import replace
from datetime import timedelta

from sqlmodel import Session

from app.cases.models import new_id
from app.signs_of_safety import service
from app.signs_of_safety import words_and_pictures as story
from app.signs_of_safety.models import Category, House
from app.signs_of_safety.service import ItemFields, Rater
from app.timeutil import utcnow

C = Category


def _person(demo, first: str, name_start: str):
    return next(p for p in demo.people[first] if p.name.startswith(name_start))


def _add(session, case, by, category, text, *, base_version, **fields):
    fields.setdefault("by_key_worker", "person_id" not in fields)
    item, _ = service.add_item(
        session=session,
        case=case,
        item_id=new_id(),
        base_version=base_version,
        category=category,
        fields=ItemFields(text=text, **fields),
        by=by,
    )
    return item


def _backdate(version, days_ago: int) -> None:
    at = utcnow() - timedelta(days=days_ago)
    version.created_at = at
    version.updated_at = at
    if version.submitted_at:
        version.submitted_at = at + timedelta(hours=3)


def _rate_reviews(
    session,
    case,
    by,
    raters: list[Rater],
    pair_keys: list[str | None],
    scores: dict[str, list[list[int]]],
    days_ago: list[int],
    notes: dict[str, tuple[str, str]],
) -> None:
    """Each review: every rater scores the overall scale and each pair (scores[rater][review][scale])."""
    for review, ago in enumerate(days_ago):
        for rater in raters:
            for scale, pair_key in enumerate(pair_keys):
                why, higher = notes.get(rater.key, ("", "")) if scale == 0 else ("", "")
                service.add_rating(
                    session=session,
                    case=case,
                    rating_id=new_id(),
                    rater=rater,
                    pair_key=pair_key,
                    score=scores[rater.key][review][scale],
                    why_not_lower=why,
                    one_step_higher=higher,
                    by=by,
                    rated_at=utcnow() - timedelta(days=ago, hours=-scale),
                )


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


def _tyler(session, demo) -> None:
    case, worker = demo.cases["Tyler"], demo.users["worker"]
    lisa = _person(demo, "Tyler", "Lisa")
    pair = _add(
        session,
        case,
        worker,
        C.pair,
        "Lisa and the school are worried that Tyler's anger at school will get him excluded and he will lose his place.",
        base_version=0,
        person_id=lisa.id,
        family_agrees=True,
        goal="Tyler has a way to calm down at school and stays in lessons.",
        sustain_for="one term",
    )
    _add(
        session,
        case,
        worker,
        C.strength,
        "Tyler looks after his little sister after school without being asked.",
        base_version=1,
        person_id=lisa.id,
    )
    _add(
        session,
        case,
        worker,
        C.next_step,
        "Meet Tyler's head of year with Lisa.",
        base_version=1,
        due_on=demo.today + timedelta(days=3),
    )
    kw = next(r for r in service.raters(session=session, case=case, actor_user=worker) if r.key == "key_worker")
    for days, score in ((30, 3), (9, 5)):
        service.add_rating(
            session=session,
            case=case,
            rating_id=new_id(),
            rater=kw,
            pair_key=None,
            score=score,
            why_not_lower="",
            one_step_higher="",
            by=worker,
            rated_at=utcnow() - timedelta(days=days),
        )
        service.add_rating(
            session=session,
            case=case,
            rating_id=new_id(),
            rater=kw,
            pair_key=pair.item_key,
            score=score - 1,
            why_not_lower="",
            one_step_higher="",
            by=worker,
            rated_at=utcnow() - timedelta(days=days),
        )


def _sketch_png(width: int = 160, height: int = 110) -> bytes:
    """A small line drawing of a house, made here so the demo carries no image files."""
    rows = [[255] * width for _ in range(height)]

    def dot(x: int, y: int) -> None:
        for dx in (0, 1):
            for dy in (0, 1):
                if 0 <= x + dx < width and 0 <= y + dy < height:
                    rows[y + dy][x + dx] = 30

    def line(x0: int, y0: int, x1: int, y1: int) -> None:
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for i in range(steps + 1):
            dot(x0 + (x1 - x0) * i // steps, y0 + (y1 - y0) * i // steps)

    for a, b, c, d in [
        (40, 50, 120, 50),
        (40, 50, 40, 100),
        (120, 50, 120, 100),
        (40, 100, 120, 100),
        (30, 55, 80, 15),
        (80, 15, 130, 55),
        (70, 100, 70, 75),
        (70, 75, 90, 75),
        (90, 75, 90, 100),
    ]:
        line(a, b, c, d)
    raw = b"".join(b"\x00" + bytes(row) for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _stories(session, demo) -> None:
    case, worker = demo.cases["Kayla"], demo.users["worker"]
    kayla_people = demo.people["Kayla"]
    service.add_house_entry(
        session=session,
        case=case,
        entry_id=new_id(),
        house=House.dreams,
        text="",
        own_words=True,
        drawing_png=_sketch_png(),
        drawing_description="Kayla's drawing of a little house of her own",
        consent_to_share=True,
        person_id=kayla_people[0].id,
        by=worker,
    )
    for n, text in enumerate(
        [
            "Kayla lives with her mum Donna and her brother Jordan. Gran lives close by.",
            "This year Kayla and her mum argued a lot, and some nights Kayla went out and did not come home.",
            "People at school and Sam from Homeward were worried, because some of the places she went were not safe.",
            "Now, when things get loud at home, Kayla goes to Gran's, and everyone knows where she is.",
        ]
    ):
        story.add_panel(
            session=session,
            case=case,
            panel_id=new_id(),
            base_version=0 if n == 0 else 1,
            text=text,
            image=_sketch_png() if n == 3 else None,
            image_description="Gran's house" if n == 3 else "",
            by=worker,
        )
    story.share(
        session=session,
        case=case,
        share_id=new_id(),
        version_number=1,
        person=next(p for p in kayla_people if p.name.startswith("Donna")),
        shared_with="",
        shared_on=demo.today - timedelta(days=12),
        by=worker,
    )
    story.share(
        session=session,
        case=case,
        share_id=new_id(),
        version_number=1,
        person=kayla_people[0],
        shared_with="",
        shared_on=demo.today - timedelta(days=12),
        by=worker,
    )


def load(*, session: Session, demo) -> None:
    _stories(session, demo)
    _kayla(session, demo)
    _amira(session, demo)
    _tyler(session, demo)
